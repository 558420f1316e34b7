"""The demo seed is complete and idempotent."""

from __future__ import annotations

import sqlalchemy as sa

from cocreate.accounts.models import Membership, User
from cocreate.extensions import db
from cocreate.labs.models import Lab
from cocreate.municipalities.models import Municipality
from seeds import run_demo


def _counts():
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Municipality, User, Membership, Lab))


def test_seed_is_idempotent(app):
    run_demo()
    first = _counts()
    run_demo()
    assert _counts() == first


def test_seed_content(client, app):
    run_demo()
    ninove = db.session.scalar(sa.select(Municipality).where(Municipality.slug == "ninove"))
    assert ninove.timezone == "Europe/Brussels" and ninove.languages == ["nl", "fr", "en", "ar"]
    fermignano = db.session.scalar(sa.select(Municipality).where(Municipality.slug == "fermignano"))
    assert fermignano.country == "IT" and fermignano.default_language == "it"
    roles = set(db.session.scalars(sa.select(Membership.role)))
    assert roles == {"participant", "moderator", "official", "researcher", "admin"}
    lab = db.session.scalar(sa.select(Lab).where(Lab.slug == "samen-leven-ninove"))
    assert set(lab.title) == {"nl", "fr", "en", "ar"} and lab.status == "published"
    assert "Samen leven in Ninove" in client.get("/nl/m/ninove/labs/samen-leven-ninove/").text
    assert "العيش معًا في نينوف" in client.get("/ar/m/ninove/labs/samen-leven-ninove/").text


def test_seed_refuses_outside_demo_mode(app):
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code != 0 and "COCREATE_DEMO" in result.output
