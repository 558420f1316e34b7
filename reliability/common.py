"""What the scenarios share: the record, PostgreSQL control, scratch databases, counts.

Every wait here has a time cap; load only goes to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlalchemy as sa

from bench import bench_submit

POSTGRES_ADMIN_URL = bench_submit.POSTGRES_ADMIN_URL


def record(scenario: str, engine: str, *, acknowledged: int | None, stored: int | None,
           lost: int | None, duplicates: int | None, errors_5xx: int | None, passed: bool,
           **details) -> dict:
    """One scenario's result. ``errors_5xx`` is None where no HTTP is involved."""
    return {"scenario": scenario, "engine": engine, "acknowledged": acknowledged, "stored": stored,
            "lost": lost, "duplicates": duplicates, "errors_5xx": errors_5xx, "passed": bool(passed),
            **details}


def wait_until(condition: Callable[[], bool], cap_s: float, interval_s: float = 0.1) -> bool:
    """Poll ``condition`` until it is true (True) or ``cap_s`` has passed (False)."""
    deadline = time.monotonic() + cap_s
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval_s)


# -- Databases ---------------------------------------------------------------------


@contextlib.contextmanager
def scratch_database(engine: str, workdir: Path, scenario: str) -> Iterator[str]:
    """A fresh SQLite file, or a PostgreSQL database ``cocreate_rel_<pid>_<scenario>``
    dropped afterwards (RuntimeError when PostgreSQL is not reachable)."""
    name = f"cocreate_rel_{os.getpid()}_{scenario}"
    with bench_submit._scratch_database(engine, workdir, name) as url:
        if url is None:
            raise RuntimeError(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}")
        yield url


def plain_engine(url: str) -> sa.Engine:
    """An engine of our own for counting (no pool: nothing stays open)."""
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def integrity(url: str, survey_id: int, submissions: int) -> dict:
    """The database's own checks and the submission invariants.

    SQLite: ``PRAGMA integrity_check`` is ok and ``PRAGMA foreign_key_check`` finds
    nothing. Both engines: no answer or consent row without its response, every
    response has its consent rows (written in the same transaction), and every
    prepared draft is either still there or became exactly one response.
    """
    engine = plain_engine(url)
    checks: dict[str, object] = {}
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                checks["integrity_check"] = [row[0] for row in
                                             connection.exec_driver_sql("PRAGMA integrity_check")]
                checks["foreign_key_check"] = [list(row) for row in
                                               connection.exec_driver_sql("PRAGMA foreign_key_check")]
            def count(statement: str) -> int:
                return connection.execute(sa.text(statement), {"survey": survey_id}).scalar()

            checks["orphan_answers"] = count(
                "SELECT count(*) FROM survey_answer a LEFT JOIN survey_response r ON r.id = a.response_id "
                "WHERE r.id IS NULL")
            checks["orphan_consents"] = count(
                "SELECT count(*) FROM consent_record c LEFT JOIN survey_response r ON r.id = c.response_id "
                "WHERE c.response_id IS NOT NULL AND r.id IS NULL")
            checks["responses_without_consent"] = count(
                "SELECT count(*) FROM survey_response r WHERE r.survey_id = :survey AND NOT EXISTS "
                "(SELECT 1 FROM consent_record c WHERE c.response_id = r.id)")
            responses = count("SELECT count(*) FROM survey_response WHERE survey_id = :survey")
            checks["drafts_left"] = count("SELECT count(*) FROM survey_draft WHERE survey_id = :survey")
            checks["drafts_plus_responses"] = checks["drafts_left"] + responses
    finally:
        engine.dispose()
    checks["ok"] = (checks.get("integrity_check", ["ok"]) == ["ok"]
                    and not checks.get("foreign_key_check")
                    and checks["orphan_answers"] == 0 and checks["orphan_consents"] == 0
                    and checks["responses_without_consent"] == 0
                    and checks["drafts_plus_responses"] == submissions)
    return checks


# -- PostgreSQL --------------------------------------------------------------------


def postgres_reachable(timeout_s: float = 3) -> bool:
    engine = sa.create_engine(POSTGRES_ADMIN_URL, poolclass=sa.pool.NullPool,
                              connect_args={"connect_timeout": max(1, int(timeout_s))})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def postgres_cluster() -> tuple[str, str] | None:
    """The local cluster on port 5432 as (version, name), from ``pg_lsclusters``
    (else the only version under /etc/postgresql, cluster ``main``)."""
    if shutil.which("pg_lsclusters"):
        listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True,
                                 timeout=30)
        for line in listing.stdout.splitlines():
            fields = line.split()
            if len(fields) >= 3 and fields[2] == "5432":
                return fields[0], fields[1]
    versions = sorted(p.name for p in Path("/etc/postgresql").glob("*") if p.is_dir())
    return (versions[-1], "main") if versions else None


def pg_ctlcluster(action: str, timeout_s: float = 90) -> subprocess.CompletedProcess:
    """``pg_ctlcluster --skip-systemctl-redirect <version> <cluster> <action>``."""
    cluster = postgres_cluster()
    if cluster is None or not shutil.which("pg_ctlcluster"):
        raise RuntimeError("no local PostgreSQL cluster to control (pg_ctlcluster, /etc/postgresql)")
    return subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action],
                          capture_output=True, text=True, timeout=timeout_s)


def ensure_postgres(cap_s: float = 60) -> bool:
    """PostgreSQL answers at 127.0.0.1:5432, started with pg_ctlcluster if it was down."""
    if postgres_reachable():
        return True
    with contextlib.suppress(RuntimeError, OSError, subprocess.TimeoutExpired):
        pg_ctlcluster("start")
    return wait_until(postgres_reachable, cap_s, interval_s=0.5)


# -- gunicorn ----------------------------------------------------------------------


def workers(master_pid: int) -> list[int]:
    """The gunicorn master's child processes (its workers)."""
    try:
        return sorted(int(pid) for pid in
                      Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split())
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
