"""A person's own data: download it all, delete the account (keep or remove), retention jobs."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa

from cocreate.accounts.models import ConsentRecord, LoginSession, PasswordReset, User
from cocreate.core.base import utcnow
from cocreate.core.models import AuditLog
from cocreate.extensions import db
from cocreate.focusgroups import service as focusgroups
from cocreate.focusgroups.models import Registration, RegistrationStatus
from cocreate.plans import service as plans
from cocreate.plans.models import Comment, Support
from cocreate.research.models import Code, Coding
from cocreate.surveys.models import Answer, Response
from tests.accounts.test_consents import plan  # noqa: F401  (fixture)


def _register(session, user=None, **guest):
    registration, _token = focusgroups.register(
        session, user=user, language="ar", screening_answers={}, interpretation_language="ar",
        needs_childcare=False, accessibility_needs="wheelchair", note="Call me on 0470 11 22 33",
        consent_audio=False, consent_quotes=False, consent_research=True, **guest)
    db.session.flush()
    return registration


def _past(session, user=None, **guest):
    """A registration for a session that already took place (registration is closed)."""
    registration = Registration(session_id=session.id, user_id=getattr(user, "id", None),
                                language="ar", status=RegistrationStatus.CONFIRMED,
                                note="Call me on 0470 11 22 33", token_hash=secrets.token_hex(32),
                                **guest)
    db.session.add(registration)
    db.session.flush()
    return registration


@pytest.fixture
def world(app, plan, make_user, make_survey, make_session):  # noqa: F811
    """A person with a response, a comment (with someone's reply), a support, a
    registration for a session to come (someone waiting behind them) and a past one."""
    town = plan.lab.municipality
    person, other = make_user(email="canary.person@example.org"), make_user()
    survey = make_survey(town, lab=plan.lab, mode="identified")
    response = Response(survey_id=survey.id, submission_key="k" * 64, user_id=person.id,
                        language="ar", submitted_at=utcnow())
    db.session.add(response)
    db.session.flush()
    answer = Answer(survey_id=survey.id, response_id=response.id, question_code="Q7",
                    value_text="أريد دروسًا", text_language="ar")
    db.session.add_all([answer, ConsentRecord(
        user_id=person.id, response_id=response.id, context=f"survey:{survey.id}",
        scope="research", granted=True, text_version=1, language="ar")])
    anchor = plan.current.paragraphs[1].anchor
    with app.test_request_context():
        comment = plans.add_comment(person, plan, anchor=anchor, body="Meer taalles",
                                    language="nl", research_consent=True)
        reply = plans.add_comment(other, plan, anchor=anchor, body="Eens", language="nl",
                                  parent_id=comment.id)
        db.session.flush()
        db.session.add(Support(comment_id=reply.id, user_id=person.id))
        coming = make_session(town, lab=plan.lab, capacity=1)
        mine = _register(coming, user=person)
        waiting = _register(coming, user=other)
        past = make_session(town, lab=plan.lab, capacity=5,
                            starts_at=utcnow() - timedelta(days=30),
                            ends_at=utcnow() - timedelta(days=30) + timedelta(hours=2))
        attended = _past(past, user=person)
    attended.attended = True
    code = Code(lab_id=plan.lab_id, key="lessons", name="Lessons")
    db.session.add(code)
    db.session.flush()
    db.session.add_all([Coding(lab_id=plan.lab_id, code_id=code.id, unit_kind="comment",
                               unit_id=comment.id),
                        Coding(lab_id=plan.lab_id, code_id=code.id, unit_kind="answer",
                               unit_id=answer.id)])
    db.session.flush()
    return dict(person=person, other=other, survey=survey, response=response, comment=comment,
                reply=reply, mine=mine, waiting=waiting, attended=attended)


def test_download_holds_everything_about_the_person_and_nothing_of_others(client, world):
    client.login_as(world["person"])
    download = client.get("/en/profile/my-data.json")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "no-store"
    data = json.loads(download.data)
    assert data["account"]["email"] == "canary.person@example.org"
    assert data["survey_responses"][0]["answers"][0]["text"] == "أريد دروسًا"
    assert [c["text"] for c in data["plan_comments"]] == ["Meer taalles"]
    assert {r["status"] for r in data["focus_group_registrations"]} == {"confirmed"}
    assert len(data["focus_group_registrations"]) == 2
    assert {c["scope"] for c in data["consents"]} >= {"research"}
    assert data["supported_comments"] == [{"comment": world["reply"].id,
                                           "at": data["supported_comments"][0]["at"]}]
    assert world["other"].email not in download.text and "Eens" not in download.text
    assert "Call me on 0470 11 22 33" in download.text  # their own note, given back


def test_profile_offers_download_and_deletion(client, world):
    client.login_as(world["person"])
    page = client.get("/en/profile").text
    assert "/en/profile/my-data.json" in page and 'action="/en/profile/delete"' in page


def _delete(client, person, contributions, password="correct horse battery"):
    client.login_as(person)
    return client.post_form("/en/profile/delete", {"contributions": contributions,
                                                   "password": password})


def test_deleting_and_keeping_contributions_anonymises_them(client, world):
    person_id = world["person"].id
    response = _delete(client, world["person"], "keep")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person_id) is None
    stored = db.session.get(Response, world["response"].id)
    assert stored is not None and stored.user_id is None
    consent = db.session.scalar(sa.select(ConsentRecord).where(
        ConsentRecord.response_id == stored.id))
    assert consent is not None and consent.user_id is None, "consent stays with the response"
    comment = db.session.get(Comment, world["comment"].id)
    assert comment.user_id is None and not comment.show_name and comment.body == "Meer taalles"
    assert db.session.get(Comment, world["reply"].id) is not None
    # The seat to come went to the person waiting; the past attendance stays, anonymised.
    assert db.session.get(Registration, world["mine"].id).status == RegistrationStatus.CANCELLED
    assert db.session.get(Registration, world["waiting"].id).status == RegistrationStatus.CONFIRMED
    past = db.session.get(Registration, world["attended"].id)
    assert past.attended and past.user_id is None and past.anonymised_at is not None
    assert past.note == "" and past.accessibility_needs == ""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding)) == 2
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "account.deleted"))
    assert entry.details == {"contributions": "keep"} and entry.actor_id is None
    # Signed out for good: the old cookie does not come back.
    assert client.get("/en/profile").status_code == 302


def test_deleting_and_removing_contributions_deletes_them(client, world):
    ids = {name: obj.id for name, obj in world.items() if hasattr(obj, "id")}
    _delete(client, world["person"], "remove")
    db.session.expire_all()
    assert db.session.get(Response, ids["response"]) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0
    assert db.session.get(Comment, ids["comment"]) is None
    assert db.session.get(Comment, ids["reply"]) is None, "a reply goes with its comment"
    assert db.session.get(Registration, ids["attended"]) is None
    assert db.session.get(Registration, ids["waiting"]).status == RegistrationStatus.CONFIRMED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Support)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession).where(
        LoginSession.user_id == ids["person"])) == 0


@pytest.mark.parametrize("data", [
    {"contributions": "keep", "password": "wrong password!"},
    {"contributions": "", "password": "correct horse battery"},
    {"contributions": "everything", "password": "correct horse battery"},
    {"password": "correct horse battery"},
])
def test_deletion_refuses_bad_input_and_changes_nothing(client, world, data):
    client.login_as(world["person"])
    response = client.post_form("/en/profile/delete", data)
    assert response.status_code == 400
    assert "error-message" in response.text
    db.session.expire_all()
    assert db.session.get(User, world["person"].id) is not None
    assert db.session.get(Response, world["response"].id).user_id == world["person"].id


def test_deletion_needs_csrf(client, world):
    client.login_as(world["person"])
    response = client.post("/en/profile/delete", data={"contributions": "remove",
                                                       "password": "correct horse battery"})
    assert response.status_code == 400
    assert db.session.get(User, world["person"].id) is not None


def test_the_only_administrator_cannot_delete_their_account(client, make_municipality, make_user):
    town = make_municipality()
    admin = make_user(roles=[(town, "admin")])
    response = _delete(client, admin, "keep")
    assert response.status_code == 302 and response.headers["Location"].endswith("#delete")
    assert db.session.get(User, admin.id) is not None


def test_deletion_page_is_translated(client, world):
    client.login_as(world["person"])
    response = client.post_form("/ar/profile/delete", {"contributions": "keep", "password": "x"})
    assert "Delete my account" not in response.text


def test_guest_details_are_erased_after_the_retention_period(app, make_municipality,
                                                             make_session):
    town = make_municipality()
    with app.test_request_context():
        old = make_session(town, starts_at=utcnow() - timedelta(days=120),
                           ends_at=utcnow() - timedelta(days=120) + timedelta(hours=2))
        recent = make_session(town, starts_at=utcnow() - timedelta(days=10),
                              ends_at=utcnow() - timedelta(days=10) + timedelta(hours=2))
        gone = _past(old, guest_name="Canary Guest", guest_email="canary.guest@example.org",
                     guest_phone="+32470000000")
        kept = _past(recent, guest_name="Recent Guest", guest_email="recent@example.org")
        assert focusgroups.erase_past_guest_details() == 1
        assert focusgroups.erase_past_guest_details() == 0, "idempotent"
    db.session.expire_all()
    gone, kept = db.session.get(Registration, gone.id), db.session.get(Registration, kept.id)
    assert (gone.guest_name, gone.guest_email, gone.guest_phone, gone.note) == (None, None, None, "")
    assert gone.status == RegistrationStatus.CONFIRMED and gone.anonymised_at is not None
    assert kept.guest_email == "recent@example.org"


def test_retention_jobs_are_scheduled_and_purge_old_account_records(app, make_user):
    from cocreate.accounts import service
    from cocreate.scheduler import load_tasks

    assert {"accounts.purge_expired", "focusgroups.erase_guest_details",
            "surveys.purge_drafts"} <= set(load_tasks())
    person = make_user()
    long_ago = utcnow() - timedelta(days=90)
    db.session.add_all([
        LoginSession(user_id=person.id, key_hash="a" * 64, created_at=long_ago,
                     revoked_at=long_ago),
        LoginSession(user_id=person.id, key_hash="b" * 64),
        PasswordReset(user_id=person.id, token_hash="c" * 64, expires_at=long_ago),
        PasswordReset(user_id=person.id, token_hash="d" * 64,
                      expires_at=utcnow() + timedelta(hours=1)),
    ])
    db.session.flush()
    assert service.purge_expired_records() == 2
    assert {s.key_hash[0] for s in db.session.scalars(sa.select(LoginSession))} >= {"b"}
    assert [r.token_hash[0] for r in db.session.scalars(sa.select(PasswordReset))] == ["d"]
