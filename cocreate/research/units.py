"""The text units of a lab that researchers code, read through the consent ledger.

A *unit* is one piece of a participant's own words: a focus-group transcript
turn, a free-text survey answer (a short or long text, or the words given with
"other"), or a plan comment. Units are grouped in *sources* — a transcript, a
survey question, a plan's comments — which is how researchers browse them and
how the REFI-QDA export lays them out.

Only people whose research consent stands are here (``research.consent``):
a withdrawn consent takes the person's units out of every page and export at
once, codings included (they stay stored, unseen). Transcript turns nobody is
registered for — the facilitator, an unknown voice — are kept: no participant's
consent is at stake. People appear by pseudonymous id only; names, e-mail
addresses and speaker labels never leave this module.

Every read is one SQL query per kind of unit (never one per unit), and one more
for the commenters' groups (:func:`cocreate.labs.groups.groups_of`, all at once).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased, lazyload

from cocreate.extensions import db
from cocreate.focusgroups import screening
from cocreate.focusgroups.models import FocusSession, Registration, Transcript, Turn
from cocreate.labs.groups import groups_of
from cocreate.plans.models import Comment, CommentStatus, Plan
from cocreate.research import pseudonyms
from cocreate.research.consent import commenter_exportable, registration_exportable, response_exportable
from cocreate.research.models import UnitKind
from cocreate.surveys.models import Answer, Option, OptionKind, Question, QuestionType, Response, Survey

TEXT_TYPES = (QuestionType.SHORT_TEXT.value, QuestionType.LONG_TEXT.value)
#: Breakdown dimensions that give a survey respondent's group, in order of preference.
GROUP_DIMENSIONS = ("generation", "origin")

_KEY = re.compile(r"(?P<kind>transcript|plan)-(?P<id>[1-9][0-9]{0,8})"
                  r"|question-(?P<survey>[1-9][0-9]{0,8})-(?P<code>[A-Za-z0-9_]{1,32})")


@dataclass(frozen=True)
class Source:
    """A transcript, a survey question with free text, or a plan's comments."""

    kind: str  # "transcript" / "question" / "plan"
    object_id: int  # transcript, survey or plan id
    question_code: str | None = None
    title: dict = field(default_factory=dict, compare=False)
    #: What the source belongs to: the session's topic, the survey's title.
    context: dict = field(default_factory=dict, compare=False)
    detail: str = field(default="", compare=False)
    #: The language to fall back to when showing ``title`` and ``context``.
    language: str = field(default="en", compare=False)
    unit_count: int = field(default=0, compare=False)

    @property
    def key(self) -> str:
        if self.kind == "question":
            return f"question-{self.object_id}-{self.question_code}"
        return f"{self.kind}-{self.object_id}"


@dataclass(frozen=True)
class Unit:
    """One text unit, ready to show or export: no names, only pseudonyms."""

    kind: str  # a UnitKind value
    id: int
    text: str
    language: str
    source_key: str
    #: Pseudonymous person id (``P…`` or ``R…``); None for the facilitator and unknown voices.
    person: str | None
    #: ``participant``, ``facilitator`` or ``unknown``.
    speaker: str
    #: The person's group code (``FG_GROUP_1``, ``AY_GEN_1`` …), "" when unknown.
    group: str

    @property
    def ref(self) -> tuple[str, int]:
        return (self.kind, self.id)

    @property
    def length(self) -> int:
        """Length in Unicode code points, the unit of coding offsets."""
        return len(self.text)


def parse_source_key(key: str) -> Source | None:
    """``transcript-3``, ``plan-2``, ``question-4-Q12`` → a bare :class:`Source`, else None."""
    match = _KEY.fullmatch(key or "")
    if match is None:
        return None
    if match["kind"]:
        return Source(kind=match["kind"], object_id=int(match["id"]))
    return Source(kind="question", object_id=int(match["survey"]), question_code=match["code"])


# -- The three kinds of units as SQL -----------------------------------------------------------


def _turn_select(lab, *columns):
    return (sa.select(*columns).select_from(Turn)
            .join(Transcript, Transcript.id == Turn.transcript_id)
            .join(FocusSession, FocusSession.id == Transcript.session_id)
            .outerjoin(Registration, Registration.id == Turn.registration_id)
            .where(FocusSession.lab_id == lab.id,
                   sa.or_(Turn.registration_id.is_(None), registration_exportable())))


def _dimension_answer(dimension: str):
    """The option the same response chose for the survey's question marked ``dimension``."""
    other, question = aliased(Answer), aliased(Question)
    return (sa.select(other.option_code)
            .join(question, sa.and_(question.survey_id == other.survey_id,
                                    question.code == other.question_code))
            .where(other.response_id == Response.id, question.dimension == dimension,
                   other.option_code.is_not(None))
            .order_by(other.id).limit(1).correlate(Response).scalar_subquery())


