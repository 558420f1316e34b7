"""Results shaped into tables, with disclosure control applied, for pages and charts.

Each question becomes count tables (categories × breakdown groups, with the
total column and the "answered" row as margins), a statistics table (scale and
number: respondents, mean and median per group) or an answer count with the
free texts. The disclosure rules are :mod:`cocreate.research.disclosure`; here
they are applied with the right threshold, and a hidden count never leaves this
module (a hidden :class:`Cell` has no count).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cocreate.core.i18n import Localized, current_language, localize
from cocreate.research import results_cache
from cocreate.research.disclosure import (
    FilterRefusal,
    Status,
    filter_refusal,
    percent_allowed,
    protect_one_way,
    protect_two_way,
)
from cocreate.research.forms import ResultsViewForm
from cocreate.research.results import (
    ALL,
    NO_ANSWER,
    Aggregates,
    Filter,
    Texts,
    breakdown_questions,
    filter_overlaps,
    language_filters,
    offered_filters,
    visible_questions,
)
from cocreate.surveys.library import SENSITIVE_DIMENSIONS
from cocreate.surveys.models import OptionKind, Question, QuestionType


def threshold(lab, *dimensions) -> int:
    """The lab's k: the larger one when any dimension involved (the breakdown, the
    question's own, a filter's) is sensitive — origin, migration background,
    nationality, neighbourhood."""
    if any(d in SENSITIVE_DIMENSIONS for d in dimensions if d):
        return lab.disclosure_k_sensitive
    return lab.disclosure_k


def ui_label(text) -> Localized:
    """A label in the page language (not content)."""
    lang = current_language()
    return Localized(str(text), lang, lang)


@dataclass(frozen=True)
class Cell:
    """A count as it may be shown: ``count`` is None unless the status is SHOWN."""

    count: int | None
    status: Status
    percent: float | None = None

    @property
    def shown(self) -> bool:
        return self.status is Status.SHOWN


@dataclass(frozen=True)
class Heading:
    key: str
    label: Localized


@dataclass
class CountTable:
    """Rows are categories; every row has one cell per group, then the total."""

    categories: list[Heading]
    groups: list[Heading]
    rows: list[list[Cell]]
    #: Respondents per group, then in total (the percentages' bases).
    bases: list[Cell]
    caption: Localized | None = None
    #: Ranking questions: the mean rank of every category (None where not shown).
    mean_ranks: list[float | None] | None = None

    @property
    def total(self) -> Cell:
        return self.bases[-1]


@dataclass
class StatsTable:
    groups: list[Heading]
    #: Respondents per group, then in total.
    sizes: list[Cell]
    means: list[float | None]
    medians: list[Decimal | None]
    #: The largest value a bar of the chart can show.
    scale_max: float


@dataclass
class QuestionResult:
    question: Question
    label: Localized
    k: int | None
    tables: list[CountTable] = field(default_factory=list)
    stats: StatsTable | None = None
    #: Text and date questions: how many answered.
    answered: Cell | None = None
    texts: Texts | None = None

    @property
    def counts_overlap(self) -> bool:
        return self.question.kind is QuestionType.MULTIPLE


def median(distribution: dict[Decimal, int]) -> Decimal | None:
    """The median of value → count (the middle one, or the mean of the two middle ones)."""
    total = sum(distribution.values())
    if not total:
        return None
    wanted = {(total - 1) // 2, total // 2}
    found = []
    seen = 0
    for value in sorted(distribution):
        count = distribution[value]
        found.extend(value for position in sorted(wanted) if seen <= position < seen + count)
        seen += count
    return sum(found) / len(found)


def mean(distribution: dict[Decimal, int]) -> float | None:
    total = sum(distribution.values())
    return float(sum(v * n for v, n in distribution.items()) / total) if total else None


def _cell(n: int, status: Status, base: int, base_status: Status, k: int | None) -> Cell:
    if status is not Status.SHOWN:
        return Cell(None, status)
    return Cell(n, status, n / base * 100 if percent_allowed(base, base_status, k) else None)


def _base(n: int, status: Status) -> Cell:
    return Cell(n if status is Status.SHOWN else None, status)


class TableBuilder:
    """Builds :class:`QuestionResult` objects from :class:`Aggregates`.

    ``groups`` are the breakdown columns (empty: no breakdown); ``k`` is given per
    question, None for the researchers' view.
    """

    def __init__(self, aggregates: Aggregates, groups: list[Heading], default_language: str):
        self.agg = aggregates
        self.groups = groups
        self.default = default_language

    def label(self, value: dict) -> Localized:
        return localize(value, default=self.default)

    def question(self, question: Question, k: int | None, texts: Texts | None = None) -> QuestionResult:
        result = QuestionResult(question, self.label(question.text), k, texts=texts)
        kind = question.kind
        code = question.code
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            result.tables.append(self.counts(code, "", self._option_categories(question), k))
        elif kind is QuestionType.LIKERT:
            result.tables.append(self.counts(code, "", self._point_categories(question, ""), k))
        elif kind is QuestionType.RANKING:
            result.tables.append(self._ranking(question, k))
        elif kind is QuestionType.MATRIX:
            for row in question.options:
                if row.kind == OptionKind.ROW and (not row.is_hidden or self.agg.respondents(code, row.code, ALL)):
                    result.tables.append(self.counts(code, row.code, self._point_categories(question, row.code),
                                                     k, caption=self.label(row.label)))
        elif kind in (QuestionType.SCALE, QuestionType.NUMBER):
            result.stats = self.stats(question, k)
        else:
            n = self.agg.respondents(code, "", ALL)
            _none, status = protect_one_way([], n, k)
            result.answered = _base(n, status)
        return result

    # -- categories: (heading, (option code, value)) ----------------------------------

    def _option_categories(self, question: Question) -> list[tuple[Heading, tuple]]:
        return [(Heading(o.code, self.label(o.label)), (o.code, None)) for o in question.options
                if o.kind != OptionKind.ROW and (not o.is_hidden or self.agg.chosen(question.code, o.code))]

    def _point_categories(self, question: Question, item: str) -> list[tuple[Heading, tuple]]:
        points = question.scale()
        ends = {points[0]: question.settings.get("low_label"), points[-1]: question.settings.get("high_label")}
        categories = []
        for point in points:
            end = self.label(ends.get(point) or {})
            label = Localized(f"{point} – {end.text}", end.lang, end.requested) if end else ui_label(point)
            categories.append((Heading(str(point), label), (None, Decimal(point))))
        if not item and question.prefer_not is not None:
            option = question.prefer_not
            categories.append((Heading(option.code, self.label(option.label)), (option.code, None)))
        return categories

    # -- tables ------------------------------------------------------------------------

    def counts(self, code: str, item: str, categories, k: int | None, caption=None) -> CountTable:
        columns = [g.key for g in self.groups]
        values = [[self.agg.count(code, item, option, value, c) for c in columns] for _h, (option, value)
                  in categories]
        totals = [self.agg.count(code, item, option, value, ALL) for _h, (option, value) in categories]
        bases = [self.agg.respondents(code, item, c) for c in columns]
        base = self.agg.respondents(code, item, ALL)
        if columns:
            grid = [[*row, total] for row, total in zip(values, totals, strict=True)] + [[*bases, base]]
            status = protect_two_way(grid, k)
        else:
            cell_status, base_status = protect_one_way(totals, base, k)
            grid = [[t] for t in totals] + [[base]]
            status = [[s] for s in cell_status] + [[base_status]]
        margin = status[-1]
        column_bases = [*bases, base]
        rows = [[_cell(grid[i][j], status[i][j], column_bases[j], margin[j], k) for j in range(len(column_bases))]
                for i in range(len(categories))]
        return CountTable([h for h, _key in categories], list(self.groups), rows,
                          [_base(n, s) for n, s in zip(column_bases, margin, strict=True)], caption)

    def _ranking(self, question: Question, k: int | None) -> CountTable:
        """First choices per option (and "prefer not to say"), with every option's mean
        rank among all respondents."""
        prefer_not = question.prefer_not.code if question.prefer_not is not None else None
        categories = [(h, (option, None if option == prefer_not else Decimal(1)))
                      for h, (option, _v) in self._option_categories(question)]
        table = self.counts(question.code, "", categories, k)
        total = table.total
        shown = total.shown and (k is None or (total.count or 0) >= k)
        table.mean_ranks = [mean(self.agg.distribution(question.code, ALL, option=option)) if shown and value
                            else None for _h, (option, value) in categories]
        return table

    def stats(self, question: Question, k: int | None) -> StatsTable:
        columns = [g.key for g in self.groups]
        distributions = [self.agg.distribution(question.code, c) for c in [*columns, ALL]]
        sizes = [sum(d.values()) for d in distributions]
        statuses, total_status = protect_one_way(sizes[:-1], sizes[-1], k)
        statuses = [*statuses, total_status]
        means = [mean(d) if s is Status.SHOWN else None for d, s in zip(distributions, statuses, strict=True)]
        medians = [median(d) if s is Status.SHOWN else None for d, s in zip(distributions, statuses, strict=True)]
        if question.kind is QuestionType.SCALE:
            top = 10.0
        else:
            top = max([abs(m) for m in means if m is not None] + [float(question.settings.get("max") or 0)]
                      + [1.0])
        return StatsTable(list(self.groups), [_base(n, s) for n, s in zip(sizes, statuses, strict=True)],
                          means, medians, top)


def breakdown_groups(question: Question, aggregates: Aggregates, default_language: str) -> list[Heading]:
    """The columns of a breakdown by ``question`` (whose own answers must be among the
    aggregates): the options someone chose, then the people who did not answer it
    (who close every row, so the groups add up to the total). Empty groups are left
    out: zeros are no secret, but they make long tables."""
    members = aggregates.answered.get((question.code, ""), {})
    groups = [Heading(o.code, localize(o.label, default=default_language)) for o in question.options
              if o.kind != OptionKind.ROW and members.get(o.code)]
    if any(columns.get(NO_ANSWER) for columns in aggregates.answered.values()):
        groups.append(Heading(NO_ANSWER, ui_label(_l("No answer"))))
    return groups


# -- A whole results page -----------------------------------------------------------------

def refusal_message(refusal: FilterRefusal, k: int) -> str:
    """Why a filter was not applied, in the page language."""
    if refusal is FilterRefusal.TOO_FEW:
        return _("Fewer than %(k)s people gave this answer, so the results cannot be filtered on it. "
                 "All results are shown.", k=k)
    if refusal is FilterRefusal.TOO_FEW_OUTSIDE:
        return _("All but fewer than %(k)s people gave this answer: filtering on it would reveal how the "
                 "others answered. All results are shown.", k=k)
    return _("Another filter selects nearly the same people (fewer than %(k)s differ): comparing the two "
             "would reveal how those few answered. All results are shown.", k=k)


@dataclass
class ResultsPage:
    form: ResultsViewForm
    #: Why some of what was asked for is not shown (translated, safe to show).
    notices: list
    breakdown: Question | None
    filters: list[Filter]
    respondents: Cell
    questions: list[QuestionResult]
    unsuppressed: bool

    @property
    def groups_overlap(self) -> bool:
        return self.breakdown is not None and self.breakdown.kind is QuestionType.MULTIPLE


def _text_codes(questions: list[Question]) -> list[str]:
    return [q.code for q in questions if q.kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
            or (q.kind in (QuestionType.SINGLE, QuestionType.MULTIPLE) and q.other is not None)]


def build_page(survey, args, *, unsuppressed: bool) -> ResultsPage:
    """Read the breakdown and filters from ``args`` and compute every question's tables.

    ``unsuppressed`` is the researchers' view: every count and the free texts.
    Otherwise (everyone else, and the public page for all) counts are
    disclosure-controlled, no text is listed, and at most one filter applies, and
    only if it passes :func:`~cocreate.research.disclosure.filter_refusal`.
    """
    lab = survey.lab
    questions = visible_questions(survey)
    form = ResultsViewForm(args, breakdowns=breakdown_questions(survey), filters=offered_filters(survey),
                           languages=language_filters(survey), default_language=survey.default_language,
                           several_filters=unsuppressed)
    form.validate()
    notices = form.messages()
    breakdown, filters = form.breakdown, list(form.chosen)
    by_dimension = breakdown.dimension if breakdown is not None else None
    if filters and not unsuppressed:
        chosen = filters[0]
        k = threshold(lab, chosen.dimension, by_dimension)
        overlaps = filter_overlaps(survey, chosen)
        refusal = filter_refusal(overlaps.everyone, overlaps.size_of(chosen.key),
                                 [sizes for key, sizes in overlaps.sizes.items() if key != chosen.key], k)
        if refusal is not None:
            notices.append(refusal_message(refusal, k))
            filters = []
    dimensions = [by_dimension, *(f.dimension for f in filters)]
    data = results_cache.snapshot(survey, [q.code for q in questions], filters=filters, breakdown=breakdown,
                                  text_codes=_text_codes(questions) if unsuppressed else ())
    aggregates = data.aggregates
    groups = breakdown_groups(breakdown, aggregates, survey.default_language) if breakdown is not None else []
    builder = TableBuilder(aggregates, groups, survey.default_language)
    # The breakdown question itself is shown on its own: by itself it is only a diagonal.
    alone = TableBuilder(aggregates, [], survey.default_language)
    results = [(alone if q is breakdown else builder).question(
        q, None if unsuppressed else threshold(lab, q.dimension, *dimensions), data.texts.get(q.code))
        for q in questions]
    n = data.respondents
    _none, status = protect_one_way([], n, None if unsuppressed else threshold(lab, *dimensions))
    return ResultsPage(form, notices, breakdown, filters, _base(n, status), results, unsuppressed)
