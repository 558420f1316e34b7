"""Engine settings per database kind."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event


def _sqlite_connect(dbapi_connection, _record):
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin,
    # so SAVEPOINTs and transactional DDL behave as on PostgreSQL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection):
    # Requests that may write take SQLite's write lock up front (IMMEDIATE): a
    # deferred transaction that read first and writes later is aborted at once
    # (SQLITE_BUSY) when another writer got there in between, whereas IMMEDIATE
    # simply waits its turn (busy_timeout). Safe methods only read, so they keep
    # the cheap deferred BEGIN and never wait for writers (WAL); so do connections
    # opened for reading only (``engine.execution_options(read_only=True)``), like the
    # one that loads a survey's instrument copy in the middle of a submit.
    from flask import has_request_context, request

    if connection.get_execution_options().get("read_only") or (
            has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def configure_engines(app: Flask) -> None:
    from cocreate.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic filter: the scheduler's job table is APScheduler's own, not ours."""
    from cocreate.scheduler import JOBSTORE_TABLE

    return not (type_ == "table" and name == JOBSTORE_TABLE)


def render_item(type_, obj, autogen_context):
    """Alembic: write our column types as plain SQLAlchemy types in migrations, so a
    migration never imports application code."""
    from cocreate.core.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
