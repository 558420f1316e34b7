"""2,000 survey submissions while one gunicorn worker is killed (SIGKILL) mid-run.

The real final "Send my answers" POST of the demo survey, prepared as in
:mod:`bench.bench_submit`, at concurrency 32 against ``gunicorn --workers 2 --threads 4``.
When a third of the submissions are stored, one worker (a child of the gunicorn master)
gets SIGKILL; gunicorn starts a new one. Requests on the killed worker's connections
fail at the client: not acknowledged, which is allowed. Afterwards every request that
was not acknowledged is sent once more, unchanged (same cookie, CSRF token and
submission token).

Passed: every acknowledged submission (302 to the thank-you page) is stored, exactly
once (no submission key twice), stored equals the number of distinct acknowledged
tokens after the retries, no HTTP 5xx, a new worker replaced the killed one, and the
database is intact (:func:`reliability.common.integrity`). Connection errors are
reported separately (``connection_errors``); they are the killed worker's requests.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from bench.bench_submit import SERVER, _prepare, _ready_submissions, _server
from reliability import submissions
from reliability.common import alive, record, scratch_database, wait_until, workers

SCENARIO = "submit_kill_worker"
ENGINES = ("sqlite", "postgresql")
COUNT = 2000
CONCURRENCY = 32
TIME_CAP_S = 300
#: Kill a worker when this share of the submissions is stored.
KILL_AT = 1 / 3


def run(engine: str, workdir: Path) -> dict:
    with scratch_database(engine, workdir, SCENARIO) as url:
        app, survey_id, drafts = _prepare(url, COUNT)
        with _server(url, workdir / f"gunicorn-{SCENARIO}-{engine}.log") as (port, master):
            requests = _ready_submissions(port, drafts)
            before = workers(master)
            load = submissions.Load(port, requests, TIME_CAP_S, CONCURRENCY)
            reached = wait_until(lambda: load.finished
                                 or submissions.stored_count(url, survey_id) >= COUNT * KILL_AT,
                                 TIME_CAP_S, interval_s=0.1)
            victim = before[0] if before else None
            killed_after = submissions.stored_count(url, survey_id)
            killed = bool(reached and not load.finished and victim)
            if killed:
                os.kill(victim, signal.SIGKILL)
            first = load.result()
            replaced = wait_until(lambda: len(workers(master)) == len(before)
                                  and victim not in workers(master), 90, interval_s=0.2)
            after = workers(master)
            stored_before_retry = submissions.stored_count(url, survey_id)
            first_tally = submissions.tally(requests, first["results"])
            started = time.monotonic()
            _again, retry = submissions.retry_failed(port, requests, first_tally["failed"], TIME_CAP_S,
                                                     CONCURRENCY)
            retry_s = time.monotonic() - started
        result = submissions.outcome(app, url, survey_id, COUNT, first_tally, retry)
    acknowledged, stored, lost, duplicates, checks = (
        result["acknowledged"], result["stored"], result["lost"], result["duplicates"], result["integrity"])
    errors_5xx = first_tally["errors_5xx"] + retry["errors_5xx"]
    passed = (killed and not alive(victim) and replaced and lost == 0 and duplicates == 0
              and stored == len(acknowledged) and errors_5xx == 0 and checks["ok"])
    return record(
        SCENARIO, engine, acknowledged=len(acknowledged), stored=stored, lost=lost, duplicates=duplicates,
        errors_5xx=errors_5xx, passed=passed,
        connection_errors=first_tally["connection_errors"] + retry["connection_errors"],
        submissions=COUNT, concurrency=CONCURRENCY, server="gunicorn " + " ".join(SERVER),
        killed_worker=killed, killed_after_stored=killed_after, workers_before=before, workers_after=after,
        worker_replaced=replaced,
        first_pass=submissions.first_pass(first_tally, first),
        stored_before_retry=stored_before_retry,
        in_doubt_before_retry=stored_before_retry - len(first_tally["acknowledged"]),
        retried=len(first_tally["failed"]),
        retry={"acknowledged": len(retry["acknowledged"]), "statuses": retry["statuses"],
               "wall_s": round(retry_s, 2)},
        integrity=checks,
    )
