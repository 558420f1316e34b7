"""Survey responses as row streams: wide (one row per response) and long (one row per answer).

Rows come from one SQL query over ``survey_response`` LEFT JOIN ``survey_answer``,
ordered by response, read with a server-side cursor in batches (``yield_per``)
and grouped per response as they arrive — never all responses at once. Only
responses whose research consent stands are selected
(:func:`cocreate.research.consent.response_exportable`), so a withdrawal takes
a response out of every later export.

No name, e-mail address, user id or IP leaves this module: the user id is read
only to derive the keyed pseudonym of :mod:`cocreate.research.pseudonyms`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.labs.models import Lab
from cocreate.municipalities.models import Municipality
from cocreate.research import pseudonyms
from cocreate.research.consent import response_exportable
from cocreate.research.exports.layout import Layout, Storage
from cocreate.surveys.models import Answer, Response, Survey, SurveyMode

#: Rows fetched from the database per round trip.
BATCH = 1000

LONG_HEADER = ["participant_id", "question_code", "item_code", "option_code", "value_number",
               "value_text", "text_language"]


@dataclass(frozen=True)
class SurveyInfo:
    lab_id: int
    municipality: str
    slug: str
    is_anonymous: bool


def survey_infos(survey_ids: list[int]) -> dict[int, SurveyInfo]:
    """Lab, municipality and mode of each survey, in one query."""
    rows = db.session.execute(
        sa.select(Survey.id, Survey.lab_id, Municipality.slug, Survey.slug, Survey.mode)
        .join(Lab, Lab.id == Survey.lab_id).join(Municipality, Municipality.id == Lab.municipality_id)
        .where(Survey.id.in_(survey_ids)))
    return {row[0]: SurveyInfo(row[1], row[2], row[3], row[4] == SurveyMode.ANONYMOUS) for row in rows}


def grouped_responses(survey_ids: list[int]) -> Iterator[tuple[sa.Row, list[sa.Row]]]:
    """``(response, answers)`` per exportable response of ``survey_ids``, by response id.

    A response without answers comes with an empty list (it still has a row in
    the wide export).
    """
    statement = (
        sa.select(Response.id.label("response_id"), Response.survey_id, Response.user_id,
                  Response.language, Response.submitted_at, Response.is_assisted,
                  Response.assisted_language, Answer.question_code, Answer.item_code,
                  Answer.option_code, Answer.value_number, Answer.value_text, Answer.text_language)
        .select_from(Response).outerjoin(Answer, Answer.response_id == Response.id)
        .where(Response.survey_id.in_(survey_ids), response_exportable())
        .order_by(Response.id, Answer.id))
    rows = db.session.execute(statement, execution_options={"yield_per": BATCH})
    for _response_id, group in itertools.groupby(rows, key=lambda row: row.response_id):
        group = list(group)
        yield group[0], [row for row in group if row.question_code is not None]


def participant_id(info: SurveyInfo, response) -> str:
    """The person's id within the lab, or — linked to no one — the response's own id."""
    if response.user_id is not None:
        return pseudonyms.person_id(info.lab_id, user_id=response.user_id)
    return pseudonyms.response_id(response.response_id)


def submitted(info: SurveyInfo, response) -> str:
    """The day for anonymous surveys (and any response linked to no one), else the time."""
    moment = response.submitted_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if info.is_anonymous or response.user_id is None:
        return moment.date().isoformat()
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def number(value) -> int | Decimal | None:
    """A stored number as an int when it is whole (``3.000000`` → ``3``)."""
    if value is None:
        return None
    value = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return int(value) if value == value.to_integral_value() else value.normalize()


def wide_rows(layout: Layout, survey_ids: list[int], *, numeric: bool) -> Iterator[list]:
    """One list per response, in ``layout`` column order.

    ``numeric``: single-choice answers as their numbers 1..n (SPSS, Stata)
    instead of their option codes (CSV, XLSX).
    """
    infos = survey_infos(survey_ids)
    width = len(layout.columns)
    for response, answers in grouped_responses(survey_ids):
        info = infos[response.survey_id]
        row = [None] * width
        row[:7] = [participant_id(info, response), info.municipality, info.slug, response.language,
                   int(bool(response.is_assisted)), response.assisted_language, submitted(info, response)]
        _fill(layout, row, answers, numeric)
        yield row


def _fill(layout: Layout, row: list, answers, numeric: bool) -> None:
    """Place each stored answer in its column (see :mod:`.layout` for the shape)."""
    columns = layout.columns
    answered: set[str] = set()
    for answer in answers:
        slot = layout.slots.get(answer.question_code)
        if slot is None:
            continue
        if answer.question_code not in answered:
            answered.add(answer.question_code)
            for index in slot.flags:
                row[index] = 0
        code = answer.option_code
        if answer.item_code:
            if answer.item_code in slot.rows:
                row[slot.rows[answer.item_code]] = number(answer.value_number)
        elif code:
            if code == slot.prefer_not_code and slot.prefer_not is not None:
                row[slot.prefer_not] = 1
            elif code in slot.options:
                index = slot.options[code]
                row[index] = 1 if columns[index].storage is Storage.FLAG else number(answer.value_number)
            elif slot.value is not None and columns[slot.value].storage is Storage.CODE:
                row[slot.value] = slot.numbers.get(code) if numeric else code
            if answer.value_text is not None and slot.other is not None:
                row[slot.other] = answer.value_text
                row[slot.other_language] = answer.text_language
        elif slot.value is not None:
            storage = columns[slot.value].storage
            if storage is Storage.TEXT:
                row[slot.value] = answer.value_text if answer.value_text is not None \
                    else _text(number(answer.value_number))
                if slot.language is not None:
                    row[slot.language] = answer.text_language
            elif storage in (Storage.INTEGER, Storage.NUMBER):
                value = number(answer.value_number)
                if storage is Storage.INTEGER and isinstance(value, Decimal):
                    value = int(value)
                row[slot.value] = value


def _text(value) -> str | None:
    return None if value is None else str(value)


def long_rows(survey_ids: list[int]) -> Iterator[list]:
    """One list per stored answer, columns as :data:`LONG_HEADER`."""
    infos = survey_infos(survey_ids)
    for response, answers in grouped_responses(survey_ids):
        person = participant_id(infos[response.survey_id], response)
        for answer in answers:
            yield [person, answer.question_code, answer.item_code or None, answer.option_code,
                   number(answer.value_number), answer.value_text, answer.text_language]
