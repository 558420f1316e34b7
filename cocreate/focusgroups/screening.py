"""Screening questions for a session, built from survey question definitions.

The same question types and the same answer rules as surveys apply; the
questions are held on the session (not in a survey) because they are few and
belong to it. The standard question sorts people into newcomers and long-term
residents for the session's target mix.
"""

from __future__ import annotations

from cocreate.surveys import answers as rules
from cocreate.surveys.models import Option, Question


def _t(nl, fr, en, ar):
    return {"nl": nl, "fr": fr, "en": en, "ar": ar}


GROUP_QUESTION = "FG_GROUP"
NEWCOMER, LONG_TERM = "FG_GROUP_1", "FG_GROUP_2"

STANDARD = [{
    "code": GROUP_QUESTION, "type": "single", "required": True, "settings": {},
    "condition": None, "dimension": "group", "help": {},
    "text": _t("Hoe lang woon je al in België?", "Depuis combien de temps vivez-vous en Belgique ?",
               "How long have you lived in Belgium?", "منذ متى تعيش في بلجيكا؟"),
    "options": [
        {"code": NEWCOMER, "kind": "choice",
         "label": _t("Minder dan 10 jaar", "Moins de 10 ans", "Less than 10 years",
                     "أقل من 10 سنوات")},
        {"code": LONG_TERM, "kind": "choice",
         "label": _t("10 jaar of langer, of ik ben hier geboren",
                     "10 ans ou plus, ou je suis né(e) ici",
                     "10 years or more, or I was born here",
                     "10 سنوات أو أكثر، أو وُلدت هنا")},
    ],
}]


def questions(definitions: list[dict]) -> list[Question]:
    """Transient question objects (never saved) for rendering and checking answers."""
    result = []
    for position, data in enumerate(definitions or []):
        question = Question(code=data["code"], type=data["type"], text=data.get("text") or {},
                            help=data.get("help") or {}, required=bool(data.get("required")),
                            settings=data.get("settings") or {}, position=position,
                            condition=None, is_hidden=False)
        question.options = [Option(code=o["code"], kind=o["kind"], label=o.get("label") or {},
                                   position=i, is_hidden=False)
                            for i, o in enumerate(data.get("options", []))]
        result.append(question)
    return result


def parse(definitions: list[dict], form, language: str) -> tuple[dict, dict]:
    """Check screening answers: returns (answers, errors) keyed by question code."""
    answers, errors = {}, {}
    for question in questions(definitions):
        answer, error = rules.parse_question(question, form, language)
        if error:
            errors[question.code] = error
        elif answer is None and question.required:
            from flask_babel import lazy_gettext as _l

            errors[question.code] = _l("Please answer this question.")
        elif answer is not None:
            answers[question.code] = answer
    return answers, errors
