"""Survey results as a handful of GROUP BY queries over ``survey_answer``.

A results page costs the same few queries whatever the number of questions or
options: one for every count of the survey (grouped by question, option, matrix
row and value — single, multiple, Likert, ranking, matrix and the value
distributions of scales and numbers alike, with one column per breakdown group
when there is a breakdown), one for the number of respondents of the questions
that store several rows per answer; one for the number of respondents; one for
the free texts; one to check a filter. Only responses that count
(:func:`~cocreate.research.consent.response_counted`) are counted; free texts are
listed only for people whose research consent stands.

What a page reads is a :class:`Snapshot`; :mod:`cocreate.research.results_cache`
keeps it while the survey's responses stay the same and adds new ones to it.
Shaping the counts into tables with disclosure control is
:mod:`cocreate.research.results_tables`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased, lazyload

from cocreate.core.permissions import Permission, has_permission
from cocreate.extensions import db
from cocreate.labs.models import Lab
from cocreate.research.consent import counted, response_counted, response_exportable
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

    def response_ids(self, survey: Survey):
        """The ids of the survey's responses that match, as a subquery (read once per
        statement, where :meth:`condition` is asked again for every row)."""
        if self.language is not None:
            return sa.select(Response.id).where(Response.survey_id == survey.id,
                                                Response.language == self.language)
        return sa.select(Answer.response_id).where(Answer.survey_id == survey.id,
                                                   Answer.question_code == self.question.code,
                                                   Answer.option_code == self.option.code)


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

#: Rows per answer: most types store one row per answer (and matrix row), so their
#: respondents are the sum of their counts; a ranking stores one row per option, of
#: which exactly one has rank 1 (or a single "prefer not to say" row); only multiple
#: choice needs its respondents counted apart, as distinct responses.
SEVERAL_ROWS = (QuestionType.MULTIPLE,)


@dataclass
class Aggregates:
    """Counts by ``(question, item, option, value)`` and respondents by ``(question, item)``,
    each per column (a breakdown group, a municipality, or :data:`ALL`).

    Counts of disjoint sets of responses add up (:meth:`merged`), which is how a
    cached page takes in new responses (:mod:`cocreate.research.results_cache`).
    """

    counts: dict[tuple, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    answered: dict[tuple, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    #: Indexes built on first use, after the queries: (question, item, option) → [(value, columns)],
    #: and the (question, option) pairs anyone chose.
    _values: dict | None = field(default=None, repr=False)
    _chosen: set = field(default_factory=set, repr=False)

    def _index(self) -> dict:
        if self._values is None:
            # Built whole before it is published: cached aggregates are read by several threads.
            values = defaultdict(list)
            for key, columns in self.counts.items():
                if key[3] is not None:
                    values[key[:3]].append((key[3], columns))
            self._chosen = {(key[0], key[2]) for key in self.counts}
            self._values = values
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

    def merged(self, other: Aggregates) -> Aggregates:
        """These counts plus ``other``'s, of responses not counted here (a new object)."""
        result = Aggregates()
        for mine, theirs, into in ((self.counts, other.counts, result.counts),
                                   (self.answered, other.answered, result.answered)):
            for key in mine.keys() | theirs.keys():
                columns = dict(mine.get(key, {}))
                for column, n in theirs.get(key, {}).items():
                    columns[column] = columns.get(column, 0) + n
                into[key] = columns
        return result


def _key(question_code, item_code, option_code, value) -> tuple:
    return (question_code, item_code or "", option_code or None,
            Decimal(value) if value is not None else None)


def _answers_of(survey: Survey, filters, after: int | None, upto: int | None) -> list:
    """Conditions on :class:`Answer`: the answers of the survey's counted responses that
    match ``filters``, with response ids above ``after`` and up to ``upto`` (None: no bound).

    All responses are found by the survey (the answer index); only those after
    ``after`` by their ids (the response index), so taking in a few new responses
    does not read the others' answers.
    """
    conditions = [counted(Answer.response_id),
                  *(Answer.response_id.in_(f.response_ids(survey)) for f in filters)]
    if upto is not None:
        conditions.append(Answer.response_id <= upto)
    if after is None:
        return [Answer.survey_id == survey.id, *conditions]
    newer = sa.select(Response.id).where(Response.survey_id == survey.id, Response.id > after)
    return [Answer.response_id.in_(newer), *conditions]


