"""The codebook of a wide response export, as JSON, as an HTML file and as an XLSX sheet.

It lists every variable in column order: its CSV name and its SPSS/Stata name,
the question it comes from, its type, the question text (with the option or row)
in every language of the survey, and for choice questions each option's code,
its number in SPSS/Stata and its label in every language.
"""

from __future__ import annotations

import json

from flask import render_template
from flask_babel import lazy_gettext as _l

from cocreate.core.base import utcnow
from cocreate.research.exports.layout import Column, Layout, Storage

#: What each storage means, for the codebook's readers.
STORAGE_NOTES = {
    Storage.TEXT: _l("Text (UTF-8)."),
    Storage.CODE: _l("The option's code in CSV and XLSX; its number in SPSS and Stata (see the values)."),
    Storage.FLAG: _l("1 chosen, 0 not chosen, empty when the question was not answered."),
    Storage.INTEGER: _l("A whole number: the point chosen on a scale, or a rank (1 is first)."),
    Storage.NUMBER: _l("A number as entered."),
}


def _locale_map(value: dict, languages: list[str]) -> dict:
    """Every language of the survey, in order; "" where there is no translation."""
    value = value or {}
    return {code: value.get(code) or "" for code in languages}


def _variable(column: Column, position: int, languages: list[str]) -> dict:
    entry = {
        "position": position, "name": column.name, "stats_name": column.stats_name,
        "role": column.role, "storage": str(column.storage), "measure": column.measure,
        "question": column.question, "question_type": column.question_type,
        "option": column.option, "item": column.item, "retired": column.retired,
        "dimension": column.dimension,
    }
    if column.role == "meta":
        entry["description"] = str(column.description)
        entry["label"] = {}
    else:
        entry["label"] = _locale_map(column.label, languages)
    entry["values"] = [{"code": v.code, "number": v.number, "missing": v.missing,
                        "label": _locale_map(v.label, languages)} for v in column.values]
    return entry


def codebook_data(layout: Layout, survey) -> dict:
    """Everything the JSON and HTML codebooks show."""
    languages = layout.languages
    lab = survey.lab
    return {
        "codebook_version": 1,
        "generated_at": utcnow().isoformat(timespec="seconds").replace("+00:00", "Z"),
        "survey": {
            "id": survey.id, "slug": survey.slug, "municipality": lab.municipality.slug,
            "lab": lab.slug, "mode": survey.mode, "default_language": survey.default_language,
            "languages": languages, "title": _locale_map(survey.title, languages),
        },
        "files": {
            "csv": str(_l("UTF-8 with a byte-order mark (for Excel), comma-separated; text starting "
                          "with = + - @ is prefixed with an apostrophe.")),
            "spss_stata": str(_l("Variables are named by stats_name; value and variable labels are in "
                                 "the survey's main language; prefer-not-to-say is a missing value in "
                                 "SPSS.")),
        },
        "storage": {str(key): str(note) for key, note in STORAGE_NOTES.items()},
        "variables": variables(layout),
    }


def codebook_json(layout: Layout, survey) -> bytes:
    return json.dumps(codebook_data(layout, survey), ensure_ascii=False, indent=2).encode("utf-8")


def codebook_html(layout: Layout, survey) -> bytes:
    """A standalone HTML file (no styles or scripts, opens offline)."""
    return render_template("research/exports_codebook.html", codebook=codebook_data(layout, survey)).encode("utf-8")


def codebook_sheet(layout: Layout) -> tuple[list[str], list[list]]:
    """The codebook as a table for the XLSX ``codebook`` sheet."""
    languages = layout.languages
    header = ["position", "name", "stats_name", "question", "option", "item", "type", "storage",
              *[f"label_{code}" for code in languages], "values"]
    rows = []
    for entry in variables(layout):
        values = "; ".join(
            f"{v['number']} = {v['code']}" + "".join(f" | {code}: {v['label'][code]}" for code in languages)
            for v in entry["values"])
        labels = [entry["label"].get(code, "") if entry["role"] != "meta" else entry["description"]
                  for code in languages]
        rows.append([entry["position"], entry["name"], entry["stats_name"], entry["question"],
                     entry["option"], entry["item"], entry["question_type"], entry["storage"], *labels,
                     values])
    return header, rows


def variables(layout: Layout) -> list[dict]:
    """Every variable in column order, with its labels in every language of the survey."""
    return [_variable(column, position, layout.languages)
            for position, column in enumerate(layout.columns, start=1)]
