"""Building surveys: settings, pages, every question type, locks, templates, status."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from cocreate.core.base import utcnow
from cocreate.extensions import db
from cocreate.surveys import authoring
from cocreate.surveys.models import Question, Response, Survey, SurveyTemplate
from cocreate.surveys.service import SurveyError
from tests.surveys.definitions import manage_url, survey_url


@pytest.fixture
def official(make_municipality, make_user, make_lab):
    town = make_municipality()
    lab = make_lab(town)
    return town, lab, make_user(roles=[(town, "official")])


NEW = {"slug": "bevraging", "mode": "anonymous", "default_language": "nl",
       "languages": ["nl", "ar"], "title__nl": "Bevraging", "title__ar": "استبيان",
       "intro__nl": "Uitleg", "opens_at": "", "closes_at": "2030-01-31T18:00"}


def _create(client, town, lab, **changes):
    return client.post_form(f"/en/m/{town.slug}/manage/labs/{lab.slug}/surveys/new",
                            {**NEW, **changes})


def test_create_survey_with_local_closing_time(client, official):
    town, lab, user = official
    client.login_as(user)
    response = _create(client, town, lab)
    assert response.status_code == 302
    survey = db.session.scalars(sa.select(Survey)).one()
    assert survey.title == {"nl": "Bevraging", "ar": "استبيان"} and survey.status == "draft"
    assert survey.closes_at.hour == 17  # 18:00 in Brussels in winter is 17:00 UTC
    assert len(survey.sections) == 1


@pytest.mark.parametrize("change", [
    {"slug": "Bad slug"}, {"mode": "spy"}, {"default_language": "xx"},
    {"title__nl": ""}, {"closes_at": "tomorrow"}, {"opens_at": "2030-02-01T10:00"},
    {"title__nl": "x" * 201}, {"intro__nl": "bad\x00"},
])
def test_bad_survey_settings_change_nothing(client, official, change):
    town, lab, user = official
    client.login_as(user)
    response = _create(client, town, lab, **change)
    assert response.status_code == 200 and "error-summary" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Survey)) == 0


def _question(client, survey, page, **data):
    base = {"section": str(page.id), "type": "single", "text__nl": "Vraag", "points": "5"}
    return client.post_form(manage_url(survey) + "/questions/new", {**base, **data})


@pytest.fixture
def draft_survey(client, official, make_survey):
    town, lab, user = official
    client.login_as(user)
    return make_survey(town, lab=lab, status="draft",
                       definition={"sections": [{"title": {"nl": "P1"}, "questions": []}]})


@pytest.mark.parametrize("kind,extra,check", [
    ("single", {"opt-0-nl": "Ja", "opt-1-nl": "Nee", "opt-1-ar": "لا", "has_other": "y",
                "has_prefer_not": "y"},
     lambda q: [o.code for o in q.options] == ["Q1_1", "Q1_2", "Q1_other", "Q1_pnts"]),
    ("multiple", {"opt-0-nl": "A", "opt-1-nl": "B", "opt-2-nl": "C", "min_choices": "1",
                  "max_choices": "2"}, lambda q: q.settings == {"min_choices": 1, "max_choices": 2}),
    ("likert", {"points": "7", "low_label__nl": "Oneens"},
     lambda q: q.settings["points"] == 7 and q.scale() == list(range(1, 8))),
    ("scale", {}, lambda q: q.scale() == list(range(0, 11))),
    ("number", {"number_min": "0", "number_max": "99", "integer": "y"},
     lambda q: q.settings == {"min": 0.0, "max": 99.0, "integer": True}),
    ("short_text", {"max_length": "80"}, lambda q: q.settings == {"max_length": 80}),
    ("long_text", {}, lambda q: q.settings == {}),
    ("date", {"has_prefer_not": "y"}, lambda q: q.prefer_not is not None),
    ("ranking", {"opt-0-nl": "A", "opt-1-nl": "B"}, lambda q: len(q.choices()) == 2),
    ("matrix", {"row-0-nl": "Wonen", "row-1-nl": "Werk"},
     lambda q: [o.code for o in q.rows()] == ["Q1_r1", "Q1_r2"]),
])
def test_every_question_type_can_be_built(client, draft_survey, kind, extra, check):
    response = _question(client, draft_survey, draft_survey.sections[0], type=kind, **extra)
    assert response.status_code == 302, response.text
    question = db.session.scalars(sa.select(Question)).one()
    assert question.code == "Q1" and question.type == kind and check(question)


@pytest.mark.parametrize("data", [
    {"opt-0-nl": "Alleen één"},                         # a choice needs two options
    {"text__nl": "", "opt-0-nl": "A", "opt-1-nl": "B"},  # no text in the main language
    {"type": "matrix"},                                  # a grid needs rows
    {"type": "number", "number_min": "9", "number_max": "1"},
    {"type": "number", "number_min": "abc"},
    {"type": "multiple", "opt-0-nl": "A", "opt-1-nl": "B", "min_choices": "3", "max_choices": "1"},
    {"type": "teleport"},
    {"code": "1bad", "opt-0-nl": "A", "opt-1-nl": "B"},
    {"section": "999999", "opt-0-nl": "A", "opt-1-nl": "B"},
    {"condition_question": "Q9", "opt-0-nl": "A", "opt-1-nl": "B"},
])
def test_bad_questions_change_nothing(client, draft_survey, data):
    response = _question(client, draft_survey, draft_survey.sections[0], **data)
    assert response.status_code in (400, 404)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_conditions_must_look_backwards(client, draft_survey):
    section = draft_survey.sections[0]
    _question(client, draft_survey, section, **{"opt-0-nl": "A", "opt-1-nl": "B"})
    response = _question(client, draft_survey, section, type="short_text",
                         condition_question="Q1", condition_options="Q1_2")
    assert response.status_code == 302
    q2 = draft_survey.question("Q2") or db.session.scalar(sa.select(Question).filter_by(code="Q2"))
    assert q2.condition == {"question": "Q1", "options": ["Q1_2"]}
    response = client.post_form(manage_url(draft_survey) + f"/questions/{q2.id}/up")
    assert response.status_code == 302
    db.session.refresh(q2)
    assert q2.position == 1  # the move was refused: Q2 depends on Q1


def test_reorder_duplicate_hide_delete(client, draft_survey):
    section = draft_survey.sections[0]
    for _ in range(2):
        _question(client, draft_survey, section, **{"opt-0-nl": "A", "opt-1-nl": "B"})
    q1, q2 = db.session.scalars(sa.select(Question).order_by(Question.code)).all()
    client.post_form(manage_url(draft_survey) + f"/questions/{q2.id}/up")
    db.session.refresh(q1), db.session.refresh(q2)
    assert (q2.position, q1.position) == (0, 1)
    client.post_form(manage_url(draft_survey) + f"/questions/{q1.id}/duplicate")
    copy = db.session.scalar(sa.select(Question).filter_by(code="Q3"))
    assert [o.code for o in copy.options] == ["Q3_1", "Q3_2"]
    client.post_form(manage_url(draft_survey) + f"/questions/{copy.id}/hide")
    db.session.refresh(copy)
    assert copy.is_hidden
    client.post_form(manage_url(draft_survey) + f"/questions/{copy.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 2


def test_with_responses_codes_stay_and_nothing_is_deleted(client, official, make_survey):
    town, lab, user = official
    client.login_as(user)
    survey = make_survey(town, lab=lab)
    db.session.add(Response(survey_id=survey.id, submission_key="k", language="nl",
                            submitted_at=utcnow()))
    db.session.flush()
    q1 = survey.question("Q1")
    client.post_form(manage_url(survey) + f"/questions/{q1.id}/delete")
    assert db.session.get(Question, q1.id) is not None
    response = client.post_form(manage_url(survey) + f"/questions/{q1.id}", {
        "section": str(q1.section_id), "type": "multiple", "text__nl": "Nieuw"})
    assert response.status_code == 400  # type cannot change
    response = client.post_form(manage_url(survey) + f"/questions/{q1.id}", {
        "section": str(q1.section_id), "type": "single", "code": "NEW", "text__nl": "Nieuw",
        "opt-0-nl": "Eén", "opt-1-nl": "", "opt-2-nl": "Drie", "opt-3-nl": "Vier"})
    assert response.status_code == 302
    db.session.refresh(q1)
    assert q1.code == "Q1" and q1.text == {"nl": "Nieuw"}
    options = {o.code: o.is_hidden for o in q1.options}
    assert options["Q1_2"] is True and options["Q1_1"] is False and "Q1_4" in options
    assert client.get(manage_url(survey)).status_code == 200


def test_mode_cannot_change_once_answered(official, make_survey):
    town, lab, user = official
    survey = make_survey(town, lab=lab)
    db.session.add(Response(survey_id=survey.id, submission_key="k2", language="nl",
                            submitted_at=utcnow()))
    db.session.flush()
    with pytest.raises(SurveyError):
        authoring.update_survey(user, survey, title=survey.title, intro={}, thanks={},
                                consent_text={}, mode="identified", opens_at=None,
                                closes_at=None, default_language="nl", languages=["nl"])


def test_status_publish_close_reopen(client, official, make_survey):
    town, lab, user = official
    client.login_as(user)
    survey = make_survey(town, lab=lab, status="draft")
    url = manage_url(survey) + "/status"
    client.post_form(url, {"target": "open"})
    db.session.refresh(survey)
    assert survey.status == "open"
    client.post_form(url, {"target": "closed"})
    db.session.refresh(survey)
    assert survey.status == "closed"
    client.post_form(url, {"target": "draft"})
    db.session.refresh(survey)
    assert survey.status == "closed"


def test_publishing_with_a_future_opening_schedules(official, make_survey):
    town, lab, user = official
    survey = make_survey(town, lab=lab, status="draft", opens_at=utcnow() + timedelta(hours=2),
                         closes_at=utcnow() + timedelta(days=2))
    authoring.change_status(user, survey, "open")
    assert survey.status == "scheduled" and not survey.is_accepting()
    assert authoring.open_and_close_due(utcnow() + timedelta(hours=3)) == 1
    assert survey.status == "open"
    assert authoring.open_and_close_due(utcnow() + timedelta(days=3)) == 1
    assert survey.status == "closed"
    assert authoring.open_and_close_due(utcnow() + timedelta(days=4)) == 0


def test_empty_survey_cannot_be_published(official, make_survey):
    town, lab, user = official
    survey = make_survey(town, lab=lab, status="draft",
                         definition={"sections": [{"title": {"nl": "P"}, "questions": []}]})
    with pytest.raises(SurveyError):
        authoring.change_status(user, survey, "open")


def test_about_you_block_and_template_across_towns(client, official, make_survey,
                                                   make_municipality, make_user, make_lab):
    town, lab, user = official
    client.login_as(user)
    survey = make_survey(town, lab=lab, status="draft",
                         definition={"sections": [{"title": {"nl": "P"}, "questions": []}]})
    client.post_form(manage_url(survey) + "/blocks", {"block": "about-you"})
    db.session.refresh(survey)
    codes = [q.code for q in survey.questions]
    assert "AY_BIRTH" in codes and survey.question("AY_BIRTH").dimension == "origin"
    client.post_form(manage_url(survey) + "/blocks", {"block": "about-you"})  # codes in use
    assert len(survey.questions) == len(codes)
    client.post_form(manage_url(survey) + "/template", {"slug": "samen-template"})
    template = db.session.scalars(sa.select(SurveyTemplate)).one()
    other_town = make_municipality(languages=["nl", "fr"])
    other_lab = make_lab(other_town, languages=["nl", "fr"])
    client.login_as(make_user(roles=[(other_town, "researcher")]))
    response = client.post_form(
        f"/en/m/{other_town.slug}/manage/labs/{other_lab.slug}/surveys/from-template",
        {"template": str(template.id), "slug": "kopie"})
    assert response.status_code == 400  # another town's template is not offered
    assert db.session.scalar(sa.select(Survey).filter_by(slug="kopie")) is None
    template.municipality_id = None  # shared in the library
    db.session.flush()
    response = client.post_form(
        f"/en/m/{other_town.slug}/manage/labs/{other_lab.slug}/surveys/from-template",
        {"template": str(template.id), "slug": "kopie"})
    assert response.status_code == 302
    copy = db.session.scalar(sa.select(Survey).filter_by(slug="kopie"))
    assert [q.code for q in copy.questions] == [q.code for q in survey.questions]
    assert copy.template_id == survey.template_id == template.id


def test_preview_in_each_language_and_editor_pages(client, official, make_survey):
    town, lab, user = official
    client.login_as(user)
    survey = make_survey(town, lab=lab)
    preview = client.get(manage_url(survey, "ar") + "/preview")
    assert preview.status_code == 200 and "Question Q1 (ar)" in preview.text
    editor = client.get(manage_url(survey)).text
    assert "Q12" in editor and "not yet translated into: Français" not in editor
    assert client.get(manage_url(survey) + f"/questions/{survey.questions[0].id}").status_code == 200
    assert client.get(manage_url(survey) + f"/sections/{survey.sections[1].id}").status_code == 200
    assert "Surveys" in client.get(f"/en/m/{town.slug}/manage/labs/{lab.slug}").text
    assert "Survey" in client.get(f"/en/m/{town.slug}/labs/{lab.slug}/").text
    assert client.get(survey_url(survey) + "/").status_code == 200


def test_section_condition(client, official, make_survey):
    town, lab, user = official
    client.login_as(user)
    survey = make_survey(town, lab=lab, status="draft")
    second = survey.sections[1]
    response = client.post_form(manage_url(survey) + f"/sections/{second.id}", {
        "section-title__nl": "Tweede", "condition_question": "Q1",
        "condition_options": "Q1_1 Q1_3"})
    assert response.status_code == 302
    db.session.refresh(second)
    assert second.condition == {"question": "Q1", "options": ["Q1_1", "Q1_3"]}
    response = client.post_form(manage_url(survey) + f"/sections/{second.id}", {
        "section-title__nl": "Tweede", "condition_question": "Q12", "condition_options": "x"})
    assert response.status_code == 400
