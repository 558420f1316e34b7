"""Submitting the demo survey under faults: load in the background, outcomes, retries.

The submissions are bench_submit's: one ready draft per virtual person, its review
page fetched over HTTP for the cookie, CSRF token and one-time submission token, then
the real final POST, sent by the separate driver process (:mod:`bench.submit_driver`).
"""

from __future__ import annotations

import threading
from collections import Counter
from urllib.parse import parse_qs

import sqlalchemy as sa

from bench.bench_submit import _acknowledged, _drive, _stored
from reliability.common import integrity, plain_engine


class Load:
    """:func:`bench.bench_submit._drive` in a thread, so the caller can act meanwhile."""

    def __init__(self, port: int, requests: list[dict], time_cap_s: float, concurrency: int):
        self.time_cap_s = time_cap_s
        self._outcome: dict = {}
        self._thread = threading.Thread(target=self._run, args=(port, requests, time_cap_s, concurrency),
                                        daemon=True)
        self._thread.start()

    def _run(self, port, requests, time_cap_s, concurrency) -> None:
        try:
            self._outcome["result"] = _drive(port, requests, time_cap_s, concurrency=concurrency)
        except Exception as error:  # reported by result()
            self._outcome["error"] = error

    @property
    def finished(self) -> bool:
        return not self._thread.is_alive()

    def result(self) -> dict:
        """The driver's result; waits at most as long as the driver itself may take."""
        self._thread.join(timeout=self.time_cap_s + 180)
        if self._thread.is_alive():
            raise RuntimeError("the load driver did not finish in time")
        if "error" in self._outcome:
            raise self._outcome["error"]
        return self._outcome["result"]


def token(request: dict) -> str:
    return parse_qs(request["body"])["submission_token"][0]


def label(result: dict | None) -> str:
    """What a request got: ``302 thanks``, ``302 review``, ``503``, ``connection error …``."""
    if result is None:
        return "not sent"
    if result["status"] == 0:
        return "connection error " + result.get("error", "").split("(", 1)[0]
    if result["status"] in (301, 302, 303):
        return f"{result['status']} {result.get('location', '').rstrip('/').rsplit('/', 1)[-1]}"
    return str(result["status"])


def tally(requests: list[dict], results: list[dict | None]) -> dict:
    """Acknowledged tokens, statuses seen, 5xx answers, connection errors and the
    indexes of the requests that were not acknowledged."""
    statuses = Counter(label(r) for r in results)
    return {
        "acknowledged": {token(q) for q, r in zip(requests, results, strict=True) if _acknowledged(r)},
        "statuses": dict(statuses),
        "errors_5xx": sum(1 for r in results if r is not None and r["status"] >= 500),
        "status_503": sum(1 for r in results if r is not None and r["status"] == 503),
        "connection_errors": sum(1 for r in results if r is not None and r["status"] == 0),
        "not_sent": sum(1 for r in results if r is None),
        "failed": [i for i, r in enumerate(results) if not _acknowledged(r)],
    }


def retry_failed(port: int, requests: list[dict], failed: list[int], time_cap_s: float,
                 concurrency: int) -> tuple[list[dict], dict]:
    """Send each failed request once more, unchanged (same cookie, CSRF and submission
    token), as a person pressing the button again would."""
    again = [requests[i] for i in failed]
    if not again:
        return again, tally([], [])
    result = _drive(port, again, time_cap_s, concurrency=min(concurrency, len(again)))
    return again, tally(again, result["results"])


def stored_keys(url: str, survey_id: int) -> Counter:
    """Stored responses of the survey per submission key."""
    engine = plain_engine(url)
    try:
        with engine.connect() as connection:
            return Counter(dict(connection.execute(sa.text(
                "SELECT submission_key, count(*) FROM survey_response WHERE survey_id = :survey "
                "GROUP BY submission_key"), {"survey": survey_id}).all()))
    finally:
        engine.dispose()


def stored_count(url: str, survey_id: int) -> int:
    engine = plain_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM survey_response WHERE survey_id = :survey"),
                                      {"survey": survey_id}).scalar()
    finally:
        engine.dispose()


def lost(acknowledged: set[str], keys: Counter) -> int:
    """Acknowledged submissions whose response is not stored."""
    from cocreate.surveys.service import _hash

    return sum(1 for t in acknowledged if _hash(t) not in keys)


def outcome(app, url: str, survey_id: int, prepared: int, *tallies: dict) -> dict:
    """What was stored, held against what the passes (``tallies``) acknowledged:
    ``acknowledged`` (the distinct tokens), ``stored``, ``lost``, ``duplicates`` (a key
    stored twice) and ``integrity`` of the database after ``prepared`` drafts."""
    stored, repeated = _stored(app, survey_id)
    keys = stored_keys(url, survey_id)
    acknowledged = set().union(*(t["acknowledged"] for t in tallies))
    return {"acknowledged": acknowledged, "stored": stored, "lost": lost(acknowledged, keys),
            "duplicates": max(repeated, sum(n - 1 for n in keys.values())),
            "integrity": integrity(url, survey_id, prepared)}


def first_pass(first_tally: dict, result: dict) -> dict:
    """The summary of the first pass for the JSON record."""
    return {"acknowledged": len(first_tally["acknowledged"]), "statuses": first_tally["statuses"],
            "not_sent": first_tally["not_sent"], "wall_s": round(result["wall_s"], 2)}
