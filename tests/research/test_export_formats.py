"""Every export format written and read back: CSV (wide and long), XLSX, SPSS, Stata,
codebooks. Compared with the stored answers of a survey with every question type,
on SQLite and PostgreSQL; Arabic and emoji, formula escaping, empty surveys."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from cocreate.extensions import db
from cocreate.research import pseudonyms
from cocreate.surveys.models import Answer

BOM = b"\xef\xbb\xbf"

#: Every question type of tests/surveys/definitions.py, with Arabic, emoji and
#: text a spreadsheet would take for a formula.
ANSWERS_A = {
    "Q1": {"option": "Q1_2"},
    "Q2": {"options": ["Q2_1", "Q2_other"], "other": "في المكتبة 📚", "lang": "ar"},
    "Q3": {"value": 4},
    "Q4": {"value": 10},
    "Q5": {"value": "33"},
    "Q6": {"text": "=1+2", "lang": "nl"},
    "Q7": {"text": "أتمنى دروسًا مساءً 🌙\nسطر ثانٍ", "lang": "ar"},
    "Q8": {"date": "2026-03-31"},
    "Q9": {"ranking": ["Q9_3", "Q9_1", "Q9_2"]},
    "Q10": {"rows": {"Q10_r1": 5, "Q10_r2": 2}},
    "Q12": {"text": "@home", "lang": "nl"},
}
ANSWERS_B = {"Q1": {"option": "Q1_other", "other": "+32 zelf", "lang": "nl"},
             "Q3": {"option": "Q3_pnts"}, "Q5": {"value": "0"}}
ANSWERS_C = {"Q1": {"option": "Q1_pnts"}}

WIDE_COLUMNS = [
    "participant_id", "municipality", "survey", "language", "assisted", "assisted_language", "submitted",
    "Q1", "Q1_other", "Q1_other_lang", "Q2_1", "Q2_2", "Q2_3", "Q2_4", "Q2_other_choice", "Q2_other",
    "Q2_other_lang", "Q3", "Q3_pnts", "Q4", "Q5", "Q6", "Q6_lang", "Q7", "Q7_lang", "Q8", "Q9_1", "Q9_2",
    "Q9_3", "Q10_r1", "Q10_r2", "Q11", "Q12", "Q12_lang",
]


# -- Helpers shared by the export tests -----------------------------------------------------


def respond(survey, answers, *, user=None, language="nl", research=True, assisted=None):
    """Submit a response through the real answering service."""
    from cocreate.surveys.service import start_draft, submit

    draft, _code = start_draft(survey, language=language, user=user, assisted_language=assisted,
                               consent={"participation": True, "research": research})
    draft.answers = answers
    response = submit(survey, draft, draft.submission_token)
    db.session.flush()
    return response


def export_file(tmp_path, target_type, reference, fmt, name=None):
    """Run an export through the service (the CLI's path) and return the file's bytes."""
    from cocreate.research.exports.service import export_to_path

    path = tmp_path / (name or f"export-{target_type}-{fmt}")
    export = export_to_path(target_type, str(reference), fmt, str(path))
    return path.read_bytes(), export, path


def readable(data: bytes) -> bytes:
    """The bytes to search for personal data (an XLSX file is a zip: its members)."""
    import zipfile

    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def survey(make_municipality, make_survey):
    return make_survey(make_municipality("ninove-x"), slug="wensen")


@pytest.fixture
def three(survey):
    """Responses A (Arabic, everything), B ("other" and prefer-not), C (prefer-not)."""
    return [respond(survey, ANSWERS_A, language="ar", assisted="ar"), respond(survey, ANSWERS_B),
            respond(survey, ANSWERS_C, language="en")]


# -- CSV -----------------------------------------------------------------------------------


def test_wide_csv_has_every_question_type_as_documented(tmp_path, survey, three):
    data, export, _ = export_file(tmp_path, "survey", survey.id, "csv")
    assert data.startswith(BOM) and b"\r\n" in data
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert next(reader) == WIDE_COLUMNS
    rows = read_csv(data)
    assert export.row_count == 3 and len(rows) == 3
    a, b, c = rows
    assert a["participant_id"] == pseudonyms.response_id(three[0].id)
    assert (a["municipality"], a["survey"], a["language"], a["assisted"], a["assisted_language"]) == \
        ("ninove-x", "wensen", "ar", "1", "ar")
    assert a["submitted"] == three[0].submitted_at.date().isoformat()  # the day only
    assert a["Q1"] == "Q1_2" and a["Q1_other"] == ""
    assert [a[f"Q2_{i}"] for i in (1, 2, 3, 4)] == ["1", "0", "0", "0"]
    assert a["Q2_other_choice"] == "1"
    assert (a["Q2_other"], a["Q2_other_lang"]) == ("في المكتبة 📚", "ar")
    assert (a["Q3"], a["Q3_pnts"], a["Q4"], a["Q5"]) == ("4", "0", "10", "33")
    assert (a["Q6"], a["Q6_lang"]) == ("'=1+2", "nl")  # never a formula
    assert (a["Q7"], a["Q7_lang"]) == ("أتمنى دروسًا مساءً 🌙\nسطر ثانٍ", "ar")
    assert a["Q8"] == "2026-03-31"
    assert (a["Q9_1"], a["Q9_2"], a["Q9_3"]) == ("2", "3", "1")
    assert (a["Q10_r1"], a["Q10_r2"]) == ("5", "2")
    assert a["Q11"] == "" and (a["Q12"], a["Q12_lang"]) == ("'@home", "nl")
    assert (b["Q1"], b["Q1_other"], b["Q1_other_lang"]) == ("Q1_other", "'+32 zelf", "nl")
    assert (b["Q3"], b["Q3_pnts"], b["Q5"]) == ("", "1", "0")
    assert b["Q2_1"] == "" and b["assisted"] == "0"  # not answered: empty, not 0
    assert c["Q1"] == "Q1_pnts" and c["language"] == "en"


def test_long_csv_matches_the_stored_answers(tmp_path, survey, three):
    data, export, _ = export_file(tmp_path, "survey", survey.id, "csv-long")
    rows = read_csv(data)
    assert list(rows[0]) == ["participant_id", "question_code", "item_code", "option_code", "value_number",
                             "value_text", "text_language"]
    person = {r.id: pseudonyms.response_id(r.id) for r in three}
    stored = db.session.execute(sa.select(Answer.response_id, Answer.question_code, Answer.item_code,
                                          Answer.option_code, Answer.value_number, Answer.value_text,
                                          Answer.text_language).where(Answer.survey_id == survey.id)).all()

    def cell(value):
        from cocreate.research.exports.responses import number

        if value is None:
            return ""
        if isinstance(value, str):
            return "'" + value if value.startswith(("=", "+", "-", "@")) else value
        return str(number(value))

    expected = sorted(tuple([person[row[0]], *(cell(v) for v in row[1:])]) for row in stored)
    assert sorted(tuple(row.values()) for row in rows) == expected
    assert export.row_count == len(stored) > 15


# -- XLSX ----------------------------------------------------------------------------------


def test_xlsx_has_data_and_codebook_sheets_without_formulas(tmp_path, survey, three):
    from openpyxl import load_workbook

    data, export, path = export_file(tmp_path, "survey", survey.id, "xlsx", "x.xlsx")
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["data", "codebook"]
    rows = list(workbook["data"].iter_rows(values_only=True))
    assert list(rows[0]) == WIDE_COLUMNS and len(rows) == 4 and export.row_count == 3
    a = dict(zip(rows[0], rows[1], strict=True))
    assert a["Q1"] == "Q1_2" and a["Q3"] == 4 and a["Q5"] == 33 and a["Q9_3"] == 1
    assert a["Q6"] == "'=1+2" and a["Q12"] == "'@home"
    assert a["Q7"] == "أتمنى دروسًا مساءً 🌙\nسطر ثانٍ" and a["Q2_other"] == "في المكتبة 📚"
    for row in workbook["data"].iter_rows():
        assert all(cell.data_type != "f" for cell in row)
    codebook = list(workbook["codebook"].iter_rows(values_only=True))
    header = codebook[0]
    q1 = dict(zip(header, next(r for r in codebook if r[1] == "Q1"), strict=True))
    assert q1["label_ar"] == "Question Q1 (ar)" and "1 = Q1_1" in q1["values"]
    assert "5 = Q1_pnts" in q1["values"]


# -- SPSS and Stata ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_spss_and_stata_files_have_numbers_and_labels(tmp_path, survey, three, fmt):
    import pyreadstat

    _data, export, path = export_file(tmp_path, "survey", survey.id, fmt, f"x.{fmt}")
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    frame, meta = reader(str(path), output_format="polars", user_missing=fmt == "sav")
    assert export.row_count == 3 and frame.height == 3
    assert frame.columns == WIDE_COLUMNS  # every name is already valid for both
    rows = frame.to_dicts()
    a, b, c = rows
    assert a["Q1"] == 2 and b["Q1"] == 4 and c["Q1"] == 5  # 1..n in option order
    assert a["Q2_1"] == 1 and a["Q2_2"] == 0 and b["Q2_1"] is None
    assert a["Q3"] == 4 and b["Q3"] is None and b["Q3_pnts"] == 1 and a["Q5"] == 33
    assert a["Q7"] == "أتمنى دروسًا مساءً 🌙\nسطر ثانٍ" and a["Q2_other"] == "في المكتبة 📚"
    assert a["Q6"] == "=1+2"  # no spreadsheet here: the text is kept as written
    assert a["participant_id"] == pseudonyms.response_id(three[0].id)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["Q1"] == "Question Q1 (nl)" and labels["Q2_1"] == "Question Q2 (nl) — Option 1 (nl)"
    values = meta.variable_value_labels
    assert values["Q1"] == {1: "Option 1 (nl) [Q1_1]", 2: "Option 2 (nl) [Q1_2]", 3: "Option 3 (nl) [Q1_3]",
                            4: "Other (nl) [Q1_other]", 5: "Prefer not (nl) [Q1_pnts]"}
    with force_locale("nl"):  # the survey's main language, also for interface words
        assert values["Q2_1"] == {0: gettext("No"), 1: gettext("Yes")}
    if fmt == "sav":
        assert meta.missing_ranges["Q1"] == [{"lo": 5.0, "hi": 5.0}]
        assert meta.variable_measure["Q1"] == "nominal" and meta.variable_measure["Q5"] == "scale"


def test_arabic_labels_in_spss_and_stata(tmp_path, make_municipality, make_survey):
    import pyreadstat

    from tests.surveys.definitions import question

    long_text = "سؤال طويل جدًا " * 30
    definition = {"sections": [{"title": {"ar": "قسم"}, "condition": None, "questions": [
        {**question("Q1", "single", options=[
            {"code": "Q1_1", "kind": "choice", "label": {"ar": "بلجيكا 🇧🇪" * 20}},
            {"code": "Q1_2", "kind": "choice", "label": {"ar": "مكان آخر"}}]), "text": {"ar": long_text}},
    ]}]}
    survey = make_survey(make_municipality(), definition=definition)
    survey.default_language = "ar"
    respond(survey, {"Q1": {"option": "Q1_1"}}, language="ar")
    for fmt, reader in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        _data, _export, path = export_file(tmp_path, "survey", survey.id, fmt, f"ar.{fmt}")
        frame, meta = reader(str(path), output_format="polars")
        label = dict(zip(meta.column_names, meta.column_labels, strict=True))["Q1"]
        assert label.startswith("سؤال طويل") and label.endswith("…")  # cut to the format's limit
        assert meta.variable_value_labels["Q1"][2] == "مكان آخر [Q1_2]"
        assert meta.variable_value_labels["Q1"][1].startswith("بلجيكا 🇧🇪")
        assert frame["Q1"].to_list() == [1]
    book = json.loads(export_file(tmp_path, "survey", survey.id, "codebook-json")[0])
    q1 = next(v for v in book["variables"] if v["name"] == "Q1")
    assert q1["label"]["ar"] == long_text and q1["values"][1]["label"]["ar"] == "مكان آخر"
    page = export_file(tmp_path, "survey", survey.id, "codebook-html")[0].decode("utf-8")
    assert '<span lang="ar" dir="rtl">مكان آخر</span>' in page


# -- Codebooks -----------------------------------------------------------------------------


def test_codebook_json_lists_every_variable_in_every_language(tmp_path, survey, three):
    data, export, _ = export_file(tmp_path, "survey", survey.id, "codebook-json")
    book = json.loads(data)
    assert book["survey"]["languages"] == ["nl", "en", "ar"] and book["survey"]["slug"] == "wensen"
    variables = {v["name"]: v for v in book["variables"]}
    assert [v["name"] for v in book["variables"]] == WIDE_COLUMNS and export.row_count == len(WIDE_COLUMNS)
    q1 = variables["Q1"]
    assert q1["label"] == {"nl": "Question Q1 (nl)", "en": "Question Q1", "ar": "Question Q1 (ar)"}
    assert q1["storage"] == "code" and q1["stats_name"] == "Q1" and q1["question_type"] == "single"
    assert [(v["code"], v["number"], v["missing"]) for v in q1["values"]] == [
        ("Q1_1", 1, False), ("Q1_2", 2, False), ("Q1_3", 3, False), ("Q1_other", 4, False), ("Q1_pnts", 5, True)]
    assert q1["values"][0]["label"] == {"nl": "Option 1 (nl)", "en": "Option 1", "ar": "Option 1 (ar)"}
    assert variables["Q2_other_choice"]["option"] == "Q2_other"
    assert variables["Q10_r1"]["item"] == "Q10_r1" and variables["Q10_r1"]["storage"] == "integer"
    assert variables["participant_id"]["description"]


def test_codebook_html_is_a_standalone_page(tmp_path, survey, three):
    data, _export, _ = export_file(tmp_path, "survey", survey.id, "codebook-html")
    page = data.decode("utf-8")
    assert page.startswith("<!doctype html>") or "<!doctype html>" in page[:400]
    assert '<span lang="ar" dir="rtl">Question Q1 (ar)</span>' in page
    assert "<code>Q1_pnts</code>" in page and "<script" not in page and "style=" not in page


def test_variable_names_are_valid_for_spss_and_stata():
    from cocreate.research.exports.layout import stats_name

    taken: set[str] = set()
    names = [stats_name(name, taken) for name in
             ["Q1", "q1", "1st", "with", "_x", "x" * 40, "x" * 40, "é-teken", "str12", "AY_BIRTH_1"]]
    assert names == ["Q1", "q1_2", "v1st", "v_with", "v_x", "x" * 28, "x" * 26 + "_2", "v__teken",
                     "v_str12", "AY_BIRTH_1"]


# -- Edge cases ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "csv-long", "xlsx", "sav", "dta", "codebook-json", "codebook-html"])
def test_an_empty_survey_exports_valid_files(tmp_path, survey, fmt):
    data, export, path = export_file(tmp_path, "survey", survey.id, fmt, f"empty.{fmt}")
    if fmt in ("csv", "csv-long"):
        assert read_csv(data) == [] and data.count(b"\r\n") == 1
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        assert list(load_workbook(path)["data"].iter_rows(values_only=True)) == [tuple(WIDE_COLUMNS)]
    elif fmt in ("sav", "dta"):
        import pyreadstat

        frame, _meta = (pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta)(
            str(path), output_format="polars")
        assert frame.height == 0 and frame.columns == WIDE_COLUMNS
    if fmt.startswith("codebook"):
        assert export.row_count == len(WIDE_COLUMNS)
    else:
        assert export.row_count == 0


def test_only_research_consent_is_exported(tmp_path, survey, make_user):
    from cocreate.accounts import consents
    from cocreate.accounts.models import ConsentRecord

    survey.mode = "identified"
    kept = respond(survey, ANSWERS_C, user=make_user())
    respond(survey, ANSWERS_C, user=make_user(), research=False)
    leaving = make_user()
    withdrawn = respond(survey, ANSWERS_C, user=leaving)
    record = db.session.scalar(sa.select(ConsentRecord).where(
        ConsentRecord.response_id == withdrawn.id, ConsentRecord.scope == "research"))
    consents.withdraw(leaving, record.id)
    db.session.flush()
    for fmt in ("csv", "csv-long"):
        data, export, _ = export_file(tmp_path, "survey", survey.id, fmt)
        ids = {row["participant_id"] for row in read_csv(data)}
        assert ids == {pseudonyms.person_id(survey.lab_id, user_id=kept.user_id)}


def test_identified_responses_carry_the_time_and_no_personal_data(tmp_path, survey, make_user):
    survey.mode = "identified"
    person = make_user(email="fatima.el@example.org", name="Fatima El Amrani")
    response = respond(survey, ANSWERS_A, user=person)
    outputs = [export_file(tmp_path, "survey", survey.id, fmt, f"p.{fmt}")[0]
               for fmt in ("csv", "csv-long", "xlsx", "sav", "dta", "codebook-json", "codebook-html")]
    row = read_csv(outputs[0])[0]
    assert row["participant_id"] == pseudonyms.person_id(survey.lab_id, user_id=person.id)
    assert row["submitted"].endswith("Z") and row["submitted"].startswith(response.submitted_at.date().isoformat())
    for data in map(readable, outputs):
        for secret in (b"fatima", b"Fatima", b"example.org", b"El Amrani", b"user_id", b"email"):
            assert secret not in data