def _answer_select(lab, *columns):
    return (sa.select(*columns).select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .join(Survey, Survey.id == Answer.survey_id)
            .join(Question, sa.and_(Question.survey_id == Answer.survey_id,
                                    Question.code == Answer.question_code))
            .where(Survey.lab_id == lab.id, Answer.value_text.is_not(None), Answer.value_text != "",
                   # free text, or the words given with an "other" option (dates are not text)
                   sa.or_(Question.type.in_(TEXT_TYPES), Answer.option_code.is_not(None)),
                   response_exportable()))


def _comment_select(lab, *columns, plan_ids: list[int] | None = None):
    """Published comments (on ``plan_ids``, else on every plan of the lab) whose author
    agreed to research use of their comments on that plan."""
    plans = sa.select(Plan.id).where(Plan.lab_id == lab.id) if plan_ids is None else plan_ids
    return (sa.select(*columns).select_from(Comment)
            .where(Comment.status == CommentStatus.PUBLISHED, Comment.user_id.is_not(None),
                   Comment.plan_id.in_(plans), commenter_exportable(Comment.plan_id, Comment.user_id)))


_TURN_COLUMNS = (Turn.id, Turn.text, Turn.language, Turn.transcript_id, Turn.speaker_kind,
                 Registration.id.label("registration_id"), Registration.user_id,
                 Registration.guest_email, Registration.group_code)
_ANSWER_COLUMNS = (Answer.id, Answer.value_text,
                   sa.func.coalesce(Answer.text_language, Response.language).label("language"),
                   Answer.survey_id, Answer.question_code, Response.id.label("response_id"),
                   Response.user_id,
                   sa.func.coalesce(*(_dimension_answer(d) for d in GROUP_DIMENSIONS)).label("group_code"))
_COMMENT_COLUMNS = (Comment.id, Comment.body, Comment.language, Comment.plan_id, Comment.user_id)


def _text(value: str) -> str:
    """Line ends as one ``\\n``: a browser turns CR LF into LF when it shows the text, and
    passage offsets picked on the page must fit the text the server checks and exports."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


class _Builder:
    """Turns rows into units."""

    def __init__(self, lab):
        self.lab = lab

    def turn(self, row) -> Unit:
        if row.registration_id is None:
            person, speaker = None, "facilitator" if row.speaker_kind == "facilitator" else "unknown"
        elif row.user_id is not None:
            person, speaker = pseudonyms.person_id(self.lab.id, user_id=row.user_id), "participant"
        elif row.guest_email:
            person, speaker = pseudonyms.person_id(self.lab.id, email=row.guest_email), "participant"
        else:  # a walk-in known by name only: their words count, but link to no one
            person, speaker = None, "participant"
        return Unit(kind=UnitKind.TURN.value, id=row.id, text=_text(row.text), language=row.language,
                    source_key=f"transcript-{row.transcript_id}", person=person, speaker=speaker,
                    group=row.group_code or "")

    def answer(self, row) -> Unit:
        person = (pseudonyms.person_id(self.lab.id, user_id=row.user_id) if row.user_id is not None
                  else pseudonyms.response_id(row.response_id))
        return Unit(kind=UnitKind.ANSWER.value, id=row.id, text=_text(row.value_text), language=row.language,
                    source_key=f"question-{row.survey_id}-{row.question_code}", person=person,
                    speaker="participant", group=row.group_code or "")

    def comments(self, rows) -> list[Unit]:
        """Units of comment rows, the commenters' groups looked up together."""
        groups = groups_of((row.user_id for row in rows), self.lab)
        return [Unit(kind=UnitKind.COMMENT.value, id=row.id, text=_text(row.body), language=row.language,
                     source_key=f"plan-{row.plan_id}",
                     person=pseudonyms.person_id(self.lab.id, user_id=row.user_id),
                     speaker="participant", group=groups[row.user_id]) for row in rows]


# -- Sources --------------------------------------------------------------------------------------


def sources(lab) -> list[Source]:
    """Every source of the lab with the number of units that may be coded: transcripts,
    survey questions that take free text, plans. Six queries, whatever the size."""
    result = []
    turn_counts = dict(db.session.execute(
        _turn_select(lab, Turn.transcript_id, sa.func.count()).group_by(Turn.transcript_id)).all())
    for transcript, session in db.session.execute(
            sa.select(Transcript, FocusSession).join(FocusSession, FocusSession.id == Transcript.session_id)
            .where(FocusSession.lab_id == lab.id).order_by(FocusSession.starts_at, Transcript.id)):
        result.append(Source(kind="transcript", object_id=transcript.id, title=session.topic,
                             context={}, detail=transcript.filename, language=lab.default_language,
                             unit_count=turn_counts.get(transcript.id, 0)))
    answer_counts = {(survey_id, code): count for survey_id, code, count in db.session.execute(
        _answer_select(lab, Answer.survey_id, Answer.question_code, sa.func.count())
        .group_by(Answer.survey_id, Answer.question_code))}
    has_other = sa.exists().where(Option.question_id == Question.id, Option.kind == OptionKind.OTHER)
    for question, survey in db.session.execute(
            sa.select(Question, Survey).join(Survey, Survey.id == Question.survey_id)
            .where(Survey.lab_id == lab.id, sa.or_(Question.type.in_(TEXT_TYPES), has_other))
            .order_by(Survey.id, Question.section_id, Question.position, Question.id)):
        result.append(Source(kind="question", object_id=survey.id, question_code=question.code,
                             title=question.text, context=survey.title,
                             detail=f"{survey.slug} · {question.code}",
                             language=survey.default_language,
                             unit_count=answer_counts.get((survey.id, question.code), 0)))
    plans = list(db.session.scalars(sa.select(Plan).where(Plan.lab_id == lab.id).order_by(Plan.id)
                                    .options(lazyload(Plan.versions))))
    comment_counts = dict(db.session.execute(
        _comment_select(lab, Comment.plan_id, sa.func.count(), plan_ids=[p.id for p in plans])
        .group_by(Comment.plan_id)).all()) if plans else {}
    for plan in plans:
        result.append(Source(kind="plan", object_id=plan.id, title=plan.title, detail=plan.slug,
                             language=plan.official_language,
                             unit_count=comment_counts.get(plan.id, 0)))
    return result


