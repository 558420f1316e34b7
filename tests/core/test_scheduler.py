"""One scheduler process, jobs by stable id, idempotent jobs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from cocreate.scheduler import JOBSTORE_TABLE, build_scheduler, load_tasks, run_task

ROOT = Path(__file__).resolve().parents[2]


def test_jobs_are_registered_by_stable_id_without_duplicates(app):
    ids = set(load_tasks())
    assert "core.send_outbox" in ids
    for _ in range(2):  # a restart replaces, never duplicates
        scheduler = build_scheduler(app, blocking=False)
        scheduler.start(paused=True)
        assert {job.id for job in scheduler.get_jobs()} == ids
        scheduler.shutdown(wait=False)


def test_a_job_runs_and_is_idempotent(app):
    assert run_task("core.send_outbox") == 0
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
