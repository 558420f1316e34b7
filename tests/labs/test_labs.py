"""Labs: creation with texts per language, guarded status changes, phases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cocreate.core.models import AuditLog
from cocreate.extensions import db
from cocreate.labs import service
from cocreate.labs.models import IllegalTransition, Lab, LabStatus, Phase


@pytest.fixture
def official(make_municipality, make_user):
    town = make_municipality(languages=["nl", "fr", "en", "ar"])
    return town, make_user(roles=[(town, "official")])


NEW_LAB = {"slug": "samen", "default_language": "nl", "languages": ["nl", "ar"],
           "title__nl": "Samen leven", "title__ar": "العيش معًا", "title__fr": "",
           "description__nl": "Uitleg.\n\nTweede alinea."}


def test_create_lab_with_titles_per_language(client, official):
    town, user = official
    client.login_as(user)
    page = client.get(f"/en/m/{town.slug}/manage/labs/new").text
    for code in ("nl", "fr", "en", "ar"):
        assert f'name="title__{code}"' in page
    response = client.post_form(f"/en/m/{town.slug}/manage/labs/new", NEW_LAB)
    assert response.status_code == 302
    lab = db.session.scalar(sa.select(Lab).where(Lab.slug == "samen"))
    assert lab.title == {"nl": "Samen leven", "ar": "العيش معًا"}
    assert lab.status == "draft" and lab.languages == ["nl", "ar"]
    edit = client.get(response.headers["Location"]).text
    assert "Filled in: 2 of 4 languages" in edit


def test_title_in_the_main_language_is_required(client, official):
    town, user = official
    client.login_as(user)
    response = client.post_form(f"/en/m/{town.slug}/manage/labs/new",
                                {**NEW_LAB, "title__nl": ""})
    assert response.status_code == 200 and "main language" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Lab)) == 0


@pytest.mark.parametrize("change", [
    {"slug": "Bad Slug"}, {"slug": "a" * 70}, {"default_language": "xx"},
    {"languages": ["nl", "zz"]}, {"title__nl": "x" * 201}, {"title__nl": "bad\x07title"},
    {"description__nl": "y" * 10_001},
])
def test_bad_lab_input_changes_nothing(client, official, change):
    town, user = official
    client.login_as(user)
    response = client.post_form(f"/en/m/{town.slug}/manage/labs/new", {**NEW_LAB, **change})
    assert response.status_code == 200 and "error-summary" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Lab)) == 0


def test_duplicate_slug_is_refused(client, official, make_lab):
    town, user = official
    make_lab(town, slug="samen")
    client.login_as(user)
    response = client.post_form(f"/en/m/{town.slug}/manage/labs/new", NEW_LAB)
    assert response.status_code == 200 and "already used" in response.text


def test_edit_keeps_texts_of_languages_no_longer_offered(client, official, make_lab):
    town, user = official
    lab = make_lab(town, title={"nl": "Oud", "fr": "Ancien"}, languages=["nl", "fr"])
    client.login_as(user)
    response = client.post_form(f"/en/m/{town.slug}/manage/labs/{lab.slug}",
                                {"default_language": "nl", "languages": ["nl"],
                                 "title__nl": "Nieuw"})
    assert response.status_code == 302
    db.session.refresh(lab)
    assert lab.title == {"nl": "Nieuw", "fr": "Ancien"}


def test_status_cycle_is_guarded(client, official, make_lab):
    town, user = official
    lab = make_lab(town, status="draft")
    client.login_as(user)
    url = f"/en/m/{town.slug}/manage/labs/{lab.slug}/status"
    for target, expected in [("closed", "draft"), ("published", "published"),
                             ("draft", "published"), ("closed", "closed"),
                             ("archived", "archived"), ("published", "archived"),
                             ("nonsense", "archived")]:
        client.post_form(url, {"target": target})
        db.session.refresh(lab)
        assert lab.status == expected, target
    assert lab.published_at is not None
    actions = set(db.session.scalars(sa.select(AuditLog.action)))
    assert {"lab.published", "lab.closed", "lab.archived"} <= actions


def test_transition_table():
    lab = Lab(status=LabStatus.DRAFT)
    with pytest.raises(IllegalTransition):
        lab.move_to(LabStatus.ARCHIVED)
    lab.move_to(LabStatus.PUBLISHED)
    lab.move_to(LabStatus.CLOSED)
    lab.move_to(LabStatus.PUBLISHED)  # reopening is allowed
    lab.move_to(LabStatus.CLOSED)
    lab.move_to(LabStatus.ARCHIVED)
    assert lab.allowed_transitions() == frozenset()


def test_phases_add_and_delete(client, official, make_lab):
    town, user = official
    lab = make_lab(town)
    client.login_as(user)
    base = f"/en/m/{town.slug}/manage/labs/{lab.slug}/phases"
    response = client.post_form(base, {"phase-title__nl": "Bevraging",
                                       "phase-starts_on": "2026-09-01",
                                       "phase-ends_on": "2026-12-15"})
    assert response.status_code == 302
    phase = db.session.scalars(sa.select(Phase)).one()
    bad = client.post_form(base, {"phase-title__nl": "Omgekeerd", "phase-starts_on": "2026-12-01",
                                  "phase-ends_on": "2026-01-01"})
    assert bad.status_code == 400 and "on or after" in bad.text
    bad = client.post_form(base, {"phase-starts_on": "2026-13-01", "phase-ends_on": "x"})
    assert bad.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Phase)) == 1
    page = client.get(f"/nl/m/{town.slug}/labs/{lab.slug}/").text
    assert "Bevraging" in page and "1 sep 2026" in page
    client.post_form(f"{base}/{phase.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Phase)) == 0


def test_public_pages_list_published_labs(client, make_municipality, make_lab):
    town = make_municipality()
    make_lab(town, slug="zichtbaar", title={"nl": "Zichtbaar"})
    make_lab(town, slug="verborgen", status="draft", title={"nl": "Verborgen"})
    make_lab(town, slug="gesloten", status="closed", title={"nl": "Gesloten"})
    html = client.get(f"/nl/m/{town.slug}/").text
    assert "Zichtbaar" in html and "Gesloten" in html and "Verborgen" not in html
    assert town.name in client.get("/nl/").text


def test_lab_page_sections(client, make_municipality, make_lab):
    town = make_municipality()
    lab = make_lab(town)
    html = client.get(f"/en/m/{town.slug}/labs/{lab.slug}/").text
    for heading in ("Surveys", "Focus groups", "Draft plans"):
        assert heading in html


def test_service_refuses_language_not_offered(official):
    town, user = official
    with pytest.raises(service.LabError):
        service.create_lab(user, town, slug="x1", title={"it": "x"}, description={},
                           default_language="it", languages=["it"])
