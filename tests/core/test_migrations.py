"""The schema comes from migrations only, and it matches the models on both engines."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from cocreate import create_app
from cocreate.core.database import include_object
from cocreate.extensions import db
from tests.conftest import BASE_CONFIG, postgres_url


def _fresh_url(engine: str, tmp_path) -> str:
    if engine == "postgresql":
        return postgres_url(f"cocreate_migrations_{os.getpid()}")
    return f"sqlite:///{tmp_path}/migrated.sqlite"


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_upgrade_from_empty_matches_the_models(engine, tmp_path):
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": _fresh_url(engine, tmp_path)})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], diff
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
