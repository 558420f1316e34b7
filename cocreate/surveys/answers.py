"""Reading answers from a form, checking them, and deciding what is visible.

Everything here is pure: it takes the instrument and raw values and returns
clean answers and errors. The same rules run for every page and again at the
final submission, so a forged or stale value can never reach the database.

A clean answer is a small dict stored in the draft, keyed by question code:
``{"option": c}`` (single), ``{"options": [c…]}`` (multiple), ``{"value": n}``
(likert, scale, number), ``{"text": s, "lang": l}``, ``{"date": "YYYY-MM-DD"}``,
``{"ranking": [c…]}``, ``{"rows": {row: n}}`` (matrix); any of them may carry
``"other": text``; ``{"option": <prefer-not code>}`` means "prefer not to say".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from cocreate.core.i18n import format_number, localize
from cocreate.surveys.models import Question, QuestionType, Section, Survey

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DEFAULT_MAX = {QuestionType.SHORT_TEXT: 200, QuestionType.LONG_TEXT: 5000}
OTHER_MAX = 200


@dataclass
class PageResult:
    answers: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # question code → message


def condition_met(condition: dict | None, answers: dict) -> bool:
    if not condition:
        return True
    answer = answers.get(condition.get("question")) or {}
    chosen = set(answer.get("options") or []) | {answer.get("option")} - {None}
    return bool(chosen & set(condition.get("options") or []))


def visible_sections(survey: Survey, answers: dict) -> list[Section]:
    return [s for s in survey.sections if condition_met(s.condition, answers)
            and any(not q.is_hidden for q in s.questions)]


def visible_questions(section: Section, answers: dict) -> list[Question]:
    return [q for q in section.questions
            if not q.is_hidden and condition_met(q.condition, answers)]


def all_visible_questions(survey: Survey, answers: dict) -> list[Question]:
    """Visible questions in order; later conditions see only earlier visible answers."""
    shown: dict = {}
    result = []
    for section in survey.sections:
        if not condition_met(section.condition, shown):
            continue
        for question in section.questions:
            if question.is_hidden or not condition_met(question.condition, shown):
                continue
            result.append(question)
            if question.code in answers:
                shown[question.code] = answers[question.code]
    return result


def prune_hidden(survey: Survey, answers: dict) -> dict:
    """Drop answers to questions that are not visible (anymore)."""
    keep = {q.code for q in all_visible_questions(survey, answers)}
    return {code: value for code, value in answers.items() if code in keep}


def _clean_text(value: str, limit: int):
    value = (value or "").strip()
    if CONTROL.search(value):
        return None, _l("This contains characters that are not allowed.")
    if len(value) > limit:
        return None, _l("Please shorten your answer to %(max)s characters.", max=limit)
    return value, None


def parse_question(question: Question, form, language: str):
    """Read one question from ``form`` (a MultiDict). Returns (answer | None, error | None)."""
    code = question.code
    kind = question.kind
    pnts = question.prefer_not
    other = question.other
    raw = form.getlist(code)

    if pnts and (pnts.code in raw or form.get(f"{code}__pnts") == pnts.code):
        return {"option": pnts.code}, None

    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        valid = {o.code for o in question.choices()}
        if any(value not in valid for value in raw):
            return None, _l("Choose one of the options shown.")
        if kind is QuestionType.SINGLE:
            if len(raw) > 1:
                return None, _l("Choose only one option.")
            answer = {"option": raw[0]} if raw else None
            chosen = set(raw)
        else:
            chosen = list(dict.fromkeys(raw))
            low, high = question.settings.get("min_choices"), question.settings.get("max_choices")
            if chosen and low and len(chosen) < int(low):
                return None, _l("Choose at least %(num)s options.", num=low)
            if high and len(chosen) > int(high):
                return None, _l("Choose at most %(num)s options.", num=high)
            answer = {"options": chosen} if chosen else None
        if answer and other and other.code in chosen:
            text, error = _clean_text(form.get(f"{code}__other", ""), OTHER_MAX)
            if error:
                return None, error
            if not text:
                return None, _l("Please say what you mean by “other”.")
            answer["other"] = text
            answer["lang"] = language
        return answer, None

    if kind in (QuestionType.LIKERT, QuestionType.SCALE):
        if not raw or raw == [""]:
            return None, None
        if len(raw) > 1 or raw[0] not in {str(p) for p in question.scale()}:
            return None, _l("Choose one of the points on the scale.")
        return {"value": int(raw[0])}, None

    if kind is QuestionType.NUMBER:
        value = (form.get(code) or "").strip().replace(",", ".")
        if not value:
            return None, None
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None, _l("Enter a number, like 12 or 3.5.")
        if not number.is_finite() or abs(number) >= Decimal("1e12"):
            return None, _l("Enter a number, like 12 or 3.5.")
        settings = question.settings
        if settings.get("integer") and number != number.to_integral_value():
            return None, _l("Enter a whole number.")
        if settings.get("min") is not None and number < Decimal(str(settings["min"])):
            return None, _l("Enter a number of at least %(min)s.", min=settings["min"])
        if settings.get("max") is not None and number > Decimal(str(settings["max"])):
            return None, _l("Enter a number of at most %(max)s.", max=settings["max"])
        return {"value": str(number.normalize()) if number != 0 else "0"}, None

    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        limit = int(question.settings.get("max_length") or DEFAULT_MAX[kind])
        text, error = _clean_text(form.get(code, ""), limit)
        if error:
            return None, error
        if kind is QuestionType.SHORT_TEXT and text and "\n" in text:
            return None, _l("Please write this on one line.")
        return ({"text": text, "lang": language} if text else None), None

    if kind is QuestionType.DATE:
        value = (form.get(code) or "").strip()
        if not value:
            return None, None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return None, _l("Enter a date like 2026-03-31.")
        if not date(1900, 1, 1) <= parsed <= date(2100, 12, 31):
            return None, _l("Enter a date like 2026-03-31.")
        return {"date": parsed.isoformat()}, None

    if kind is QuestionType.RANKING:
        options = question.choices()
        ranks = {}
        for option in options:
            value = (form.get(f"{code}__{option.code}") or "").strip()
            if value:
                if not value.isdigit() or not 1 <= int(value) <= len(options):
                    return None, _l("Give each option a different place from 1 to %(num)s.",
                                    num=len(options))
                ranks[option.code] = int(value)
        if not ranks:
            return None, None
        if len(set(ranks.values())) != len(ranks) or len(ranks) != len(options):
            return None, _l("Give each option a different place from 1 to %(num)s.",
                            num=len(options))
        return {"ranking": [c for c, _ in sorted(ranks.items(), key=lambda item: item[1])]}, None

    if kind is QuestionType.MATRIX:
        points = {str(p) for p in question.scale()}
        rows = {}
        for row in question.rows():
            value = (form.get(f"{code}__{row.code}") or "").strip()
            if value:
                if value not in points:
                    return None, _l("Choose one of the points on the scale.")
                rows[row.code] = int(value)
        if not rows:
            return None, None
        if question.required and len(rows) != len(question.rows()):
            return None, _l("Please answer every row.")
        return {"rows": rows}, None

    return None, None


def display_questions(section: Section, answers: dict) -> list[Question]:
    """Questions to show on a page: visible ones, and those whose condition depends on
    a question of the same page (without JavaScript the page cannot know yet)."""
    same_page = {q.code for q in section.questions}
    return [q for q in section.questions if not q.is_hidden and (
        condition_met(q.condition, answers)
        or (q.condition and q.condition.get("question") in same_page))]


def parse_page(section: Section, form, language: str, answers_so_far: dict,
               *, enforce_required: bool = True) -> PageResult:
    """Check every visible question of a section, in order, so that a condition on an
    earlier question of the same page is decided by what was just answered.
    Required follows visibility; answers to hidden questions are ignored."""
    result = PageResult()
    current = {k: v for k, v in answers_so_far.items()
               if k not in {q.code for q in section.questions}}
    for question in section.questions:
        if question.is_hidden or not condition_met(question.condition, current):
            continue
        answer, error = parse_question(question, form, language)
        if error:
            result.errors[question.code] = error
        elif answer is None:
            if question.required and enforce_required:
                result.errors[question.code] = _l("Please answer this question.")
        else:
            result.answers[question.code] = answer
            current[question.code] = answer
    return result


def check_complete(survey: Survey, answers: dict) -> dict:
    """Final check of a whole draft: required visible questions are answered."""
    errors = {}
    for question in all_visible_questions(survey, answers):
        if question.required and question.code not in answers:
            errors[question.code] = _l("Please answer this question.")
    return errors


def answer_rows(survey: Survey, answers: dict) -> list[dict]:
    """Turn clean answers into long-format rows (one per option or value)."""
    rows = []
    for question in all_visible_questions(survey, answers):
        answer = answers.get(question.code)
        if not answer:
            continue
        base = {"question_code": question.code}
        other = question.other
        for code in ([answer["option"]] if "option" in answer else []) + answer.get("options", []):
            text = answer.get("other") if other and code == other.code else None
            rows.append({**base, "option_code": code, "value_text": text,
                         "text_language": answer.get("lang") if text else None})
        if "value" in answer:
            rows.append({**base, "value_number": Decimal(str(answer["value"]))})
        if "text" in answer:
            rows.append({**base, "value_text": answer["text"], "text_language": answer["lang"]})
        if "date" in answer:
            rows.append({**base, "value_text": answer["date"]})
        for rank, code in enumerate(answer.get("ranking", []), start=1):
            rows.append({**base, "option_code": code, "value_number": Decimal(rank)})
        for row_code, value in (answer.get("rows") or {}).items():
            rows.append({**base, "item_code": row_code, "value_number": Decimal(value)})
    return rows


def form_values(survey: Survey, answers: dict):
    """Stored answers in the shape of the answer form (to fill the inputs again)."""
    from werkzeug.datastructures import MultiDict

    values = MultiDict()
    for question in survey.questions:
        answer = answers.get(question.code)
        if not answer:
            continue
        code = question.code
        pnts = question.prefer_not
        if pnts and answer.get("option") == pnts.code and question.kind not in (
                QuestionType.SINGLE, QuestionType.LIKERT, QuestionType.SCALE):
            values.add(f"{code}__pnts", pnts.code)
            continue
        for option in ([answer["option"]] if "option" in answer else []) + answer.get("options", []):
            values.add(code, option)
        if "other" in answer:
            values.add(f"{code}__other", answer["other"])
        for key in ("value", "text", "date"):
            if key in answer:
                values.add(code, str(answer[key]))
        for rank, option in enumerate(answer.get("ranking", []), start=1):
            values.add(f"{code}__{option}", str(rank))
        for row, value in (answer.get("rows") or {}).items():
            values.add(f"{code}__{row}", str(value))
    return values


def describe_answer(question, answer) -> str:
    """An answer in words, in the page language (for the review page)."""
    if not answer:
        return ""
    default = question.survey.default_language
    parts = []
    for code in ([answer["option"]] if "option" in answer else []) + answer.get("options", []):
        option = question.option(code)
        parts.append(str(localize(option.label, default=default)) if option else code)
    if "other" in answer:
        parts.append(answer["other"])
    if "value" in answer:
        parts.append(format_number(answer["value"]))
    for key in ("text", "date"):
        if key in answer:
            parts.append(answer[key])
    for rank, code in enumerate(answer.get("ranking", []), start=1):
        option = question.option(code)
        parts.append(f"{rank}. {localize(option.label, default=default) if option else code}")
    for code, value in (answer.get("rows") or {}).items():
        option = question.option(code)
        parts.append(f"{localize(option.label, default=default) if option else code}: {value}")
    return "; ".join(parts)
