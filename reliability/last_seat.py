"""Fifty people take the last free seat of a focus-group session at the same moment.

:func:`bench.bench_race._race` with one free seat: a session of 12 places with 11
confirmed; 50 threads, each with its own app and request context and database
connection, wait at a barrier and register as guests
(:func:`cocreate.focusgroups.service.register`), then commit.

Passed: exactly 1 confirmed and 49 on the waiting list — in the answers and in the
database — and no error. No HTTP is involved: ``errors_5xx`` is null and
``errors`` counts registrations that raised (a 500 over HTTP).
"""

from __future__ import annotations

from pathlib import Path

from bench.bench_race import _race
from reliability.common import record, scratch_database

SCENARIO = "last_seat"
ENGINES = ("sqlite", "postgresql")
PEOPLE = 50
CAPACITY = 12
TAKEN = 11


def run(engine: str, workdir: Path) -> dict:
    with scratch_database(engine, workdir, SCENARIO) as url:
        result = _race(engine, url, capacity=CAPACITY, taken=TAKEN, people=PEOPLE)
    answered, stored = result["answered"], result["stored"]
    places = {"confirmed", "waitlisted"}
    acknowledged = sum(n for status, n in answered.items() if status in places)
    new_rows = sum(stored.values()) - TAKEN
    return record(
        SCENARIO, engine, acknowledged=acknowledged, stored=new_rows, lost=max(0, acknowledged - new_rows),
        # A seat given twice: more confirmed than places.
        duplicates=max(0, stored.get("confirmed", 0) - CAPACITY), errors_5xx=None, passed=result["met"],
        errors=sum(n for status, n in answered.items() if status not in places),
        people=PEOPLE, capacity=CAPACITY, taken_before=TAKEN, answered=answered, stored_by_status=stored,
        race_s=result["value"], one_by_one_s=result["baseline"],
    )
