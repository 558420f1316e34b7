"""Results pages computed once per state of a survey's responses, then kept up to date.

Counting a survey with 100,000 responses takes seconds even from the covering
index, while the page is viewed far more often than the responses change. So each
web process keeps the last :data:`SIZE` snapshots it computed
(:class:`cocreate.research.results.Snapshot`, raw counts before any disclosure
control), keyed by survey, questions, breakdown, filters and free-text questions,
with the state of the responses they were computed from:

- the number of responses, the highest id, and that response's submission key
  (SQLite may give a deleted last response's id to the next one; the key differs);
- the number of withdrawn consents in the whole ledger (read from a small partial
  index: withdrawals are rare, so any of them simply recomputes what is viewed next).

One statement reads the state on every view. The same state: the snapshot is
used as it is. Only new responses since (withdrawals the same, the responses up to
the snapshot's highest id still all there, the same last one): they alone are
counted and added — counts of disjoint sets of responses add up. Anything else (a
withdrawal, an erased response): the snapshot is computed again from scratch. A
snapshot is bounded by the highest id of its state, so a response submitted while
it is computed is never counted twice.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from cocreate.accounts.models import ConsentRecord
from cocreate.extensions import db
from cocreate.research import results
from cocreate.surveys.models import Response

#: Snapshots kept per process (each holds counts, not responses: tens of kilobytes).
SIZE = 64
#: Where the app keeps its cache (``app.extensions``).
EXTENSION = "cocreate.results_cache"


@dataclass(frozen=True)
class State:
    responses: int
    last_id: int | None
    last_key: str | None
    withdrawals: int


@dataclass(frozen=True)
class _Entry:
    state: State
    snapshot: results.Snapshot


class ResultsCache:
    """Snapshots by key, least recently used first out; safe for threads."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: _Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _cache() -> ResultsCache:
    return current_app.extensions.setdefault(EXTENSION, ResultsCache())


def _state(survey) -> State:
    mine = Response.survey_id == survey.id
    last = sa.select(Response.id, Response.submission_key).where(mine).order_by(Response.id.desc()).limit(1)
    row = db.session.execute(sa.select(
        sa.select(sa.func.count(Response.id)).where(mine).scalar_subquery(),
        last.with_only_columns(Response.id).scalar_subquery(),
        last.with_only_columns(Response.submission_key).scalar_subquery(),
        sa.select(sa.func.count()).select_from(ConsentRecord)
        .where(ConsentRecord.withdrawn_at.is_not(None)).scalar_subquery())).one()
    return State(*row)


def _only_added(survey, before: State, now: State) -> bool:
    """Were responses only added since ``before`` (nothing withdrawn or erased)?"""
    if before.last_id is None or now.withdrawals != before.withdrawals or now.responses <= before.responses:
        return False
    kept, key = db.session.execute(sa.select(
        sa.select(sa.func.count(Response.id))
        .where(Response.survey_id == survey.id, Response.id <= before.last_id).scalar_subquery(),
        sa.select(Response.submission_key).where(Response.id == before.last_id).scalar_subquery())).one()
    return kept == before.responses and key == before.last_key


def snapshot(survey, codes: list[str], *, filters=(), breakdown=None, text_codes=()) -> results.Snapshot:
    """:func:`cocreate.research.results.snapshot` of every response, from the cache when
    the responses are the same, else brought up to date or computed."""
    key = (survey.id, survey.created_at, tuple(codes), tuple(f.key for f in filters),
           breakdown.code if breakdown is not None else None, tuple(text_codes))
    now = _state(survey)
    cache = _cache()
    entry = cache.get(key)
    if entry is not None and entry.state == now:
        return entry.snapshot

    def compute(after=None):
        return results.snapshot(survey, codes, filters=filters, breakdown=breakdown, text_codes=text_codes,
                                after=after, upto=now.last_id)

    if entry is not None and _only_added(survey, entry.state, now):
        fresh = entry.snapshot.merged(compute(after=entry.state.last_id))
    else:
        fresh = compute()
    cache.put(key, _Entry(now, fresh))
    return fresh
