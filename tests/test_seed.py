"""The demo seed is complete and idempotent."""

from __future__ import annotations

import re

import sqlalchemy as sa
from markupsafe import escape

from cocreate.accounts.models import Membership, User
from cocreate.extensions import db
from cocreate.labs.models import Lab
from cocreate.municipalities.models import Municipality
from cocreate.surveys.models import Survey
from seeds import run_demo

NINOVE_LANGUAGES = ["nl", "fr", "en", "ar", "fa", "uk", "tr"]
SURVEY_PAGE = "/{}/m/ninove/labs/samen-leven-ninove/surveys/samenleven-2026/"


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
    assert ninove.timezone == "Europe/Brussels" and ninove.languages == NINOVE_LANGUAGES
    fermignano = db.session.scalar(sa.select(Municipality).where(Municipality.slug == "fermignano"))
    assert fermignano.country == "IT" and fermignano.default_language == "it"
    roles = set(db.session.scalars(sa.select(Membership.role)))
    assert roles == {"participant", "moderator", "official", "researcher", "admin"}
    lab = db.session.scalar(sa.select(Lab).where(Lab.slug == "samen-leven-ninove"))
    assert set(lab.title) == set(NINOVE_LANGUAGES) and lab.status == "published"
    assert lab.languages == NINOVE_LANGUAGES and set(lab.description) == set(NINOVE_LANGUAGES)
    assert all(set(phase.title) == set(NINOVE_LANGUAGES) for phase in lab.phases)
    assert "Samen leven in Ninove" in client.get("/nl/m/ninove/labs/samen-leven-ninove/").text
    assert "العيش معًا في نينوف" in client.get("/ar/m/ninove/labs/samen-leven-ninove/").text


def test_demo_survey_in_persian_ukrainian_and_turkish(client, app):
    run_demo(responses=30)
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == "samenleven-2026"))
    assert survey.languages == NINOVE_LANGUAGES
    # Every text of the instrument is written in every language of the survey.
    maps = [survey.title, survey.intro, survey.thanks, survey.consent_text]
    for section in survey.sections:
        maps.append(section.title)
        for question in section.questions:
            maps += [question.text, *([question.help] if question.help else [])]
            maps += [v for k, v in question.settings.items() if k.endswith("_label")]
            maps += [option.label for option in question.options]
    incomplete = [m for m in maps if any(not (m.get(code) or "").strip() for code in NINOVE_LANGUAGES)]
    assert len(maps) > 100 and incomplete == []
    persian = client.get(SURVEY_PAGE.format("fa"))
    assert persian.status_code == 200 and "زندگی با هم در نینووه" in persian.text
    assert re.search(r'<html[^>]*\bdir="rtl"', persian.text)
    assert "Жити разом у Нінове" in client.get(SURVEY_PAGE.format("uk")).text
    assert str(escape("Ninove'de birlikte yaşamak")) in client.get(SURVEY_PAGE.format("tr")).text


def test_seed_refuses_outside_demo_mode(app):
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code != 0 and "COCREATE_DEMO" in result.output
