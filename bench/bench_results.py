"""The results page of a large survey, against the raw SQL it needs.

The page measured is the staff results page with every question and one
breakdown (``?by=AY_BIRTH``) of a survey with 100,000 responses (10,000 quick),
rendered through the Flask test client as a researcher (every count, the free
texts) and as an official (disclosure control on). Two views of each:

- **uncached**: the results cache emptied first, so the page counts everything
  (:mod:`cocreate.research.results_cache`);
- **cached**: the page viewed again with the responses unchanged, as most views are.

The baseline is what the page's data costs straight from the database: the
statements of an uncached render, captured with a ``before_cursor_execute``
listener, re-run with their parameters on a plain ``sqlite3`` connection (every
row fetched). The ratio of the uncached page to it is the cost of the app around
the SQL; the cached page shows what the cache saves. Each time is the best of a
few renders.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench.common import best_of, metric
from bench.generate import OFFICIAL, RESEARCHER, bench_app, signed_in_client, statements, survey_dataset
from cocreate.research import results_cache

BREAKDOWN = "AY_BIRTH"
REPEAT = 3
TARGET = "≤ 2× the raw SQL and < 1 s"


def replay(path: Path, captured: list[tuple[str, tuple]]) -> None:
    """Run the captured statements again, fetching every row, in a transaction rolled back
    at the end (a page view may touch its login session)."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN")
        for statement, parameters in captured:
            if statement.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"):
                connection.execute(statement, parameters).fetchall()
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def run(quick: bool, workdir: Path) -> list[dict]:
    data = survey_dataset(workdir, 10_000 if quick else 100_000)
    app = bench_app(data.uri)
    return [record for role, email in (("researcher", RESEARCHER), ("official", OFFICIAL))
            for record in _measure(app, data, role, email)]


def _measure(app, data, role: str, email: str) -> list[dict]:
    client = signed_in_client(app, email)
    url = f"{data.results_url}?by={BREAKDOWN}"

    def view():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    def uncached():
        app.extensions[results_cache.EXTENSION] = results_cache.ResultsCache()
        return view()

    size = len(uncached().data)  # templates compiled, translations loaded
    with statements(app) as captured:
        uncached()
    raw = best_of(REPEAT, lambda: replay(data.path, captured))
    first = best_of(REPEAT, uncached)
    view()
    again = best_of(REPEAT + 2, view)
    common = dict(responses=data.responses, breakdown=BREAKDOWN, statements=len(captured), page_bytes=size)
    return [metric(f"results_page_{role}_uncached", first, "s", baseline=raw, target=TARGET,
                   met=first <= 2 * raw and first < 1, **common),
            metric(f"results_page_{role}_cached", again, "s", baseline=raw, target=TARGET,
                   met=again <= 2 * raw and again < 1, **common)]
