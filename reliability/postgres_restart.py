"""Survey submissions while PostgreSQL is stopped and started again (PostgreSQL only).

400 submissions (prepared as in :mod:`bench.bench_submit`) at concurrency 8 against
``gunicorn --workers 2 --threads 4``. When a quarter are stored, the local cluster is
stopped (``pg_ctlcluster --skip-systemctl-redirect <version> main stop``), stays down
for a few seconds while ``/healthz`` is asked too, and is started again. Then every
submission that was not acknowledged is sent once more, unchanged. PostgreSQL is
started again whatever happens. Other users of the server are disturbed for those
seconds.

Passed: during the outage the app answers 503 (the translated "busy or under
maintenance" page: :mod:`cocreate.core.errors`), nothing else — no other 5xx, no
connection error; the same gunicorn master and workers (no restart) answer
``/healthz`` 200 and acknowledge a submission within 30 s after PostgreSQL is back;
every acknowledged submission is stored, once; stored equals the distinct acknowledged
tokens after the retries; the database is intact. ``errors_5xx`` counts 5xx answers
other than those 503s (and any 5xx after PostgreSQL was back).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.bench_submit import SERVER, _acknowledged, _drive, _prepare, _ready_submissions, _server
from reliability import submissions
from reliability.common import (
    alive,
    ensure_postgres,
    pg_ctlcluster,
    postgres_reachable,
    record,
    scratch_database,
    wait_until,
    workers,
)

SCENARIO = "postgres_restart"
ENGINES = ("postgresql",)
COUNT = 400
CONCURRENCY = 8
TIME_CAP_S = 120
#: Stop PostgreSQL when this share of the submissions is stored.
STOP_AT = 1 / 4
OUTAGE_S = 4
RECOVERY_CAP_S = 30


def run(engine: str, workdir: Path) -> dict:
    with scratch_database(engine, workdir, SCENARIO) as url:
        app, survey_id, drafts = _prepare(url, COUNT)
        with _server(url, workdir / f"gunicorn-{SCENARIO}-{engine}.log") as (port, master):
            requests = _ready_submissions(port, drafts)
            before = workers(master)
            load = submissions.Load(port, requests, TIME_CAP_S, CONCURRENCY)
            outage: dict = {}
            try:
                wait_until(lambda: load.finished or submissions.stored_count(url, survey_id) >= COUNT * STOP_AT,
                           TIME_CAP_S, interval_s=0.1)
                outage = _outage(port, load)
            finally:
                if not postgres_reachable():
                    ensure_postgres()
            back = time.monotonic()
            healthz_ok = wait_until(lambda: _healthz(port) == 200, RECOVERY_CAP_S, interval_s=0.2)
            healthz_s = time.monotonic() - back
            first = load.result()
            first_tally = submissions.tally(requests, first["results"])
            accepted_s, retry = _retry(port, requests, first_tally["failed"], back)
            same_server = alive(master) and workers(master) == before
            after = workers(master)
        result = submissions.outcome(app, url, survey_id, COUNT, first_tally, retry)
    acknowledged, stored, lost, duplicates, checks = (
        result["acknowledged"], result["stored"], result["lost"], result["duplicates"], result["integrity"])
    other_5xx = first_tally["errors_5xx"] - first_tally["status_503"]
    errors_5xx = other_5xx + retry["errors_5xx"]
    outage_503 = first_tally["status_503"] + outage.get("healthz", {}).get("503", 0)
    passed = (outage.get("stopped") and outage.get("started") and outage_503 > 0
              and set(first_tally["statuses"]) <= {"302 thanks", "503"} and errors_5xx == 0
              and first_tally["connection_errors"] + retry["connection_errors"] == 0
              and same_server and healthz_ok and accepted_s is not None and accepted_s <= RECOVERY_CAP_S
              and lost == 0 and duplicates == 0 and stored == len(acknowledged) and checks["ok"])
    return record(
        SCENARIO, engine, acknowledged=len(acknowledged), stored=stored, lost=lost, duplicates=duplicates,
        errors_5xx=errors_5xx, passed=passed, submissions=COUNT, concurrency=CONCURRENCY,
        server="gunicorn " + " ".join(SERVER), outage=outage, responses_503=first_tally["status_503"],
        connection_errors=first_tally["connection_errors"] + retry["connection_errors"],
        first_pass=submissions.first_pass(first_tally, first),
        healthz_200_after_s=round(healthz_s, 2) if healthz_ok else None,
        submission_accepted_after_s=None if accepted_s is None else round(accepted_s, 2),
        same_gunicorn=same_server, workers_before=before, workers_after=after,
        retried=len(first_tally["failed"]),
        retry={"acknowledged": len(retry["acknowledged"]), "statuses": retry["statuses"]},
        integrity=checks,
    )


def _outage(port: int, load: submissions.Load) -> dict:
    """Stop PostgreSQL, ask /healthz for OUTAGE_S seconds, start it again."""
    submissions_running = not load.finished
    started_at = time.monotonic()
    stop = pg_ctlcluster("stop")
    stopped_s = time.monotonic() - started_at
    healthz: dict[str, int] = {}
    deadline = time.monotonic() + OUTAGE_S
    while time.monotonic() < deadline:
        status = str(_healthz(port))
        healthz[status] = healthz.get(status, 0) + 1
        time.sleep(0.2)
    start = pg_ctlcluster("start")
    back = wait_until(postgres_reachable, 60, interval_s=0.2)
    return {"stopped": stop.returncode == 0, "started": start.returncode == 0 and back,
            "stop_took_s": round(stopped_s, 2), "down_s": round(time.monotonic() - started_at, 2),
            "submissions_running_at_stop": submissions_running, "healthz": healthz,
            **({"stop_error": stop.stderr[-500:]} if stop.returncode else {}),
            **({"start_error": start.stderr[-500:]} if start.returncode else {})}


def _retry(port: int, requests: list[dict], failed: list[int], back: float) -> tuple[float | None, dict]:
    """Send each failed submission once more: one at a time until one is acknowledged
    (the time from PostgreSQL being back to then is returned), then the rest together."""
    accepted_s = None
    sent: list[int] = []
    results: list[dict | None] = []
    for index in failed:
        if accepted_s is not None or time.monotonic() - back > RECOVERY_CAP_S:
            break
        result = _drive(port, [requests[index]], RECOVERY_CAP_S, concurrency=1)["results"][0]
        sent.append(index)
        results.append(result)
        if _acknowledged(result):
            accepted_s = time.monotonic() - back
        else:
            time.sleep(0.5)
    rest = [i for i in failed if i not in set(sent)]
    if rest:
        results += _drive(port, [requests[i] for i in rest], TIME_CAP_S,
                          concurrency=min(CONCURRENCY, len(rest)))["results"]
        sent += rest
    return accepted_s, submissions.tally([requests[i] for i in sent], results)


def _healthz(port: int) -> int:
    """The status of ``GET /healthz`` (0 when there was no answer)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0
