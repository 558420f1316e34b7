"""Surveys: instrument (sections, questions, options), drafts, responses, answers.

Answers are stored long — one row per answer with the question code and the
option code — so results and exports are GROUP BY queries. Codes are stable:
labels may change in any language without touching stored data.
Unsubmitted work lives in :class:`ResponseDraft`, apart from responses, and is
never counted.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cocreate.core.base import ContentLanguagesMixin, TimestampMixin, utcnow
from cocreate.extensions import db


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


TRANSITIONS = {
    SurveyStatus.DRAFT: frozenset({SurveyStatus.SCHEDULED, SurveyStatus.OPEN}),
    SurveyStatus.SCHEDULED: frozenset({SurveyStatus.DRAFT, SurveyStatus.OPEN}),
    SurveyStatus.OPEN: frozenset({SurveyStatus.CLOSED}),
    SurveyStatus.CLOSED: frozenset({SurveyStatus.OPEN}),
}


class SurveyMode(enum.StrEnum):
    ANONYMOUS = "anonymous"
    IDENTIFIED = "identified"


class QuestionType(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    LIKERT = "likert"
    SCALE = "scale"
    NUMBER = "number"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    DATE = "date"
    RANKING = "ranking"
    MATRIX = "matrix"


#: Types whose answers are chosen from the question's options.
CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.RANKING})


class OptionKind(enum.StrEnum):
    CHOICE = "choice"
    OTHER = "other"
    PREFER_NOT = "prefer_not"
    ROW = "row"


class IllegalTransition(Exception):
    pass


def _values(enum_cls) -> str:
    return ", ".join(f"'{v.value}'" for v in enum_cls)


class Survey(ContentLanguagesMixin, TimestampMixin, db.Model):
    __tablename__ = "survey"
    __table_args__ = (
        sa.UniqueConstraint("lab_id", "slug"),
        sa.CheckConstraint(f"status IN ({_values(SurveyStatus)})", name="status_known"),
        sa.CheckConstraint(f"mode IN ({_values(SurveyMode)})", name="mode_known"),
        sa.CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at",
                           name="closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(sa.ForeignKey("lab.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_template.id", ondelete="SET NULL"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[dict] = mapped_column(default=dict)
    intro: Mapped[dict] = mapped_column(default=dict)
    thanks: Mapped[dict] = mapped_column(default=dict)
    #: What people agree to, per language; its version goes into the consent ledger.
    consent_text: Mapped[dict] = mapped_column(default=dict)
    consent_version: Mapped[int] = mapped_column(default=1)
    #: Raised by every change to the survey, its sections, questions or options (see
    #: :mod:`cocreate.surveys.instrument`): the key of the per-process instrument copy.
    instrument_version: Mapped[int] = mapped_column(default=1, server_default="1")
    mode: Mapped[str] = mapped_column(sa.String(16), default=SurveyMode.ANONYMOUS)
    #: Only people with a one-time invitation link may answer.
    invitation_only: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(16), default=SurveyStatus.DRAFT)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    default_language: Mapped[str] = mapped_column(sa.String(16))
    languages: Mapped[list] = mapped_column(default=list)
    #: When an official made the (disclosure-controlled) results public; None: not public.
    results_published_at: Mapped[datetime | None]

    lab = relationship("Lab", lazy="joined")
    sections: Mapped[list[Section]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="Section.position",
        lazy="selectin")
    #: Loaded when first used (not with the survey): the answering rules walk
    #: ``sections`` → ``questions``, and loading the same questions and options a
    #: second time through this list doubled the cost of every answer page and submit.
    questions: Mapped[list[Question]] = relationship(
        back_populates="survey", cascade="all, delete-orphan",
        order_by="(Question.section_id, Question.position)",
        overlaps="section,questions")

    @property
    def state(self) -> SurveyStatus:
        return SurveyStatus(self.status)

    @property
    def is_anonymous(self) -> bool:
        return self.mode == SurveyMode.ANONYMOUS

    def move_to(self, target: SurveyStatus) -> None:
        if target not in TRANSITIONS[self.state]:
            raise IllegalTransition(f"{self.state} → {target}")
        self.status = target

    def is_accepting(self, now: datetime | None = None) -> bool:
        """Open, and inside its dates (also when the scheduler is late)."""
        now = now or utcnow()
        return (self.state is SurveyStatus.OPEN
                and (self.opens_at is None or self.opens_at <= now)
                and (self.closes_at is None or now < self.closes_at))

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)


class Section(db.Model):
    __tablename__ = "survey_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"),
                                           index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[dict] = mapped_column(default=dict)
    #: ``{"question": "Q3", "options": ["Q3_1"]}``: shown only for those answers.
    condition: Mapped[dict | None] = mapped_column(nullable=True)

    survey: Mapped[Survey] = relationship(back_populates="sections")
    questions: Mapped[list[Question]] = relationship(
        back_populates="section", order_by="Question.position", lazy="selectin",
        overlaps="questions")


class Question(db.Model):
    __tablename__ = "survey_question"
    __table_args__ = (
        sa.UniqueConstraint("survey_id", "code"),
        sa.CheckConstraint(f"type IN ({_values(QuestionType)})", name="type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"),
                                           index=True)
    section_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_section.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(sa.String(32))
    type: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[dict] = mapped_column(default=dict)
    help: Mapped[dict] = mapped_column(default=dict)
    required: Mapped[bool] = mapped_column(default=False)
    #: Retired questions stay (their answers too) but are no longer asked.
    is_hidden: Mapped[bool] = mapped_column(default=False)
    #: Type-specific settings: min/max choices, points, end labels, number range …
    settings: Mapped[dict] = mapped_column(default=dict)
    condition: Mapped[dict | None] = mapped_column(nullable=True)
    #: Marks a breakdown dimension for results (``origin``, ``age`` …).
    dimension: Mapped[str | None] = mapped_column(sa.String(32))

    survey: Mapped[Survey] = relationship(back_populates="questions", overlaps="questions")
    section: Mapped[Section] = relationship(back_populates="questions", overlaps="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="Option.position",
        lazy="selectin")

    @property
    def kind(self) -> QuestionType:
        return QuestionType(self.type)

    def choices(self, include_hidden: bool = False) -> list[Option]:
        return [o for o in self.options if o.kind in (OptionKind.CHOICE, OptionKind.OTHER)
                and (include_hidden or not o.is_hidden)]

    def rows(self) -> list[Option]:
        return [o for o in self.options if o.kind == OptionKind.ROW and not o.is_hidden]

    @property
    def prefer_not(self) -> Option | None:
        return next((o for o in self.options
                     if o.kind == OptionKind.PREFER_NOT and not o.is_hidden), None)

    @property
    def other(self) -> Option | None:
        return next((o for o in self.options if o.kind == OptionKind.OTHER and not o.is_hidden),
                    None)

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)

    def scale(self) -> list[int]:
        """The points of a Likert, 0–10 or matrix question."""
        if self.kind is QuestionType.SCALE:
            return list(range(0, 11))
        return list(range(1, int(self.settings.get("points", 5)) + 1))


class Option(db.Model):
    __tablename__ = "survey_option"
    __table_args__ = (
        sa.UniqueConstraint("question_id", "code"),
        sa.CheckConstraint(f"kind IN ({_values(OptionKind)})", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_question.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(sa.String(48))
    kind: Mapped[str] = mapped_column(sa.String(16), default=OptionKind.CHOICE)
    label: Mapped[dict] = mapped_column(default=dict)
    is_hidden: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="options")


class ResponseDraft(db.Model):
    """Work in progress, resumable by code; never counted, purged when stale."""

    __tablename__ = "survey_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"),
                                           index=True)
    #: SHA-256 of the resume code (the code itself is only shown to the person).
    resume_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: Identified surveys only: the signed-in person.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                                index=True)
    language: Mapped[str] = mapped_column(sa.String(16))
    #: Sent back with the final page; its hash becomes the response's submission key.
    submission_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    page: Mapped[int] = mapped_column(default=0)
    answers: Mapped[dict] = mapped_column(default=dict)
    consent: Mapped[dict] = mapped_column(default=dict)
    is_assisted: Mapped[bool] = mapped_column(default=False)
    assisted_language: Mapped[str | None] = mapped_column(sa.String(16))
    #: The invitation being used; it is marked used at submission (the draft then goes).
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_invitation.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)


class Response(db.Model):
    """A submitted response. Anonymous ones hold no user, token, IP, agent or exact time."""

    __tablename__ = "survey_response"
    #: One response per identified person (NULL user ids never collide).
    __table_args__ = (sa.UniqueConstraint("survey_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"),
                                           index=True)
    #: SHA-256 of the one-time submission token: a retry or double click finds it here.
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"),
                                                index=True)
    language: Mapped[str] = mapped_column(sa.String(16))
    #: Exact for identified responses, midnight UTC of the day for anonymous ones.
    submitted_at: Mapped[datetime]
    is_assisted: Mapped[bool] = mapped_column(default=False)
    assisted_language: Mapped[str | None] = mapped_column(sa.String(16))
    consent_version: Mapped[int] = mapped_column(default=1)
    consent_scopes: Mapped[list] = mapped_column(default=list)
    #: Identified surveys only; an anonymous response is never linked to its invitation.
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_invitation.id", ondelete="SET NULL"), unique=True)

    answers: Mapped[list[Answer]] = relationship(back_populates="response",
                                                 cascade="all, delete-orphan")


class Answer(db.Model):
    __tablename__ = "survey_answer"
    #: Covers every column results count, in the order they group by, so counting a
    #: survey reads this index alone, in order, without sorting; its prefix finds the
    #: people who chose an option (filters, breakdown groups).
    __table_args__ = (
        sa.Index("ix_survey_answer_counts", "survey_id", "question_code", "option_code", "item_code",
                 "value_number", "response_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_response.id", ondelete="CASCADE"), index=True)
    question_code: Mapped[str] = mapped_column(sa.String(32))
    #: Matrix row code (``Q9_r2``), else empty.
    item_code: Mapped[str | None] = mapped_column(sa.String(48))
    option_code: Mapped[str | None] = mapped_column(sa.String(48))
    value_number: Mapped[float | None] = mapped_column(sa.Numeric(18, 6))
    value_text: Mapped[str | None] = mapped_column(sa.Text)
    #: The language free text was written in (never translated in place).
    text_language: Mapped[str | None] = mapped_column(sa.String(16))

    response: Mapped[Response] = relationship(back_populates="answers")


class SurveyInvitation(db.Model):
    """A one-time link to answer a survey. Only its hash is kept; no address."""

    __tablename__ = "survey_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"),
                                           index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class SurveyTemplate(db.Model):
    """A reusable instrument (same codes everywhere), e.g. the "About you" block."""

    __tablename__ = "survey_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: None: in the shared library for every municipality.
    municipality_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    title: Mapped[dict] = mapped_column(default=dict)
    is_block: Mapped[bool] = mapped_column(default=False)
    definition: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
