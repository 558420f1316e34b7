"""One-time invitation links: needed when invitation-only, used once, never linked
to an anonymous response."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from cocreate.core.models import OutboxMessage
from cocreate.extensions import db
from cocreate.surveys.models import Response, SurveyInvitation
from tests.surveys.definitions import manage_url, survey_url


@pytest.fixture
def author(client, make_municipality, make_user):
    town = make_municipality()
    client.login_as(make_user(roles=[(town, "official")]))
    return town


def _links(client, survey, count="2"):
    page = client.post_form(manage_url(survey) + "/invitations",
                            {"action": "links", "links-count": count})
    assert page.status_code == 200
    return re.findall(r'<code dir="ltr">http://cocreate\.test(/[^<]+)</code>', page.text)


def _answer(client, survey, link):
    client.get(link.replace("&amp;", "&"))
    client.post_form(survey_url(survey) + "/", {"participation": "y"})
    client.post_form(survey_url(survey) + "/page/0", {"Q1": "Q1_3"})
    review = client.get(survey_url(survey) + "/review").text
    token = re.search(r'name="submission_token" value="([^"]+)"', review)
    if token:
        client.post_form(survey_url(survey) + "/submit", {"submission_token": token.group(1)})


@pytest.mark.parametrize("mode", ["anonymous", "identified"])
def test_invitation_only_survey(client, app, author, make_survey, mode):
    survey = make_survey(author, mode=mode, invitation_only=True)
    links = _links(client, survey)
    assert len(links) == 2 and db.session.scalar(
        sa.select(sa.func.count()).select_from(SurveyInvitation)) == 2
    visitor = app.test_client()
    assert "invitation only" in visitor.get(survey_url(survey) + "/").text
    visitor.post_form(survey_url(survey) + "/", {"participation": "y"})
    assert visitor.get(survey_url(survey) + "/page/0").status_code == 302  # no draft
    _answer(visitor, survey, links[0])
    response = db.session.scalars(sa.select(Response)).one()
    invitation = db.session.scalars(sa.select(SurveyInvitation)
                                    .where(SurveyInvitation.used_at.is_not(None))).one()
    if mode == "anonymous":
        assert response.invitation_id is None
    else:
        assert response.invitation_id == invitation.id and response.user_id is None
    again = app.test_client()
    _answer(again, survey, links[0])  # the same link a second time
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1


def test_invitations_by_email(client, author, make_survey):
    survey = make_survey(author, invitation_only=True)
    response = client.post_form(manage_url(survey) + "/invitations", {
        "action": "mail", "mail-addresses": "a@example.org\nB@example.org\n\na@example.org",
        "mail-language": "ar"})
    assert response.status_code == 302
    messages = db.session.scalars(sa.select(OutboxMessage)).all()
    assert sorted(m.to_address for m in messages) == ["a@example.org", "b@example.org"]
    assert all(m.language == "ar" and "invitation=" in m.body_text for m in messages)
    assert "example.org" not in str(db.session.execute(sa.select(SurveyInvitation)).all())


@pytest.mark.parametrize("data", [
    {"action": "links", "links-count": "0"}, {"action": "links", "links-count": "1001"},
    {"action": "links", "links-count": "abc"},
    {"action": "mail", "mail-addresses": "not an address", "mail-language": "nl"},
    {"action": "mail", "mail-addresses": "a@example.org", "mail-language": "xx"},
    {"action": "mail", "mail-addresses": "\n".join(f"p{i}@example.org" for i in range(501)),
     "mail-language": "nl"},
])
def test_bad_invitation_requests_change_nothing(client, author, make_survey, data):
    survey = make_survey(author)
    response = client.post_form(manage_url(survey) + "/invitations", data)
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyInvitation)) == 0
    assert client.post_form(manage_url(survey) + "/invitations", {"action": "x"}).status_code == 400
