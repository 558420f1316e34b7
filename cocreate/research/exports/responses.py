"""Survey responses as row streams: wide (one row per response) and long (one row per answer).

Rows come from two SQL queries read side by side, both in response order with a
server-side cursor in batches (``yield_per``): the responses, and their answers
(found through the answer's response index, already in that order). Each response
is joined with its answers as they arrive — never all responses at once, and no
response column repeated on every answer row. Only responses whose research
consent stands are selected (:func:`cocreate.research.consent.response_exportable`),
so a withdrawal takes a response out of every later export.

No name, e-mail address, user id or IP leaves this module: the user id is read
only to derive the keyed pseudonym of :mod:`cocreate.research.pseudonyms`.
"""

from __future__ import annotations

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


def _stream(statement) -> Iterator[sa.Row]:
    """The rows of ``statement``, fetched :data:`BATCH` at a time (Core: no ORM per row)."""
    result = db.session.connection().execute(statement.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        yield from batch


def grouped_responses(survey_ids: list[int]) -> Iterator[tuple[sa.Row, list[sa.Row]]]:
    """``(response, answers)`` per exportable response of ``survey_ids``, by response id;
    each answer a row ``(response_id, question_code, item_code, option_code,
    value_number, value_text, text_language)``.

    A response without answers comes with an empty list (it still has a row in
    the wide export). The two queries are separate statements: answers of a response
    the first no longer lists (withdrawn in between) are skipped.
    """
    exportable = (sa.select(Response.id)
                  .where(Response.survey_id.in_(survey_ids), response_exportable()))
    responses = _stream(
        sa.select(Response.id.label("response_id"), Response.survey_id, Response.user_id, Response.language,
                  Response.submitted_at, Response.is_assisted, Response.assisted_language)
        .where(Response.id.in_(exportable)).order_by(Response.id))
    answers = _stream(
        sa.select(Answer.response_id, Answer.question_code, Answer.item_code, Answer.option_code,
                  Answer.value_number, Answer.value_text, Answer.text_language)
        .where(Answer.response_id.in_(exportable)).order_by(Answer.response_id, Answer.id))
    pending = next(answers, None)
    for response in responses:
        while pending is not None and pending[0] < response.response_id:
            pending = next(answers, None)
        mine = []
        while pending is not None and pending[0] == response.response_id:
            mine.append(pending)
            pending = next(answers, None)
        yield response, mine


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
    if not isinstance(value, Decimal):
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
    slots = layout.slots
    answered: set[str] = set()
    for _response, question_code, item_code, code, value_number, value_text, text_language in answers:
        slot = slots.get(question_code)
        if slot is None:
            continue
        if question_code not in answered:
            answered.add(question_code)
            for index in slot.flags:
                row[index] = 0
        if item_code:
            if item_code in slot.rows:
                row[slot.rows[item_code]] = number(value_number)
        elif code:
            if code == slot.prefer_not_code and slot.prefer_not is not None:
                row[slot.prefer_not] = 1
            elif code in slot.options:
                index = slot.options[code]
                row[index] = 1 if columns[index].storage is Storage.FLAG else number(value_number)
            elif slot.value is not None and columns[slot.value].storage is Storage.CODE:
                row[slot.value] = slot.numbers.get(code) if numeric else code
            if value_text is not None and slot.other is not None:
                row[slot.other] = value_text
                row[slot.other_language] = text_language
        elif slot.value is not None:
            storage = columns[slot.value].storage
            if storage is Storage.TEXT:
                row[slot.value] = value_text if value_text is not None else _text(number(value_number))
                if slot.language is not None:
                    row[slot.language] = text_language
            elif storage in (Storage.INTEGER, Storage.NUMBER):
                value = number(value_number)
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
        for _response, question_code, item_code, option_code, value_number, value_text, language in answers:
            yield [person, question_code, item_code or None, option_code, number(value_number), value_text,
                   language]
