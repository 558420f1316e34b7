"""Survey results as a handful of GROUP BY queries over ``survey_answer``.

A results page costs the same few queries whatever the number of questions or
options: one for every count of the survey (grouped by question, matrix row,
option and value — single, multiple, Likert, ranking, matrix and the value
distributions of scales and numbers alike), one for the number of respondents
per question, each again grouped by breakdown group when there is a breakdown;
one for the number of respondents; one for the free texts; one to check a filter.
Only responses that count (:func:`~cocreate.research.consent.response_counted`)
are counted; free texts are listed only for people whose research consent stands.

Shaping the counts into tables with disclosure control is
:mod:`cocreate.research.results_tables`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from cocreate.core.permissions import Permission, has_permission
from cocreate.extensions import db
from cocreate.labs.models import Lab
from cocreate.research.consent import response_counted, response_exportable
from cocreate.surveys.models import Answer, Option, OptionKind, Question, QuestionType, Response, Survey

#: The column of everyone (no breakdown).
ALL = "*"
#: The breakdown column of people who did not answer the breakdown question.
NO_ANSWER = ""
#: Free texts listed per question on the results page (the export has them all).
TEXT_LIMIT = 200

FILTER_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)


def visible_questions(survey: Survey) -> list[Question]:
    """The survey's questions that are still asked, in the order people see them."""
    return [q for section in survey.sections for q in section.questions if not q.is_hidden]


def breakdown_questions(survey: Survey) -> list[Question]:
    """Questions results can be broken down by: single choice, and the About-you
    dimensions (one of them, home languages, is multiple choice: its groups overlap)."""
    return [q for q in visible_questions(survey)
            if q.kind is QuestionType.SINGLE or (q.dimension and q.kind in FILTER_TYPES)]


@dataclass(frozen=True)
class Filter:
    """"Only people who chose option X of question Q" or "only answers in language L"."""

    key: str
    question: Question | None = None
    option: Option | None = None
    language: str | None = None

    @property
    def dimension(self) -> str | None:
        return self.question.dimension if self.question is not None else None

    def condition(self):
        """An SQL condition on :class:`Response` (correlated)."""
        if self.language is not None:
            return Response.language == self.language
        match = aliased(Answer)
        return sa.exists().where(match.response_id == Response.id,
                                 match.question_code == self.question.code,
                                 match.option_code == self.option.code)


def filter_key(question: Question, option: Option) -> str:
    return f"{question.code}:{option.code}"


def offered_filters(survey: Survey) -> dict[str, Filter]:
    """Every option filter on offer, by the key the form sends (``Q1:Q1_2``)."""
    offered = {}
    for question in visible_questions(survey):
        if question.kind in FILTER_TYPES:
            for option in question.options:
                if option.kind != OptionKind.ROW and not option.is_hidden:
                    offered[filter_key(question, option)] = Filter(filter_key(question, option),
                                                                   question=question, option=option)
    return offered


def language_filters(survey: Survey) -> dict[str, Filter]:
    """Answer-language filters, by language code (their key is ``lang:<code>``)."""
    return {code: Filter(f"lang:{code}", language=code) for code in survey.content_languages}


# -- Aggregates -------------------------------------------------------------------------


