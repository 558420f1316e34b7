"""The per-process instrument copy: every edit raises the version, a stale copy is never used."""

from __future__ import annotations

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.surveys.instrument import instrument_of
from cocreate.surveys.models import Option, Question, Response, Section
from tests.surveys.definitions import survey_url, t
from tests.surveys.test_answering import answer_all


def _version(survey):
    db.session.flush()
    return survey.instrument_version


def test_the_copy_is_shared_until_the_instrument_changes(make_municipality, make_survey):
    survey = make_survey(make_municipality())
    first = instrument_of(survey)
    assert instrument_of(survey) is first
    assert [q.code for q in first.questions] == [q.code for q in survey.questions]
    assert first.sections[0].questions[0].options[0].code == "Q1_1"

    question = db.session.scalar(sa.select(Question).where(Question.survey_id == survey.id,
                                                           Question.code == "Q6"))
    question.required = True
    db.session.flush()
    second = instrument_of(survey)
    assert second is not first
    assert next(q for q in second.questions if q.code == "Q6").required


def test_every_kind_of_edit_raises_the_version(make_municipality, make_survey):
    survey = make_survey(make_municipality())
    seen = [_version(survey)]

    question = survey.sections[0].questions[0]
    question.text = {**question.text, "en": "Changed"}
    seen.append(_version(survey))

    question.options[0].label = t("Relabelled")
    seen.append(_version(survey))

    question.options.append(Option(code="Q1_new", kind="choice", label=t("New")))
    seen.append(_version(survey))

    db.session.delete(question.options[-1])
    seen.append(_version(survey))

    section = Section(survey=survey, position=9, title=t("Extra"))
    db.session.add(section)
    seen.append(_version(survey))

    db.session.add(Question(survey=survey, section=section, code="Q99", type="short_text",
                            text=t("Extra")))
    seen.append(_version(survey))

    survey.sections[0].condition = {"question": "Q1", "options": ["Q1_1"]}
    seen.append(_version(survey))

    assert seen == sorted(set(seen)), seen  # strictly rising: each edit counted


def test_reading_and_answering_do_not_raise_the_version(client, make_municipality, make_survey):
    survey = make_survey(make_municipality())
    before = _version(survey)
    token = answer_all(client, survey)
    client.post_form(survey_url(survey) + "/submit", {"submission_token": token})
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1
    assert _version(survey) == before


def test_a_submit_after_an_edit_is_checked_against_the_new_instrument(
        client, make_municipality, make_survey):
    survey = make_survey(make_municipality())
    instrument_of(survey)  # warm the copy
    token = answer_all(client, survey)
    # While the person reviews, an author makes a question they skipped required.
    question = db.session.scalar(sa.select(Question).where(Question.survey_id == survey.id,
                                                           Question.code == "Q8"))
    question.required = True
    db.session.flush()
    response = client.post_form(survey_url(survey) + "/submit", {"submission_token": token})
    assert response.headers["Location"].endswith("/review")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0
