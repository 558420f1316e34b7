"""Small survey instruments and URLs for tests."""

from __future__ import annotations


def t(text):
    return {"nl": f"{text} (nl)", "en": text, "ar": f"{text} (ar)"}


def opts(code, n, *, other=False, pnts=False):
    result = [{"code": f"{code}_{i}", "kind": "choice", "label": t(f"Option {i}")}
              for i in range(1, n + 1)]
    if other:
        result.append({"code": f"{code}_other", "kind": "other", "label": t("Other")})
    if pnts:
        result.append({"code": f"{code}_pnts", "kind": "prefer_not", "label": t("Prefer not")})
    return result


def question(code, type_, *, options=(), required=False, settings=None, condition=None):
    return {"code": code, "type": type_, "text": t(f"Question {code}"), "help": {},
            "required": required, "settings": settings or {}, "condition": condition,
            "dimension": None, "options": list(options)}


#: Two pages: page 1 has every kind of question; page 2 appears only for Q1 = Q1_2.
DEFINITION = {"sections": [
    {"title": t("First page"), "condition": None, "questions": [
        question("Q1", "single", options=opts("Q1", 3, other=True, pnts=True), required=True),
        question("Q2", "multiple", options=opts("Q2", 4, other=True),
                 settings={"min_choices": 1, "max_choices": 2}),
        question("Q3", "likert", settings={"points": 5},
                 options=[{"code": "Q3_pnts", "kind": "prefer_not", "label": t("Prefer not")}]),
        question("Q4", "scale"),
        question("Q5", "number", settings={"min": 0, "max": 120, "integer": True}),
        question("Q6", "short_text", settings={"max_length": 50}),
        question("Q7", "long_text"),
        question("Q8", "date"),
        question("Q9", "ranking", options=opts("Q9", 3)),
        question("Q10", "matrix", settings={"points": 5},
                 options=[{"code": f"Q10_r{i}", "kind": "row", "label": t(f"Row {i}")}
                          for i in (1, 2)]),
        question("Q11", "single", options=opts("Q11", 2), required=True,
                 condition={"question": "Q1", "options": ["Q1_1"]}),
    ]},
    {"title": t("Second page"), "condition": {"question": "Q1", "options": ["Q1_2"]},
     "questions": [question("Q12", "short_text", required=True)]},
]}


def survey_url(survey, lang="en"):
    return (f"/{lang}/m/{survey.lab.municipality.slug}/labs/{survey.lab.slug}"
            f"/surveys/{survey.slug}")


def manage_url(survey, lang="en"):
    return (f"/{lang}/m/{survey.lab.municipality.slug}/manage/labs/{survey.lab.slug}"
            f"/surveys/{survey.slug}")