@dataclass
class Aggregates:
    """Counts by ``(question, item, option, value)`` and respondents by ``(question, item)``,
    each per column (a breakdown group, a municipality, or :data:`ALL`)."""

    counts: dict[tuple, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    answered: dict[tuple, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    #: Indexes built on first use, after the queries: (question, item, option) → [(value, columns)],
    #: and the (question, option) pairs anyone chose.
    _values: dict | None = field(default=None, repr=False)
    _chosen: set = field(default_factory=set, repr=False)

    def _index(self) -> dict:
        if self._values is None:
            self._values = defaultdict(list)
            self._chosen = {(key[0], key[2]) for key in self.counts}
            for key, columns in self.counts.items():
                if key[3] is not None:
                    self._values[key[:3]].append((key[3], columns))
        return self._values

    def count(self, question: str, item: str, option: str | None, value, column: str) -> int:
        return self.counts.get((question, item, option, value), {}).get(column, 0)

    def respondents(self, question: str, item: str, column: str) -> int:
        return self.answered.get((question, item), {}).get(column, 0)

    def distribution(self, question: str, column: str, item: str = "",
                     option: str | None = None) -> dict[Decimal, int]:
        """Value → count (scale and number answers, ranks of one ranking option)."""
        return {value: columns[column] for value, columns in self._index().get((question, item, option), ())
                if column in columns}

    def chosen(self, question: str, option: str) -> bool:
        """Did anyone give this option (in any column)?"""
        self._index()
        return (question, option) in self._chosen

    def add_total_column(self) -> None:
        """Fill :data:`ALL` as the sum of the other columns (for disjoint columns only)."""
        for table in (self.counts, self.answered):
            for columns in table.values():
                columns[ALL] = sum(n for key, n in columns.items() if key != ALL)


def _key(question_code, item_code, option_code, value) -> tuple:
    return (question_code, item_code or "", option_code or None,
            Decimal(value) if value is not None else None)


def _population(survey: Survey, filters) -> list:
    return [Response.survey_id == survey.id, response_counted(), *(f.condition() for f in filters)]


def aggregate(survey: Survey, codes: list[str], *, filters=(), breakdown: Question | None = None,
              aggregates: Aggregates | None = None) -> Aggregates:
    """Counts and respondents of the questions ``codes`` among the people matching
    ``filters``, added to ``aggregates``: without ``breakdown`` in the :data:`ALL`
    column, with it in one column per answer to ``breakdown`` (:data:`NO_ANSWER` for
    people who did not answer it). A breakdown page calls this twice, for both."""
    result = aggregates or Aggregates()
    result._values = None
    if not codes:
        return result
    group = aliased(Answer)
    column = sa.func.coalesce(group.option_code, NO_ANSWER) if breakdown is not None else None

    def grouped(keys, measure):
        query = sa.select(*keys, *([column] if column is not None else []), measure) \
            .select_from(Answer).join(Response, Response.id == Answer.response_id)
        if breakdown is not None:
            query = query.outerjoin(group, sa.and_(group.response_id == Answer.response_id,
                                                   group.question_code == breakdown.code,
                                                   group.option_code.is_not(None)))
        query = query.where(Answer.survey_id == survey.id, Answer.question_code.in_(codes),
                            *_population(survey, filters))
        return db.session.execute(query.group_by(*keys, *([column] if column is not None else []))).all()

    count_keys = (Answer.question_code, Answer.item_code, Answer.option_code, Answer.value_number)
    for row in grouped(count_keys, sa.func.count()):
        target = row[4] if breakdown is not None else ALL
        result.counts[_key(*row[:4])][target] = row[-1]
    for row in grouped((Answer.question_code, Answer.item_code),
                       sa.func.count(sa.distinct(Answer.response_id))):
        target = row[2] if breakdown is not None else ALL
        result.answered[(row[0], row[1] or "")][target] = row[-1]
    return result


def respondent_count(survey: Survey, filters=()) -> int:
    return db.session.scalar(sa.select(sa.func.count(Response.id)).where(*_population(survey, filters)))


@dataclass(frozen=True)
class TextAnswer:
    text: str
    language: str


@dataclass
class Texts:
    """The latest free texts of one question (for a choice question: its "other" texts)."""

    answers: list[TextAnswer]
    total: int


def free_texts(survey: Survey, codes: list[str], filters=()) -> dict[str, Texts]:
    """The latest :data:`TEXT_LIMIT` texts per question, in one windowed query.

    Only people whose research consent stands: texts are individual data, not counts.
    """
    if not codes:
        return {}
    ranked = (
        sa.select(Answer.question_code.label("code"), Answer.value_text.label("text"),
                  sa.func.coalesce(Answer.text_language, Response.language).label("language"),
                  sa.func.row_number().over(partition_by=Answer.question_code,
                                            order_by=Answer.id.desc()).label("position"),
                  sa.func.count().over(partition_by=Answer.question_code).label("total"))
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.survey_id == survey.id, Answer.question_code.in_(codes),
               Answer.value_text.is_not(None), Answer.value_text != "", response_exportable(),
               *_population(survey, filters))
        .subquery())
    result: dict[str, Texts] = {}
    rows = db.session.execute(sa.select(ranked).where(ranked.c.position <= TEXT_LIMIT)
                              .order_by(ranked.c.code, ranked.c.position))
    for row in rows:
        texts = result.setdefault(row.code, Texts([], row.total))
        texts.answers.append(TextAnswer(row.text, row.language))
    return result


@dataclass
class Overlaps:
    """For one chosen filter: how many people count at all, and for every filter on
    offer its size and the number of people matching both."""

    everyone: int
    sizes: dict[str, tuple[int, int]]

    def size_of(self, key: str) -> int:
        return self.sizes.get(key, (0, 0))[0]


def filter_overlaps(survey: Survey, chosen: Filter) -> Overlaps:
    """|P_G| and |P_F ∩ P_G| for the chosen filter F and every option and language G,
    in one statement (two GROUP BYs joined by UNION ALL)."""
    inside = chosen.condition()
    other = aliased(Answer)
    codes = [q.code for q in visible_questions(survey) if q.kind in FILTER_TYPES]
    by_option = (
        sa.select(other.question_code.label("question"), other.option_code.label("key"),
                  sa.func.count(sa.distinct(other.response_id)).label("size"),
                  sa.func.count(sa.distinct(sa.case((inside, other.response_id)))).label("both"))
        .join(Response, Response.id == other.response_id)
        .where(other.survey_id == survey.id, other.question_code.in_(codes), other.option_code.is_not(None),
               response_counted())
        .group_by(other.question_code, other.option_code))
    by_language = (
        sa.select(sa.null().label("question"), Response.language.label("key"),
                  sa.func.count(Response.id).label("size"),
                  sa.func.count(sa.case((inside, Response.id))).label("both"))
        .where(Response.survey_id == survey.id, response_counted())
        .group_by(Response.language))
    sizes, everyone = {}, 0
    for row in db.session.execute(sa.union_all(by_option, by_language)):
        if row.question is None:
            everyone += row.size
            sizes[f"lang:{row.key}"] = (row.size, row.both)
        else:
            sizes[f"{row.question}:{row.key}"] = (row.size, row.both)
    return Overlaps(everyone, sizes)


# -- Across municipalities and the research home ---------------------------------------


def research_municipalities(user) -> list:
    """The municipalities in which ``user`` holds the research permission."""
    seen = {}
    for membership in getattr(user, "memberships", []):
        town = membership.municipality
        if town.id not in seen and has_permission(user, Permission.RESEARCH, town):
            seen[town.id] = town
    return sorted(seen.values(), key=lambda town: town.name)


def template_surveys(template_id: int, municipality_ids: list[int]) -> list[Survey]:
    """Surveys made from one template in the given municipalities."""
    return list(db.session.scalars(
        sa.select(Survey).join(Lab, Lab.id == Survey.lab_id)
        .where(Survey.template_id == template_id, Lab.municipality_id.in_(municipality_ids))
        .order_by(Lab.municipality_id, Survey.id)))


def compare_aggregates(template_id: int, municipality_ids: list[int], codes: list[str]) -> Aggregates:
    """Counts of every survey made from the template, one column per municipality
    (``str(municipality_id)``), surveys of one municipality pooled."""
    result = Aggregates()
    if not municipality_ids or not codes:
        return result
    town = Lab.municipality_id

    def grouped(keys, measure):
        return db.session.execute(
            sa.select(town, *keys, measure).select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .join(Survey, Survey.id == Answer.survey_id).join(Lab, Lab.id == Survey.lab_id)
            .where(Survey.template_id == template_id, town.in_(municipality_ids),
                   Answer.question_code.in_(codes), response_counted())
            .group_by(town, *keys)).all()

    for row in grouped((Answer.question_code, Answer.item_code, Answer.option_code, Answer.value_number),
                       sa.func.count()):
        result.counts[_key(*row[1:5])][str(row[0])] = row[-1]
    for row in grouped((Answer.question_code, Answer.item_code), sa.func.count(sa.distinct(Answer.response_id))):
        result.answered[(row[1], row[2] or "")][str(row[0])] = row[-1]
    result.add_total_column()
    return result


def municipality_surveys(municipality) -> list[tuple[Survey, int]]:
    """Every survey of the municipality's labs with its number of counted responses."""
    counts = (sa.select(Response.survey_id, sa.func.count(Response.id).label("n"))
              .where(response_counted()).group_by(Response.survey_id).subquery())
    rows = db.session.execute(
        sa.select(Survey, sa.func.coalesce(counts.c.n, 0)).join(Lab, Lab.id == Survey.lab_id)
        .outerjoin(counts, counts.c.survey_id == Survey.id)
        .where(Lab.municipality_id == municipality.id).order_by(Lab.id.desc(), Survey.id)).all()
    return [(survey, n) for survey, n in rows]


def shared_templates(municipality_ids: list[int]) -> list[tuple[int, int]]:
    """Templates used by surveys in at least two of the municipalities: (template id,
    number of municipalities)."""
    if len(municipality_ids) < 2:
        return []
    towns = sa.func.count(sa.distinct(Lab.municipality_id))
    return [tuple(row) for row in db.session.execute(
        sa.select(Survey.template_id, towns).join(Lab, Lab.id == Survey.lab_id)
        .where(Survey.template_id.is_not(None), Lab.municipality_id.in_(municipality_ids))
        .group_by(Survey.template_id).having(towns >= 2).order_by(Survey.template_id))]