def _columns(survey: Survey, breakdown: Question | None, response_id) -> list[tuple[str, object]]:
    """The rows counted in every column, as (column key, SQL aggregate): :data:`ALL`, and
    with a breakdown one per option of the breakdown question (and :data:`NO_ANSWER`
    when the groups overlap; else it is what the groups leave, see :func:`_counts`).

    Every group is a column of its own, counted in the same pass (grouping by the
    group would sort every row), by looking up ``response_id`` in the group's response
    ids: a subquery read once per statement. A respondent in several groups (a
    multiple-choice breakdown) counts in each.
    """
    columns = [(ALL, sa.func.count())]
    if breakdown is None:
        return columns
    member = aliased(Answer)

    def members(*conditions):
        return sa.select(member.response_id).where(member.survey_id == survey.id,
                                                   member.question_code == breakdown.code, *conditions)

    columns += [(o.code, sa.func.count(sa.case((response_id.in_(members(member.option_code == o.code)), 1))))
                for o in breakdown.options if o.kind != OptionKind.ROW]
    if breakdown.kind is QuestionType.MULTIPLE:
        nowhere = response_id.not_in(members(member.option_code.is_not(None)))
        columns.append((NO_ANSWER, sa.func.count(sa.case((nowhere, 1)))))
    return columns


def _counts(query, keys: int, columns, breakdown: Question | None) -> Iterator[tuple[tuple, dict[str, int]]]:
    """(group-by key, column → count) per row of ``query``, leaving out zeros. In one
    answer per person (single choice), :data:`NO_ANSWER` is everyone outside the groups."""
    for row in db.session.execute(query):
        counts = {column: n for (column, _measure), n in zip(columns, row[keys:], strict=True) if n}
        if breakdown is not None and breakdown.kind is not QuestionType.MULTIPLE:
            outside = counts.get(ALL, 0) - sum(n for column, n in counts.items() if column != ALL)
            if outside:
                counts[NO_ANSWER] = outside
        yield tuple(row[:keys]), counts


def aggregate(survey: Survey, codes: list[str], *, filters=(), breakdown: Question | None = None,
              after: int | None = None, upto: int | None = None) -> Aggregates:
    """Counts and respondents of the questions ``codes`` among the people matching
    ``filters``: in the :data:`ALL` column, and with a ``breakdown`` also in one column
    per answer to it (:data:`NO_ANSWER` for people who did not answer it).
    ``after`` and ``upto`` bound the response ids (see :func:`_answers_of`).

    Two statements: the counts, and the respondents of multiple-choice questions
    (distinct people, grouped before they are counted); every other question's
    respondents follow from its counts (:data:`SEVERAL_ROWS`).
    """
    result = Aggregates()
    if not codes:
        return result
    population = _answers_of(survey, filters, after, upto)
    # In the order of the answer index, so that no sort is needed.
    keys = (Answer.question_code, Answer.option_code, Answer.item_code, Answer.value_number)
    columns = _columns(survey, breakdown, Answer.response_id)
    query = (sa.select(*keys, *(measure for _column, measure in columns))
             .where(Answer.question_code.in_(codes), *population).group_by(*keys))
    for (question, option, item, value), counts in _counts(query, len(keys), columns, breakdown):
        result.counts[_key(question, item, option, value)] = counts
    kinds = {q.code: q.kind for section in survey.sections for q in section.questions}
    for (question, item, _option, value), counts in result.counts.items():
        kind = kinds.get(question)
        if kind in SEVERAL_ROWS or (kind is QuestionType.RANKING and value not in (None, 1)):
            continue
        answered = result.answered[(question, item)]
        for column, n in counts.items():
            answered[column] = answered.get(column, 0) + n
    several = [code for code in codes if kinds.get(code) in SEVERAL_ROWS]
    if several:
        people = (sa.select(Answer.question_code, Answer.item_code, Answer.response_id)
                  .where(Answer.question_code.in_(several), *population)
                  .group_by(Answer.question_code, Answer.item_code, Answer.response_id).subquery())
        columns = _columns(survey, breakdown, people.c.response_id)
        query = (sa.select(people.c.question_code, people.c.item_code, *(measure for _column, measure in columns))
                 .group_by(people.c.question_code, people.c.item_code))
        for (question, item), counts in _counts(query, 2, columns, breakdown):
            result.answered[(question, item or "")] = counts
    return result


