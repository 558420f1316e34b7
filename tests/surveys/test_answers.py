"""The answer rules: every type, every kind of bad value, conditions, long rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from cocreate.surveys import answers as rules


@pytest.fixture
def survey(make_municipality, make_survey):
    return make_survey(make_municipality())


def parse(survey, code, data):
    return rules.parse_question(survey.question(code), MultiDict(data), "en")


@pytest.mark.parametrize("code,data,expected", [
    ("Q1", [("Q1", "Q1_2")], {"option": "Q1_2"}),
    ("Q1", [("Q1", "Q1_pnts")], {"option": "Q1_pnts"}),
    ("Q1", [("Q1", "Q1_other"), ("Q1__other", " Mijn antwoord ")],
     {"option": "Q1_other", "other": "Mijn antwoord", "lang": "en"}),
    ("Q2", [("Q2", "Q2_1"), ("Q2", "Q2_3")], {"options": ["Q2_1", "Q2_3"]}),
    ("Q3", [("Q3", "4")], {"value": 4}),
    ("Q3", [("Q3", "Q3_pnts")], {"option": "Q3_pnts"}),
    ("Q4", [("Q4", "0")], {"value": 0}),
    ("Q5", [("Q5", "42")], {"value": "42"}),
    ("Q6", [("Q6", "مرحبا")], {"text": "مرحبا", "lang": "en"}),
    ("Q8", [("Q8", "2026-03-29")], {"date": "2026-03-29"}),
    ("Q9", [("Q9__Q9_1", "2"), ("Q9__Q9_2", "3"), ("Q9__Q9_3", "1")],
     {"ranking": ["Q9_3", "Q9_1", "Q9_2"]}),
    ("Q10", [("Q10__Q10_r1", "5"), ("Q10__Q10_r2", "1")], {"rows": {"Q10_r1": 5, "Q10_r2": 1}}),
    ("Q1", [], None),
])
def test_valid_answers(survey, code, data, expected):
    assert parse(survey, code, data) == (expected, None)


@pytest.mark.parametrize("code,data", [
    ("Q1", [("Q1", "Q99_1")]),                      # forged option code
    ("Q1", [("Q1", "Q1_1"), ("Q1", "Q1_2")]),        # two answers to a single choice
    ("Q1", [("Q1", "Q1_other")]),                   # "other" without text
    ("Q1", [("Q1", "Q1_other"), ("Q1__other", "x" * 201)]),
    ("Q2", [("Q2", "Q2_1"), ("Q2", "Q2_2"), ("Q2", "Q2_3")]),  # too many choices
    ("Q2", [("Q2", "Q1_1")]),                       # option of another question
    ("Q3", [("Q3", "6")]), ("Q3", [("Q3", "-1")]), ("Q3", [("Q3", "2.5")]),
    ("Q4", [("Q4", "11")]),
    ("Q5", [("Q5", "121")]), ("Q5", [("Q5", "-1")]), ("Q5", [("Q5", "4.5")]),
    ("Q5", [("Q5", "abc")]), ("Q5", [("Q5", "NaN")]), ("Q5", [("Q5", "1e400")]),
    ("Q6", [("Q6", "x" * 51)]), ("Q6", [("Q6", "bad\x00text")]), ("Q6", [("Q6", "two\nlines")]),
    ("Q7", [("Q7", "y" * 5001)]),
    ("Q8", [("Q8", "2026-02-30")]), ("Q8", [("Q8", "1066-10-14")]), ("Q8", [("Q8", "soon")]),
    ("Q9", [("Q9__Q9_1", "1"), ("Q9__Q9_2", "1"), ("Q9__Q9_3", "2")]),  # same place twice
    ("Q9", [("Q9__Q9_1", "1")]),                    # incomplete ranking
    ("Q9", [("Q9__Q9_1", "4"), ("Q9__Q9_2", "1"), ("Q9__Q9_3", "2")]),
    ("Q10", [("Q10__Q10_r1", "9")]),
])
def test_bad_answers_are_refused_with_a_message(survey, code, data):
    answer, error = parse(survey, code, data)
    assert answer is None and error


def test_conditions_decide_visibility_and_required(survey):
    page = survey.sections[0]
    result = rules.parse_page(page, MultiDict([("Q1", "Q1_1")]), "en", {})
    assert "Q11" in result.errors  # Q11 is shown for Q1_1 and required
    result = rules.parse_page(page, MultiDict([("Q1", "Q1_3"), ("Q11", "Q11_1")]), "en", {})
    assert result.errors == {} and "Q11" not in result.answers  # hidden: discarded
    assert [s.title["en"] for s in rules.visible_sections(survey, {"Q1": {"option": "Q1_2"}})] \
        == ["First page", "Second page"]
    assert len(rules.visible_sections(survey, {"Q1": {"option": "Q1_1"}})) == 1


def test_prune_hidden_and_final_check(survey):
    answers = {"Q1": {"option": "Q1_3"}, "Q11": {"option": "Q11_1"},
               "Q12": {"text": "x", "lang": "en"}}
    assert set(rules.prune_hidden(survey, answers)) == {"Q1"}
    assert set(rules.check_complete(survey, {"Q1": {"option": "Q1_2"}})) == {"Q12"}


def test_answer_rows_are_long_format(survey):
    answers = {"Q1": {"option": "Q1_other", "other": "Eigen", "lang": "nl"},
               "Q2": {"options": ["Q2_1", "Q2_2"]}, "Q3": {"value": 4},
               "Q6": {"text": "مرحبا", "lang": "ar"}, "Q9": {"ranking": ["Q9_2", "Q9_1", "Q9_3"]},
               "Q10": {"rows": {"Q10_r1": 2}}}
    rows = rules.answer_rows(survey, answers)
    assert {"question_code": "Q1", "option_code": "Q1_other", "value_text": "Eigen",
            "text_language": "nl"} in rows
    assert [r["option_code"] for r in rows if r["question_code"] == "Q2"] == ["Q2_1", "Q2_2"]
    assert {"question_code": "Q6", "value_text": "مرحبا", "text_language": "ar"} in rows
    assert {"question_code": "Q9", "option_code": "Q9_2", "value_number": Decimal(1)} in rows
    assert {"question_code": "Q10", "item_code": "Q10_r1", "value_number": Decimal(2)} in rows


def test_form_values_round_trip(survey):
    answers = {"Q1": {"option": "Q1_other", "other": "Eigen", "lang": "nl"},
               "Q3": {"option": "Q3_pnts"}, "Q5": {"value": "7"},
               "Q9": {"ranking": ["Q9_2", "Q9_1", "Q9_3"]}}
    values = rules.form_values(survey, answers)
    for code in answers:
        assert rules.parse_question(survey.question(code), values, "nl")[0] == answers[code]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(st.tuples(
    st.sampled_from(["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9__Q9_1", "Q10__Q10_r1",
                     "Q1__other", "Q5__pnts", "Q11"]),
    st.text(max_size=30) | st.sampled_from(["Q1_1", "Q2_2", "Q1_other", "3", "-0", "1e9"])),
    max_size=12))
def test_any_input_gives_an_answer_or_a_message(survey, data):
    result = rules.parse_page(survey.sections[0], MultiDict(data), "en", {})
    for code, answer in result.answers.items():
        assert code not in result.errors
        rules.answer_rows(survey, {code: answer})
