"""A read-only copy of a survey's instrument (sections, questions, options), per process.

Checking a submission walks every section, question and option — on the busiest path
of a survey that just went out in a newsletter, that was about half of the work of a
submit, and on SQLite it was done while holding the write lock. The instrument only
changes when someone edits the survey, so each web process keeps a copy:

* every change to a section, question or option (or to the survey row) raises
  ``Survey.instrument_version`` in the same flush (:func:`_bump_versions`), whatever
  code path made it;
* :func:`instrument_of` looks the copy up by survey id *and* version, which the
  request reads with the survey row itself — so a stale copy is never used, also when
  another process made the change.

The copy is a detached ``Survey`` with its collections loaded in a session of its
own: the answer rules (:mod:`cocreate.surveys.answers`) use it like the real one.
Only read it; never add it (or anything in it) to a session.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, selectinload

from cocreate.extensions import db
from cocreate.surveys.models import Option, Question, Section, Survey

_SIZE = 64
_copies: OrderedDict[tuple, Survey] = OrderedDict()
_lock = threading.Lock()


def instrument_of(survey: Survey) -> Survey:
    """The cached, detached instrument of ``survey`` at its current version."""
    # The creation time is in the key because SQLite may give a deleted survey's id
    # to the next new one.
    key = (str(db.engine.url), survey.id, survey.created_at, survey.instrument_version)
    with _lock:
        copy = _copies.get(key)
        if copy is not None:
            _copies.move_to_end(key)
            return copy
    copy = _load(survey.id)
    if copy.instrument_version != survey.instrument_version:
        # Changed between the two reads: use it for this request, cache nothing.
        return copy
    with _lock:
        _copies[key] = copy
        while len(_copies) > _SIZE:
            _copies.popitem(last=False)
    return copy


def clear() -> None:
    with _lock:
        _copies.clear()


def _load(survey_id: int) -> Survey:
    # A session of its own whose connection only reads: on SQLite, it does not wait
    # for the write lock this request may already hold. (Bound to a connection, as in
    # the tests, it reads inside that connection's transaction.)
    bind = db.session.get_bind()
    if isinstance(bind, sa.Engine):
        bind = bind.execution_options(read_only=True)
    with Session(bind) as session:
        copy = session.scalar(
            sa.select(Survey).where(Survey.id == survey_id).options(
                selectinload(Survey.sections).selectinload(Section.questions)
                .selectinload(Question.options),
                selectinload(Survey.questions)))
    # Leaving the block closes the session: the objects are detached, still loaded.
    return copy


@event.listens_for(Session, "before_flush")
def _bump_versions(session: Session, _flush_context, _instances) -> None:
    """Raise the instrument version of every survey whose instrument this flush changes."""
    changed: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Survey):
            if obj not in session.new and obj not in session.deleted \
                    and session.is_modified(obj):
                changed.add(obj.id)
        elif isinstance(obj, Section | Question | Option):
            if obj not in session.new and obj not in session.deleted \
                    and not session.is_modified(obj):
                continue
            survey_id = _survey_id(obj)
            if survey_id is not None:
                changed.add(survey_id)
    for survey_id in changed:
        survey = session.get(Survey, survey_id)
        if survey is not None and survey not in session.deleted:
            survey.instrument_version = (survey.instrument_version or 0) + 1


def _survey_id(obj) -> int | None:
    """The saved survey an instrument part belongs to (None for a survey not yet saved)."""
    if isinstance(obj, Option):
        question = obj.question
        return _survey_id(question) if question is not None else None
    if obj.survey_id is not None:
        return obj.survey_id
    parent = obj.survey if isinstance(obj, Section) else (obj.survey or obj.section)
    if isinstance(parent, Section):
        return _survey_id(parent)
    return parent.id if parent is not None else None
