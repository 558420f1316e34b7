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
    connection.exec_driver_sql("BEGIN")


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
