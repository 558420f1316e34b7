"""One scheduler process, jobs by stable id, idempotent jobs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from cocreate import create_app
from cocreate.scheduler import JOBSTORE_TABLE, build_scheduler, load_tasks, run_all_once, run_task
from tests.conftest import BASE_CONFIG, postgres_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_jobs_are_registered_by_stable_id_without_duplicates(engine, tmp_path):
    url = (postgres_url(f"cocreate_scheduler_{os.getpid()}") if engine == "postgresql"
           else f"sqlite:///{tmp_path}/jobs.sqlite")
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    ids = set(load_tasks())
    assert {"core.send_outbox", "surveys.open_and_close", "surveys.purge_drafts",
            "focusgroups.send_reminders", "focusgroups.send_summaries",
            "plans.comment_period_closed"} <= ids
    for _ in range(2):  # a restart replaces, never duplicates
        scheduler = build_scheduler(app, blocking=False)
        scheduler.start(paused=True)
        assert {job.id for job in scheduler.get_jobs()} == ids
        scheduler.shutdown(wait=False)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(sa.text(f"SELECT id FROM {JOBSTORE_TABLE}")).scalars().all()
    engine.dispose()
    assert sorted(stored) == sorted(ids)


def test_jobs_run_and_are_idempotent(app):
    first = run_all_once(app)
    assert first == {"core.send_outbox": 0, "accounts.purge_expired": 0,
                     "surveys.open_and_close": 0, "surveys.purge_drafts": 0,
                     "focusgroups.send_reminders": 0, "focusgroups.send_summaries": 0,
                     "focusgroups.erase_guest_details": 0, "plans.comment_period_closed": 0}
    assert run_task("core.send_outbox") == 0


def test_scheduler_cli_process_starts_and_stores_its_jobs(tmp_path):
    database = tmp_path / "scheduler.sqlite"
    env = {**os.environ, "COCREATE_DEMO": "1", "DATABASE_URL": f"sqlite:///{database}",
           "COCREATE_SECRET_KEY": "x", "COCREATE_PSEUDONYM_KEY": "y"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    process = subprocess.Popen([*flask, "scheduler", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        engine = sa.create_engine(f"sqlite:///{database}")
        deadline = time.monotonic() + 30
        jobs = []
        while time.monotonic() < deadline and not jobs:
            time.sleep(0.5)
            with engine.connect() as conn:
                if sa.inspect(conn).has_table(JOBSTORE_TABLE):
                    jobs = conn.execute(sa.text(f"SELECT id FROM {JOBSTORE_TABLE}")).scalars().all()
        assert "core.send_outbox" in jobs
        assert process.poll() is None, "the scheduler process should keep running"
    finally:
        process.terminate()
        process.wait(timeout=20)
        engine.dispose()