def respondent_count(survey: Survey, filters=(), *, after: int | None = None, upto: int | None = None) -> int:
    conditions = [Response.survey_id == survey.id, counted(Response.id),
                  *(Response.id.in_(f.response_ids(survey)) for f in filters)]
    if after is not None:
        conditions.append(Response.id > after)
    if upto is not None:
        conditions.append(Response.id <= upto)
    return db.session.scalar(sa.select(sa.func.count(Response.id)).where(*conditions))


@dataclass(frozen=True)
class TextAnswer:
    text: str
    language: str


@dataclass
class Texts:
    """The latest free texts of one question (for a choice question: its "other" texts)."""

    answers: list[TextAnswer]
    total: int

    def merged(self, newer: Texts) -> Texts:
        """These texts after ``newer`` ones, of later responses, still the latest :data:`TEXT_LIMIT`."""
        return Texts((newer.answers + self.answers)[:TEXT_LIMIT], self.total + newer.total)


def free_texts(survey: Survey, codes: list[str], filters=(), *, after: int | None = None,
               upto: int | None = None) -> dict[str, Texts]:
    """The latest :data:`TEXT_LIMIT` texts per question, in one windowed query.

    Only people whose research consent stands: texts are individual data, not counts.
    Only text questions' rows without an option and choice questions' rows of their
    "other" options are read (the other choices are skipped in the answer index).
    """
    if not codes:
        return {}
    questions = {q.code: q for section in survey.sections for q in section.questions}
    others = [o.code for code in codes for o in questions[code].options if o.kind == OptionKind.OTHER]
    # Both columns are in the answer index: rows of other options are skipped there.
    where = sa.and_(Answer.question_code.in_(codes),
                    sa.or_(Answer.option_code.is_(None), Answer.option_code.in_(others)))
    ranked = (
        sa.select(Answer.question_code.label("code"), Answer.value_text.label("text"),
                  sa.func.coalesce(Answer.text_language, Response.language).label("language"),
                  sa.func.row_number().over(partition_by=Answer.question_code,
                                            order_by=Answer.id.desc()).label("position"),
                  sa.func.count().over(partition_by=Answer.question_code).label("total"))
        .join(Response, Response.id == Answer.response_id)
        .where(where, Answer.value_text.is_not(None), Answer.value_text != "",
               response_exportable(), *_answers_of(survey, filters, after, upto))
        .subquery())
    result: dict[str, Texts] = {}
    rows = db.session.execute(sa.select(ranked).where(ranked.c.position <= TEXT_LIMIT)
                              .order_by(ranked.c.code, ranked.c.position))
    for row in rows:
        texts = result.setdefault(row.code, Texts([], row.total))
        texts.answers.append(TextAnswer(row.text, row.language))
    return result


@dataclass
class Snapshot:
    """Everything a results page reads from the database, for one set of responses."""

    aggregates: Aggregates
    texts: dict[str, Texts]
    respondents: int

    def merged(self, newer: Snapshot) -> Snapshot:
        """This snapshot with ``newer``, of responses not in it, taken in."""
        texts = dict(self.texts)
        for code, more in newer.texts.items():
            texts[code] = texts[code].merged(more) if code in texts else more
        return Snapshot(self.aggregates.merged(newer.aggregates), texts, self.respondents + newer.respondents)


def snapshot(survey: Survey, codes: list[str], *, filters=(), breakdown: Question | None = None,
             text_codes=(), after: int | None = None, upto: int | None = None) -> Snapshot:
    """Counts, respondents and (for ``text_codes``) free texts of the responses with ids
    in (``after``, ``upto``]: four statements, three without free texts."""
    return Snapshot(aggregate(survey, codes, filters=filters, breakdown=breakdown, after=after, upto=upto),
                    free_texts(survey, list(text_codes), filters, after=after, upto=upto),
                    respondent_count(survey, filters, after=after, upto=upto))


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
    """Every survey of the municipality's labs with its number of counted responses (the
    surveys without their instruments, which a list does not show)."""
    counts = (sa.select(Response.survey_id, sa.func.count(Response.id).label("n"))
              .where(response_counted()).group_by(Response.survey_id).subquery())
    rows = db.session.execute(
        sa.select(Survey, sa.func.coalesce(counts.c.n, 0)).join(Lab, Lab.id == Survey.lab_id)
        .outerjoin(counts, counts.c.survey_id == Survey.id)
        .where(Lab.municipality_id == municipality.id).order_by(Lab.id.desc(), Survey.id)
        .options(lazyload(Survey.sections))).all()
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
