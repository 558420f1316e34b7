"""Secret links carry at least 128 random bits and are stored only as hashes.

Which secret is bound to whom is tested with each feature: the export download link
(tests/research/test_exports.py::test_the_link_is_personal_and_expires), the calendar feed
and cancel link of a registration (tests/focusgroups), the resume code (tests/surveys).
"""

from __future__ import annotations

import math
import re

import sqlalchemy as sa

from cocreate.extensions import db

URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def _bits_urlsafe(token: str) -> float:
    assert URLSAFE.match(token), token
    return len(token) * 6


def test_resume_codes_carry_130_bits_and_are_stored_hashed(app, make_municipality, make_survey):
    from cocreate.surveys import service
    from cocreate.surveys.models import ResponseDraft

    codes = {service.new_resume_code() for _ in range(2000)}
    assert len(codes) == 2000
    raw = service.normalise_code(next(iter(codes)))
    assert len(raw) * math.log2(32) >= 128
    survey = make_survey(make_municipality())
    with app.test_request_context():
        _draft, code = service.start_draft(survey, language="nl", consent={"participation": True})
    db.session.flush()
    stored = db.session.scalar(sa.select(ResponseDraft.resume_hash))
    assert service.normalise_code(code) not in stored and len(stored) == 64


def test_registration_links_carry_at_least_128_bits(app, make_municipality, make_session):
    from cocreate.focusgroups import service
    from cocreate.focusgroups.models import Registration

    session = make_session(make_municipality())
    with app.test_request_context():
        _registration, token = service.register(
            session, guest_name="G", guest_email="g@example.org", language="nl",
            screening_answers={}, interpretation_language=None, needs_childcare=False,
            accessibility_needs="", note="", consent_audio=False, consent_quotes=False)
    assert _bits_urlsafe(token) >= 128
    assert db.session.scalar(sa.select(Registration.token_hash)) != token


def test_export_links_and_api_tokens_carry_at_least_128_bits(app, make_municipality, make_user,
                                                              make_survey):
    from cocreate.research import tokens
    from cocreate.research.exports import service, targets

    town = make_municipality()
    survey = make_survey(town)
    researcher = make_user(roles=[(town, "researcher")])
    with app.test_request_context():
        export, link = service.create_export(researcher, town,
                                             targets.in_municipality(town, "survey", survey.id), "csv")
        record, secret = tokens.create_token(researcher, name="t", expires_in_days=1)
    assert _bits_urlsafe(link) >= 128 and export.token_hash != link
    body = secret.split("_", 1)[-1] if "_" in secret[:8] else secret
    assert len(body) * 6 >= 128 and record.token_hash != secret


def test_reset_and_invitation_links_carry_at_least_128_bits(app, make_municipality, make_user):
    from cocreate.accounts import service
    from cocreate.core.models import OutboxMessage
    from cocreate.core.permissions import Role

    person = make_user()
    town = make_municipality()
    admin = make_user(roles=[(town, "admin")])
    with app.test_request_context():
        service.request_password_reset(person.email)
        service.invite(admin, town, "new@example.org", Role.OFFICIAL, "en")
    db.session.flush()
    links = [re.search(r"/(?:password/reset|invitations)/([A-Za-z0-9_-]+)", m.body_text).group(1)
             for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]
    assert len(links) == 2 and all(_bits_urlsafe(link) >= 128 for link in links)