def get_source(lab, key: str) -> Source | None:
    """The source named by ``key`` if it belongs to ``lab`` (with its title and count)."""
    wanted = parse_source_key(key)
    if wanted is None:
        return None
    return next((s for s in sources(lab) if s == wanted), None)


def _filter(query, source: Source):
    if source.kind == "transcript":
        return query.where(Turn.transcript_id == source.object_id)
    if source.kind == "question":
        return query.where(Answer.survey_id == source.object_id,
                           Answer.question_code == source.question_code)
    return query.where(Comment.plan_id == source.object_id)


def source_units(lab, source: Source, *, offset: int = 0, limit: int | None = None) -> list[Unit]:
    """The units of one source in reading order (a page of them with ``offset``/``limit``)."""
    build = _Builder(lab)
    if source.kind == "transcript":
        query = _turn_select(lab, *_TURN_COLUMNS).order_by(Turn.position, Turn.id)
    elif source.kind == "question":
        query = _answer_select(lab, *_ANSWER_COLUMNS).order_by(Response.id, Answer.id)
    else:
        query = _comment_select(lab, *_COMMENT_COLUMNS, plan_ids=[source.object_id]).order_by(Comment.id)
    query = _filter(query, source).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = db.session.execute(query).all()
    if source.kind == "plan":
        return build.comments(rows)
    return [(build.turn if source.kind == "transcript" else build.answer)(row) for row in rows]


def units_by_ref(lab, refs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Unit]:
    """The units among ``refs`` (kind, id) that belong to ``lab`` and may be used; at
    most one query per kind. Refs of another lab or of withdrawn people are absent."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, unit_id in refs:
        wanted[kind].add(unit_id)
    build, found = _Builder(lab), {}
    if wanted.get(UnitKind.TURN):
        for row in db.session.execute(_turn_select(lab, *_TURN_COLUMNS)
                                      .where(Turn.id.in_(wanted[UnitKind.TURN]))):
            found[(UnitKind.TURN.value, row.id)] = build.turn(row)
    if wanted.get(UnitKind.ANSWER):
        for row in db.session.execute(_answer_select(lab, *_ANSWER_COLUMNS)
                                      .where(Answer.id.in_(wanted[UnitKind.ANSWER]))):
            found[(UnitKind.ANSWER.value, row.id)] = build.answer(row)
    if wanted.get(UnitKind.COMMENT):
        rows = db.session.execute(_comment_select(lab, *_COMMENT_COLUMNS)
                                  .where(Comment.id.in_(wanted[UnitKind.COMMENT]))).all()
        for unit in build.comments(rows):
            found[(UnitKind.COMMENT.value, unit.id)] = unit
    return found


def get_unit(lab, kind: str, unit_id: int) -> Unit | None:
    """One unit of ``lab`` that may be coded, else None (unknown, another lab's, withdrawn)."""
    if kind not in {k.value for k in UnitKind}:
        return None
    return units_by_ref(lab, [(kind, unit_id)]).get((kind, unit_id))


def all_units(lab) -> Iterator[tuple[Source, list[Unit]]]:
    """Every source of the lab with all its units, for exports."""
    for source in sources(lab):
        yield source, source_units(lab, source)


# -- Groups -----------------------------------------------------------------------------------------


def group_labels(lab) -> dict[str, dict]:
    """Locale maps naming the group codes a lab's units can carry: the screening
    question's options and the options of its surveys' generation and origin questions."""
    labels = {option["code"]: option.get("label") or {}
              for question in screening.STANDARD for option in question["options"]}
    for definitions in db.session.scalars(sa.select(FocusSession.screening)
                                          .where(FocusSession.lab_id == lab.id)):
        for question in definitions or []:
            for option in question.get("options", []):
                labels.setdefault(option["code"], option.get("label") or {})
    for code, label in db.session.execute(
            sa.select(Option.code, Option.label).join(Question, Question.id == Option.question_id)
            .join(Survey, Survey.id == Question.survey_id)
            .where(Survey.lab_id == lab.id, Question.dimension.in_(GROUP_DIMENSIONS))):
        labels.setdefault(code, label or {})
    return labels
