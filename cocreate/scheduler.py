"""The one scheduler: APScheduler 3 in its own process, jobs stored in the database.

Domains declare jobs with :func:`task` in their ``tasks.py``; the scheduler
registers each by its stable id (``replace_existing``), so restarting the
process never duplicates a job. Jobs are thin and idempotent: they do what is
due and not yet done, and mark it done, so running one twice is harmless.
Never start this inside a web worker: ``flask scheduler run`` is its home.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

log = logging.getLogger("cocreate.scheduler")

#: Modules whose import registers jobs.
TASK_MODULES = ["cocreate.core.tasks", "cocreate.accounts.tasks", "cocreate.surveys.tasks",
                "cocreate.focusgroups.tasks", "cocreate.plans.tasks"]
JOBSTORE_TABLE = "scheduler_job"


@dataclass(frozen=True)
class Task:
    id: str
    func: Callable[[], object]
    seconds: int | Callable[[], int]


TASKS: dict[str, Task] = {}
_app = None


def task(task_id: str, *, seconds):
    """Register a job function under a stable id, run every ``seconds``."""

    def decorator(func):
        TASKS[task_id] = Task(task_id, func, seconds)
        return func

    return decorator


def load_tasks() -> dict[str, Task]:
    for name in TASK_MODULES:
        importlib.import_module(name)
    return TASKS


def run_task(task_id: str):
    """Entry point the job store refers to; runs one task inside an app context."""
    global _app
    if _app is None:
        from cocreate import create_app

        _app = create_app()
    load_tasks()
    with _app.app_context():
        from cocreate.extensions import db

        try:
            result = TASKS[task_id].func()
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", task_id)
            raise
        finally:
            db.session.remove()


def run_all_once(app) -> dict[str, object]:
    """Run every job once, now (for operators and tests)."""
    global _app
    _app = app
    return {task_id: run_task(task_id) for task_id in load_tasks()}


def build_scheduler(app, blocking: bool = True):
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    global _app
    _app = app
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        jobstores={"default": SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"],
                                                 tablename=JOBSTORE_TABLE)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
        timezone=UTC,
    )
    with app.app_context():
        for spec in load_tasks().values():
            seconds = spec.seconds() if callable(spec.seconds) else spec.seconds
            scheduler.add_job("cocreate.scheduler:run_task", trigger="interval",
                              seconds=int(seconds), id=spec.id, args=[spec.id],
                              replace_existing=True, name=spec.id)
    return scheduler
