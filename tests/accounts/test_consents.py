"""The consent ledger from a person's side: giving, changing and withdrawing consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from cocreate.accounts import consents
from cocreate.accounts.models import ConsentRecord
from cocreate.core.base import utcnow
from cocreate.core.models import AuditLog
from cocreate.extensions import db
from cocreate.plans import service as plans
from cocreate.surveys.models import Response


def _records(**where):
    return list(db.session.scalars(sa.select(ConsentRecord).filter_by(**where)
                                   .order_by(ConsentRecord.id)))


def test_a_new_decision_supersedes_the_old_one_and_an_unchanged_one_adds_nothing(app, make_user):
    person = make_user()
    consents.record_decision(person.id, "plan:1", "research", True, language="ar")
    assert consents.record_decision(person.id, "plan:1", "research", True, language="ar") is None
    assert consents.has_consent(person.id, "plan:1", "research")
    consents.record_decision(person.id, "plan:1", "research", False, language="ar")
    rows = _records(user_id=person.id)
    assert [(r.granted, r.withdrawn_at is None) for r in rows] == [(True, False), (False, True)]
    assert not consents.has_consent(person.id, "plan:1", "research")


@pytest.fixture
def plan(app, make_municipality, make_lab, make_user):
    town = make_municipality()
    lab = make_lab(town)
    official = make_user(roles=[(town, "official")])
    with app.test_request_context():
        plan = plans.create_plan(official, lab, slug="plan", title={"nl": "Plan", "en": "The plan"},
                                 official_language="nl")
        db.session.flush()
        plans.publish_version(official, plan, text="# Plan\n\nWonen is duur.", translations={},
                              change_note={})
    plan.comments_open_at = utcnow() - timedelta(days=1)
    db.session.flush()
    return plan


def _comment_url(plan):
    return f"/en/m/{plan.lab.municipality.slug}/labs/{plan.lab.slug}/plans/{plan.slug}/comments"


def test_commenting_asks_about_research_use_and_records_the_answer(client, plan, make_user):
    person = make_user()
    client.login_as(person)
    anchor = plan.current.paragraphs[1].anchor
    client.post_form(_comment_url(plan), {"anchor": anchor, "body": "Ja", "research": "y"})
    assert consents.has_consent(person.id, plans.consent_context(plan), "research")
    page = client.get(_comment_url(plan).rsplit("/", 1)[0] + "/").text
    assert 'name="research" value="y" checked' in page
    client.post_form(_comment_url(plan), {"anchor": anchor, "body": "Toch niet"})
    assert not consents.has_consent(person.id, plans.consent_context(plan), "research")


def test_profile_lists_consents_and_withdraws_only_ones_own(client, plan, make_user):
    person, other = make_user(), make_user()
    mine = consents.record_decision(person.id, plans.consent_context(plan), "research", True,
                                    language="en")
    theirs = consents.record_decision(other.id, plans.consent_context(plan), "research", True,
                                      language="en")
    db.session.flush()
    client.login_as(person)
    page = client.get("/en/profile").text
    assert "The plan" in page and "Use by the researchers, under a pseudonym" in page
    response = client.post_form(f"/en/profile/consents/{theirs.id}/withdraw")
    assert response.status_code == 302
    assert consents.has_consent(other.id, plans.consent_context(plan), "research")
    assert client.post(f"/en/profile/consents/{mine.id}/withdraw", data={}).status_code == 400
    assert consents.has_consent(person.id, plans.consent_context(plan), "research"), "no CSRF, no change"
    client.post_form(f"/en/profile/consents/{mine.id}/withdraw")
    assert not consents.has_consent(person.id, plans.consent_context(plan), "research")
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "consent.withdrawn")
                             .where(AuditLog.actor_id == person.id)) is not None
    assert "You have no consents on record." in client.get("/en/profile").text


def test_withdrawing_participation_withdraws_everything_given_with_that_response(
        app, client, make_municipality, make_user, make_survey):
    from cocreate.research.consent import response_counted, response_exportable

    town = make_municipality()
    survey = make_survey(town, mode="identified")
    person = make_user()
    response = Response(survey_id=survey.id, submission_key="k" * 64, user_id=person.id,
                        language="nl", submitted_at=utcnow())
    db.session.add(response)
    db.session.flush()
    for scope in ("participation", "research"):
        db.session.add(ConsentRecord(user_id=person.id, response_id=response.id,
                                     context=f"survey:{survey.id}", scope=scope, granted=True,
                                     text_version=1, language="nl"))
    db.session.flush()

    def state():
        query = sa.select(Response.id).where(Response.id == response.id)
        return (db.session.scalar(query.where(response_counted())) is not None,
                db.session.scalar(query.where(response_exportable())) is not None)

    assert state() == (True, True)
    participation = _records(response_id=response.id, scope="participation")[0]
    client.login_as(person)
    assert "Survey" in client.get("/en/profile").text
    client.post_form(f"/en/profile/consents/{participation.id}/withdraw")
    assert state() == (False, False)
    assert all(r.withdrawn_at is not None for r in _records(response_id=response.id))


def test_focus_group_registration_records_research_consent(app, make_municipality, make_session):
    from cocreate.focusgroups import screening, service

    town = make_municipality()
    session = make_session(town)
    with app.test_request_context():
        registration, _token = service.register(
            session, guest_name="Olena", guest_email="olena@example.org", language="uk",
            screening_answers={screening.GROUP_QUESTION: {"option": screening.NEWCOMER}},
            interpretation_language=None, needs_childcare=False, accessibility_needs="", note="",
            consent_audio=False, consent_quotes=False, consent_research=True)
    research = _records(registration_id=registration.id, scope="research")
    assert [(r.granted, r.context) for r in research] == [(True, f"session:{session.id}")]
