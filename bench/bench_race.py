"""Fifty people take the last seats of a focus-group session at the same moment.

A published session with capacity 12 already has 9 confirmed people; 50 threads,
each with its own app context, request context (a POST, as the registration form
is) and database session, wait at a barrier and then call
:func:`cocreate.focusgroups.service.register` as guests and commit — on a scratch
SQLite file, and on a scratch PostgreSQL database ``cocreate_bench_<pid>`` at
127.0.0.1:5432 (user ``postgres``, dropped afterwards).

Measured: the time from the barrier until all 50 are answered. Baseline: the same
50 registrations one after the other on a second, identical session. Met: exactly
the 3 free seats confirmed, the other 47 on the waiting list, and no error.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.common import metric
from bench.generate import bench_app

PEOPLE = 50
CAPACITY = 12
TAKEN = 9
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def run(quick: bool, workdir: Path) -> list[dict]:
    records = [_race("sqlite", f"sqlite:///{workdir / 'race.sqlite'}")]
    name = f"cocreate_bench_{os.getpid()}"
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            records.append(_race("postgresql", POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"))
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
    return records


def _race(engine: str, url: str, *, capacity: int = CAPACITY, taken: int = TAKEN,
          people: int = PEOPLE) -> dict:
    """``people`` register at once for the ``capacity - taken`` free seats of a session."""
    from cocreate.extensions import db

    app = bench_app(url)
    with app.app_context():
        db.create_all()
        race_id, sequential_id = _session(capacity, taken), _session(capacity, taken)
        db.session.commit()
    try:
        started = time.perf_counter()
        for index in range(people):
            _register(app, sequential_id, f"s{index}")
        sequential = time.perf_counter() - started

        barrier = threading.Barrier(people + 1)
        outcomes: list[str] = []

        def person(index: int) -> None:
            barrier.wait()
            outcomes.append(_register(app, race_id, f"r{index}"))

        threads = [threading.Thread(target=person, args=(index,)) for index in range(people)]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join(timeout=300)
        settled = time.perf_counter() - started
        with app.app_context():
            stored = _statuses(race_id)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    free = capacity - taken
    answered = {status: outcomes.count(status) for status in set(outcomes)}
    met = (answered == {"confirmed": free, "waitlisted": people - free}
           and stored == {"confirmed": capacity, "waitlisted": people - free})
    return metric(f"registration_race_{engine}", settled, "s", baseline=sequential,
                  target=f"exactly the {free} free seats confirmed, {people - free} waitlisted, no error",
                  met=met, people=people, capacity=capacity, answered=answered, stored=stored)


def _session(capacity: int = CAPACITY, taken: int = TAKEN, *, starts_in: timedelta = timedelta(days=10),
             prefix: str = "early") -> int:
    """A published session ``starts_in`` ahead (10 days) with ``capacity`` places (12), of
    which ``taken`` (9) are confirmed guests ``<prefix><n>@bench.test``."""
    import secrets

    from cocreate.core.base import utcnow
    from cocreate.extensions import db
    from cocreate.focusgroups.models import FocusSession, Registration
    from cocreate.labs.models import Lab
    from cocreate.municipalities.models import Municipality

    town = db.session.scalar(sa.select(Municipality).where(Municipality.slug == "race")) or Municipality(
        slug="race", name="Race", country="BE", timezone="Europe/Brussels", default_language="nl",
        languages=["nl", "en"])
    lab = db.session.scalar(sa.select(Lab).where(Lab.slug == "race")) or Lab(
        municipality=town, slug="race", title={"nl": "Race"}, description={}, default_language="nl",
        languages=["nl", "en"], status="published")
    start = utcnow().replace(microsecond=0) + starts_in
    session = FocusSession(lab=lab, topic={"nl": "Gesprek"}, starts_at=start, ends_at=start + timedelta(hours=2),
                           address="Markt 1", working_language="nl", capacity=capacity, status="published")
    db.session.add(session)
    db.session.flush()
    db.session.add_all(Registration(session=session, guest_name=f"{prefix.capitalize()} {i}",
                                    guest_email=f"{prefix}{i}@bench.test", language="nl", status="confirmed",
                                    token_hash=secrets.token_hex(32))
                       for i in range(taken))
    return session.id


def _register(app, session_id: int, who: str) -> str:
    """One guest registration, committed, in its own app and request context; its status
    (or the error's name)."""
    from cocreate.extensions import db
    from cocreate.focusgroups import service
    from cocreate.focusgroups.models import FocusSession

    with app.app_context(), app.test_request_context(method="POST"):
        try:
            registration, _token = service.register(
                db.session.get(FocusSession, session_id), guest_name=who, guest_email=f"{who}@bench.test",
                language="en", screening_answers={}, interpretation_language=None, needs_childcare=False,
                accessibility_needs="", note="", consent_audio=False, consent_quotes=False)
            status = str(registration.status)
            db.session.commit()
            return status
        except Exception as error:  # an error is an outcome to report, not a crash of the run
            db.session.rollback()
            return type(error).__name__
        finally:
            db.session.remove()


def _statuses(session_id: int) -> dict[str, int]:
    from cocreate.extensions import db
    from cocreate.focusgroups.models import Registration

    return dict(db.session.execute(sa.select(Registration.status, sa.func.count())
                                   .where(Registration.session_id == session_id)
                                   .group_by(Registration.status)).all())
