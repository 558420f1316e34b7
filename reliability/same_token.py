"""Ten parallel POSTs of one submission (same cookie, CSRF token and submission token)
against gunicorn: a double click, a retry and a back button at the same moment.

Passed: exactly one response stored, every answer a redirect (to the thank-you page,
or back to the review or survey page), none 5xx.
"""

from __future__ import annotations

from pathlib import Path

from bench.bench_submit import SERVER, _acknowledged, _drive, _prepare, _ready_submissions, _server, _stored
from reliability import submissions
from reliability.common import integrity, record, scratch_database

SCENARIO = "same_token"
ENGINES = ("sqlite", "postgresql")
PARALLEL = 10
TIME_CAP_S = 60


def run(engine: str, workdir: Path) -> dict:
    with scratch_database(engine, workdir, SCENARIO) as url:
        app, survey_id, drafts = _prepare(url, 1)
        with _server(url, workdir / f"gunicorn-{SCENARIO}-{engine}.log") as (port, _master):
            [submit] = _ready_submissions(port, drafts)
            # The driver starts its connections together (a barrier): ten at once.
            result = _drive(port, [submit] * PARALLEL, TIME_CAP_S, concurrency=PARALLEL)
        stored, repeated = _stored(app, survey_id)
        keys = submissions.stored_keys(url, survey_id)
        checks = integrity(url, survey_id, 1)
    outcome = submissions.tally([submit] * PARALLEL, result["results"])
    redirects = sum(1 for r in result["results"] if r is not None and r["status"] in (302, 303)
                    and r["location"].rstrip("/").endswith(("/thanks", "/review", "/samenleven-2026")))
    lost = submissions.lost(outcome["acknowledged"], keys)
    passed = (stored == 1 and repeated == 0 and redirects == PARALLEL and outcome["errors_5xx"] == 0
              and lost == 0 and checks["ok"])
    return record(
        SCENARIO, engine, acknowledged=len(outcome["acknowledged"]), stored=stored, lost=lost,
        duplicates=repeated, errors_5xx=outcome["errors_5xx"], passed=passed, parallel_posts=PARALLEL,
        acknowledged_answers=sum(1 for r in result["results"] if _acknowledged(r)), redirects=redirects,
        statuses=outcome["statuses"], connection_errors=outcome["connection_errors"],
        server="gunicorn " + " ".join(SERVER), integrity=checks,
    )
