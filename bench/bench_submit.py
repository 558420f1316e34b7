"""Survey submission throughput under gunicorn, on SQLite and on PostgreSQL.

What is measured: the real final "Send my answers" POST of the demo survey *Samen leven
in Ninove* (20 questions and the About-you block) — CSRF check, draft lookup by the
resume code in the session, validation of every answer, the response, its answer rows
and consent rows inserted and the draft deleted in one transaction, then the redirect
to the thank-you page. The server is ``gunicorn --workers 2 --threads 4 wsgi:app`` on
127.0.0.1 with a scratch database; the load comes from a separate process
(:mod:`bench.submit_driver`) with 16 keep-alive connections.

Only the submits are timed. Before that, one ready draft per submission is created
through :func:`cocreate.surveys.service.start_draft` with answers like the demo's, and
each virtual person gets the session cookie a browser would hold (the draft's resume
code, signed with the server's key) and fetches the review page over HTTP, which gives
the CSRF token, the one-time submission token and the updated cookie — as a browser
has them when the person presses the button.

Baseline: ``/healthz`` (one ``SELECT 1``) on the same server, same driver, same
concurrency, as many requests as submissions, half just before and half just after
the submits (so a change in what else runs on the machine touches both). Targets (issue "Performance"): submissions/s at
least 30% of the baseline's requests/s, p95 under 100 ms — and every acknowledged
submission stored exactly once (rows counted afterwards).

Besides submissions/s and p50/p95/p99, each record has ``web_cpu_ms_per_request``
(CPU of the gunicorn processes per request, also for the baseline), the acknowledged
and stored counts, ``errors``, ``failures`` (by status) and ``duplicates``.

The submit rate limit is lifted for the run (``COCREATE_RATELIMIT_SURVEY_SUBMIT``, in
the records): all load comes from one address.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from bench.common import ROOT, metric, percentile

CONCURRENCY = 16
SERVER = ["--workers", "2", "--threads", "4"]
SUBMIT_LIMIT = "1000000 per hour"
SURVEY_PATH = "/{lang}/m/ninove/labs/samen-leven-ninove/surveys/samenleven-2026"
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRETS = {"SECRET_KEY": "bench-submit-secret", "PSEUDONYM_KEY": "bench-submit-pseudonym"}
#: Preparing (the review pages) is not timed, but bounded too.
PREPARE_CAP_S = 600
THROUGHPUT_TARGET = 0.30
P95_TARGET_MS = 100.0


def run(quick: bool, workdir: Path) -> list[dict]:
    count = 500 if quick else 2000
    time_cap_s = 60 if quick else 180
    records = []
    for engine in ("sqlite", "postgresql"):
        with _scratch_database(engine, workdir) as url:
            if url is None:
                print(f"submit: PostgreSQL not reachable at {POSTGRES_ADMIN_URL}; skipped",
                      file=sys.stderr)
                continue
            records += _measure(engine, url, count, time_cap_s, workdir)
    return records


def _measure(engine: str, url: str, count: int, time_cap_s: float, workdir: Path) -> list[dict]:
    app, survey_id, drafts = _prepare(url, count)
    before, _ = _stored(app, survey_id)
    with _server(url, workdir / f"gunicorn-{engine}.log") as (port, pid):
        submits = _ready_submissions(port, drafts)
        healthz = [{"method": "GET", "path": "/healthz"}] * (count // 2)
        first_half, first_cpu_s = _timed(pid, port, healthz, time_cap_s)
        result, cpu_s = _timed(pid, port, submits, time_cap_s)
        second_half, second_cpu_s = _timed(pid, port, healthz, time_cap_s)
    baseline = {key: first_half[key] + second_half[key] for key in ("wall_s", "sent", "results")}
    baseline_cpu_s = first_cpu_s + second_cpu_s
    after, duplicates = _stored(app, survey_id)
    stored = after - before

    acknowledged = [r for r in result["results"] if _acknowledged(r)]
    failures = Counter("not sent" if r is None else
                       f"{r['status']} {r.get('location', '').rsplit('/', 1)[-1] or r.get('error', '')}"
                       for r in result["results"] if not _acknowledged(r))
    latencies_ms = [r["latency_s"] * 1000 for r in result["results"] if r is not None]
    baseline_ms = [r["latency_s"] * 1000 for r in baseline["results"] if r is not None]
    healthz_ok = sum(r is not None and r["status"] == 200 for r in baseline["results"])
    rate = len(acknowledged) / result["wall_s"] if result["wall_s"] else 0.0
    baseline_rate = healthz_ok / baseline["wall_s"] if baseline["wall_s"] else 0.0
    p95 = percentile(latencies_ms, 95)
    intact = len(acknowledged) == count == stored and duplicates == 0
    extra = dict(
        engine=engine, server="gunicorn " + " ".join(SERVER), concurrency=CONCURRENCY,
        submissions=count, sent=result["sent"], acknowledged=len(acknowledged), stored=stored,
        errors=count - len(acknowledged), failures=dict(failures), duplicates=duplicates,
        p50_ms=round(percentile(latencies_ms, 50), 1), p95_ms=round(p95, 1),
        p99_ms=round(percentile(latencies_ms, 99), 1), wall_s=round(result["wall_s"], 2),
        web_cpu_ms_per_request=round(cpu_s / max(result["sent"], 1) * 1000, 2),
        baseline_requests=healthz_ok, baseline_wall_s=round(baseline["wall_s"], 2),
        baseline_p50_ms=round(percentile(baseline_ms, 50), 1),
        baseline_p95_ms=round(percentile(baseline_ms, 95), 1),
        baseline_web_cpu_ms_per_request=round(baseline_cpu_s / max(baseline["sent"], 1) * 1000, 2),
        env={"COCREATE_RATELIMIT_SURVEY_SUBMIT": SUBMIT_LIMIT,
             "COCREATE_SESSION_COOKIE_SECURE": "0"},
    )
    return [
        metric(f"submit_throughput_{engine}", rate, "submissions/s", baseline=baseline_rate,
               target=f">= {THROUGHPUT_TARGET:.0%} of /healthz requests/s, each submission "
                      "stored once",
               met=bool(baseline_rate) and rate / baseline_rate >= THROUGHPUT_TARGET and intact,
               **extra),
        metric(f"submit_p95_{engine}", p95, "ms", baseline=extra["baseline_p95_ms"],
               target=f"p95 < {P95_TARGET_MS:.0f} ms", met=p95 < P95_TARGET_MS and intact,
               **extra),
    ]


def _acknowledged(result: dict | None) -> bool:
    """The server said "stored": a redirect to the thank-you page."""
    return result is not None and result["status"] == 302 and result["location"].endswith("/thanks")


# -- Preparation (not timed) -------------------------------------------------------


def _prepare(url: str, count: int):
    """Schema, demo data and ``count`` complete drafts; returns the app (for counting
    afterwards), the survey id and per draft its URL language and session cookie."""
    import sqlalchemy as sa

    from cocreate import create_app
    from cocreate.extensions import db
    from cocreate.surveys import service
    from cocreate.surveys.models import Survey
    from seeds import run_demo
    from seeds.surveys import _generate as demo_answers  # the same mix as the demo's responses

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **SECRETS})
    logging.getLogger().setLevel(logging.WARNING)  # create_app logs at INFO; keep stderr readable
    rng = random.Random(2026)
    serializer = app.session_interface.get_signing_serializer(app)
    drafts = []
    with app.app_context():
        db.create_all()
        run_demo(responses=0)
        survey = db.session.scalar(sa.select(Survey).where(Survey.slug == "samenleven-2026"))
        for _ in range(count):
            language = rng.choices(["nl", "ar", "fr", "en"], [55, 20, 15, 10])[0]
            draft, code = service.start_draft(
                survey, language=language,
                consent={"participation": True, "research": rng.random() < 0.9,
                         "quotes": rng.random() < 0.6})
            draft.answers = demo_answers(rng, survey, language)
            cookie = serializer.dumps({"surveys": {str(survey.id): code}})
            drafts.append((language, f"{app.config['SESSION_COOKIE_NAME']}={cookie}"))
        db.session.commit()
        survey_id = survey.id
        db.engine.dispose()  # the server gets the database to itself
    return app, survey_id, drafts


def _ready_submissions(port: int, drafts: list[tuple[str, str]]) -> list[dict]:
    """GET each review page as its person would; returns the submit POSTs to time."""
    reviews = _drive(port, [{"method": "GET", "path": SURVEY_PATH.format(lang=lang) + "/review",
                             "headers": {"Cookie": cookie}} for lang, cookie in drafts],
                     PREPARE_CAP_S, extract={"csrf": r'name="csrf_token" value="([^"]+)"',
                                          "token": r'name="submission_token" value="([^"]+)"'})
    submits = []
    for (lang, cookie), review in zip(drafts, reviews["results"], strict=True):
        if review is None or review["status"] != 200 or not review["csrf"] or not review["token"]:
            raise RuntimeError(f"review page not ready for submitting: {review}")
        submits.append({
            "method": "POST", "path": SURVEY_PATH.format(lang=lang) + "/submit",
            "headers": {"Cookie": review["set_cookie"].split(";", 1)[0] or cookie,
                        "Content-Type": "application/x-www-form-urlencoded"},
            "body": urlencode({"csrf_token": review["csrf"], "submission_token": review["token"]}),
        })
    return submits


def _stored(app, survey_id: int) -> tuple[int, int]:
    """Responses of the survey, and submission keys stored more than once."""
    import sqlalchemy as sa

    from cocreate.extensions import db
    from cocreate.surveys.models import Response

    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Response)
                                  .where(Response.survey_id == survey_id))
        repeated = db.session.scalar(sa.select(sa.func.count()).select_from(
            sa.select(Response.submission_key).group_by(Response.submission_key)
            .having(sa.func.count() > 1).subquery()))
        db.session.remove()
        db.engine.dispose()
    return total, repeated


# -- Server and driver -------------------------------------------------------------


def _timed(pid: int, port: int, requests: list[dict], time_cap_s: float) -> tuple[dict, float]:
    """The driver's result, and the CPU seconds the server's processes spent meanwhile."""
    cpu_before = _cpu_seconds(pid)
    result = _drive(port, requests, time_cap_s)
    return result, _cpu_seconds(pid) - cpu_before


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its children (the gunicorn
    workers), from /proc. Per request, it shows what a request costs the web server,
    which busy neighbours on the machine disturb much less than the wall time."""
    total = 0.0
    for child in [pid, *Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _drive(port: int, requests: list[dict], time_cap_s: float,
           extract: dict[str, str] | None = None, concurrency: int = CONCURRENCY) -> dict:
    job = {"port": port, "concurrency": concurrency, "time_cap_s": time_cap_s,
           "requests": requests, "extract": extract}
    done = subprocess.run([sys.executable, "-m", "bench.submit_driver"], cwd=ROOT,
                          input=json.dumps(job), capture_output=True, text=True,
                          timeout=time_cap_s + 120)
    if done.returncode != 0:
        raise RuntimeError(f"load driver failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


@contextlib.contextmanager
def _server(url: str, log_path: Path) -> Iterator[tuple[int, int]]:
    """gunicorn on a free port of 127.0.0.1 (yields port and pid), stopped (TERM, then
    KILL) whatever happens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url,
           "COCREATE_SECRET_KEY": SECRETS["SECRET_KEY"],
           "COCREATE_PSEUDONYM_KEY": SECRETS["PSEUDONYM_KEY"],
           "COCREATE_SESSION_COOKIE_SECURE": "0",
           "COCREATE_RATELIMIT_SURVEY_SUBMIT": SUBMIT_LIMIT}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *SERVER, "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(port, process, log_path)
            yield port, process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(port: int, process: subprocess.Popen, log_path: Path, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout_s:.0f} s")


@contextlib.contextmanager
def _scratch_database(engine: str, workdir: Path, name: str | None = None) -> Iterator[str | None]:
    """A fresh SQLite file in ``workdir``, or a PostgreSQL database dropped afterwards
    (``None`` when PostgreSQL is not reachable). ``name`` names both (default: this
    benchmark's ``submit.sqlite`` and ``cocreate_bench_submit_<pid>``)."""
    if engine == "sqlite":
        yield f"sqlite:///{workdir / (f'{name}.sqlite' if name else 'submit.sqlite')}"
        return
    import sqlalchemy as sa

    name = name or f"cocreate_bench_submit_{os.getpid()}"
    # pre_ping: the database server may have been restarted in between (reliability).
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        admin.dispose()
        yield None
        return
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
