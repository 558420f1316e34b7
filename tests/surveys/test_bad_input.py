"""Property-based: no survey form or endpoint answers 500 or writes half."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocreate.extensions import db
from cocreate.surveys.models import Answer, Question, Response, ResponseDraft, Survey
from tests.surveys.definitions import manage_url, survey_url
from tests.test_bad_input import TEXT

FUZZ = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELDS = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9__Q9_1", "Q10__Q10_r1",
          "Q1__other", "Q3__pnts", "Q11", "action", "submission_token"]


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def survey(make_municipality, make_survey):
    return make_survey(make_municipality())


@FUZZ
@given(data=st.dictionaries(st.sampled_from(FIELDS), TEXT, max_size=8),
       page=st.integers(min_value=0, max_value=5))
def test_answer_pages_never_fail_badly(client, survey, data, page):
    client.post_form(survey_url(survey) + "/", {"participation": "y"})
    response = client.post_form(survey_url(survey) + f"/page/{page}", data)
    assert response.status_code in (200, 302, 400)
    draft = db.session.scalars(sa.select(ResponseDraft)).first()
    assert draft is None or isinstance(draft.answers, dict)


@FUZZ
@given(token=TEXT, code=TEXT, email=TEXT)
def test_submit_resume_and_later_never_fail_badly(client, survey, token, code, email):
    assert client.post_form(survey_url(survey) + "/submit",
                            {"submission_token": token}).status_code in (302, 429)
    assert client.post_form(survey_url(survey) + "/resume", {"code": code}).status_code \
        in (200, 302, 404, 429)
    assert client.post_form(survey_url(survey) + "/later", {"email": email}).status_code \
        in (200, 302, 429)
    assert _count(Response) == 0 and _count(Answer) == 0


@pytest.fixture
def author(client, survey, make_user):
    client.login_as(make_user(roles=[(survey.lab.municipality, "researcher")]))
    return survey


@FUZZ
@given(title=TEXT, mode=TEXT, opens=TEXT, closes=TEXT, default=TEXT)
def test_survey_settings_never_fail_badly(client, author, title, mode, opens, closes, default):
    before = dict(author.title)
    response = client.post_form(manage_url(author), {
        "title__nl": title, "mode": mode, "opens_at": opens, "closes_at": closes,
        "default_language": default, "languages": [default]})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        db.session.refresh(author)
        assert author.title == before


@FUZZ
@given(kind=TEXT | st.sampled_from(["single", "multiple", "matrix", "number", "ranking"]),
       text=TEXT, option=TEXT, low=TEXT, high=TEXT, condition=TEXT, code=TEXT)
def test_question_form_never_fails_badly(client, author, kind, text, option, low, high,
                                         condition, code):
    before = _count(Question)
    response = client.post_form(manage_url(author) + "/questions/new", {
        "section": str(author.sections[0].id), "type": kind, "text__nl": text, "code": code,
        "opt-0-nl": option, "opt-1-nl": option + "2", "row-0-nl": option, "number_min": low,
        "number_max": high, "min_choices": low, "max_choices": high,
        "condition_question": condition, "condition_options": condition, "points": low})
    assert response.status_code in (200, 302, 400, 404)
    if response.status_code != 302:
        assert _count(Question) == before


@FUZZ
@given(title=TEXT, question=TEXT, options=TEXT)
def test_section_form_never_fails_badly(client, author, title, question, options):
    response = client.post_form(manage_url(author) + f"/sections/{author.sections[1].id}", {
        "section-title__nl": title, "condition_question": question,
        "condition_options": options})
    assert response.status_code in (200, 302, 400)


@FUZZ
@given(target=TEXT, block=TEXT, slug=TEXT)
def test_status_block_template_never_fail_badly(client, author, target, block, slug):
    assert client.post_form(manage_url(author) + "/status", {"target": target}).status_code == 302
    assert client.post_form(manage_url(author) + "/blocks", {"block": block}).status_code \
        in (302, 404)
    assert client.post_form(manage_url(author) + "/template", {"slug": slug}).status_code == 302
    assert _count(Survey) == 1
