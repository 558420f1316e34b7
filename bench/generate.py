"""The benchmarks' scratch app, and the data set: responses × 25 questions in 3 towns.

The data set is built through the app's own models into a scratch SQLite file: the
instrument with :func:`cocreate.surveys.authoring.add_sections_from` (every question
type, plus the shared About-you block of :mod:`cocreate.surveys.library`), shared
as a template with two more towns; responses as bulk ``sa.insert`` rows of
:class:`Response`, :class:`Answer` (made by :func:`cocreate.surveys.answers.answer_rows`,
the rule the real submission uses) and the consent ledger, as ``seeds/surveys.py``
does.

The first town's survey holds the ``responses`` asked for — the survey the
results and export benchmarks read; the two other towns' copies hold a tenth
each, so every query has other tenants' rows to skip. Generation is seeded:
the same size gives the same data. No ``ANALYZE``: the database is as a
deployment has it.

A data set is built once per benchmark run and size (in the run's scratch
directory, shared by the benchmarks); later callers get the finished file.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from cocreate import create_app
from seeds.surveys import FREE_TEXT

#: Town slugs; the first one's survey is the one measured.
TOWNS = ("bench-a", "bench-b", "bench-c")
LAB = "bench-lab"
SURVEY = "bench-survey"
RESEARCHER = "researcher@bench.test"
OFFICIAL = "official@bench.test"
LANGUAGES = {"nl": 55, "ar": 20, "fr": 15, "en": 10}
#: Responses written per transaction.
BATCH = 5000


def bench_app(database_uri: str):
    """The app on a scratch database (mail stays in the outbox)."""
    return create_app({"SQLALCHEMY_DATABASE_URI": database_uri, "TESTING": True, "SECRET_KEY": "bench",
                       "PSEUDONYM_KEY": "bench", "SESSION_COOKIE_SECURE": False, "MAIL_SERVER": None})


def signed_in_client(app, email: str):
    """A test client with a real server-side session of the person with ``email``."""
    from cocreate.accounts.models import User
    from cocreate.accounts.service import start_session
    from cocreate.extensions import db

    client = app.test_client()
    with app.app_context():
        key = start_session(db.session.scalar(sa.select(User).where(User.email == email)))
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
    return client


@contextmanager
def statements(app) -> Iterator[list[tuple[str, tuple]]]:
    """The SQL statements (with their parameters) the app runs inside the block."""
    from cocreate.extensions import db

    seen: list[tuple[str, tuple]] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany):
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@dataclass(frozen=True)
class Dataset:
    path: Path
    responses: int

    @property
    def uri(self) -> str:
        return f"sqlite:///{self.path}"

    @property
    def results_url(self) -> str:
        return f"/en/m/{TOWNS[0]}/manage/labs/{LAB}/surveys/{SURVEY}/results"

    @property
    def survey_reference(self) -> str:
        return f"{TOWNS[0]}/{LAB}/{SURVEY}"


def survey_dataset(workdir: Path, responses: int) -> Dataset:
    """The data set with ``responses`` in the measured survey, built on first use."""
    path = workdir.parent / f"survey-{responses}.sqlite"
    if not path.exists():
        partial = path.with_suffix(".part")
        for leftover in path.parent.glob(partial.name + "*"):
            leftover.unlink()
        _build(partial, responses)
        partial.rename(path)
    return Dataset(path, responses)


# -- The instrument -------------------------------------------------------------------------


def _t(en: str) -> dict:
    return {"nl": f"{en} (nl)", "fr": f"{en} (fr)", "en": en, "ar": f"{en} (ar)"}


def _options(code: str, count: int, *, other=False, pnts=False) -> list[dict]:
    result = [{"code": f"{code}_{i}", "kind": "choice", "label": _t(f"Option {i} of {code}")}
              for i in range(1, count + 1)]
    if other:
        result.append({"code": f"{code}_other", "kind": "other", "label": _t("Something else")})
    if pnts:
        result.append({"code": f"{code}_pnts", "kind": "prefer_not", "label": _t("Prefer not to say")})
    return result


def _q(code: str, type_: str, *, options=(), settings=None, condition=None) -> dict:
    return {"code": code, "type": type_, "text": _t(f"Question {code} of the benchmark survey"), "help": {},
            "required": False, "settings": settings or {}, "condition": condition, "dimension": None,
            "options": list(options)}


def _rows(code: str, count: int) -> list[dict]:
    return [{"code": f"{code}_r{i}", "kind": "row", "label": _t(f"Row {i}")} for i in range(1, count + 1)]


def definition() -> dict:
    """18 questions of every type in three sections, then the 7 About-you questions."""
    from cocreate.surveys.library import ABOUT_YOU

    agree = {"low_label": _t("Strongly disagree"), "high_label": _t("Strongly agree")}
    return {"sections": [
        {"title": _t("Living here"), "condition": None, "questions": [
            _q("Q1", "single", options=_options("Q1", 5, pnts=True)),
            _q("Q2", "likert", settings={"points": 5, **agree}),
            _q("Q3", "scale", settings=agree),
            _q("Q4", "multiple", options=_options("Q4", 7, other=True), settings={"max_choices": 3}),
            _q("Q5", "matrix", options=_rows("Q5", 5), settings={"points": 5, **agree}),
            _q("Q6", "single", options=_options("Q6", 4)),
        ]},
        {"title": _t("Services"), "condition": None, "questions": [
            _q("Q7", "multiple", options=_options("Q7", 5, other=True),
               condition={"question": "Q6", "options": ["Q6_3"]}),
            _q("Q8", "ranking", options=_options("Q8", 5)),
            _q("Q9", "likert", settings={"points": 7, **agree},
               options=[{"code": "Q9_pnts", "kind": "prefer_not", "label": _t("Prefer not to say")}]),
            _q("Q10", "number", settings={"min": 0, "max": 100, "integer": True}),
            _q("Q11", "date"),
            _q("Q12", "short_text"),
        ]},
        {"title": _t("Living together"), "condition": None, "questions": [
            _q("Q13", "long_text"),
            _q("Q14", "single", options=_options("Q14", 12, other=True, pnts=True)),
            _q("Q15", "likert", settings={"points": 5, **agree}),
            _q("Q16", "matrix", options=_rows("Q16", 4), settings={"points": 7, **agree}),
            _q("Q17", "multiple", options=_options("Q17", 6, pnts=True)),
            _q("Q18", "scale", settings=agree),
        ]},
        *ABOUT_YOU["sections"],
    ]}


# -- Answers --------------------------------------------------------------------------------

#: Free texts per language: the demo's own.
TEXTS = FREE_TEXT


def _skewed(rng: random.Random, codes: list[str]) -> str:
    """Earlier options are chosen more often, the last ones rarely (small cells exist)."""
    return rng.choices(codes, [1 / (i + 1) ** 1.5 for i in range(len(codes))])[0]


@dataclass(frozen=True)
class _Spec:
    """What answering one question needs, read once from the ORM objects."""

    code: str
    kind: str
    choices: list[str]
    prefer_not: str | None
    other: str | None
    scale: list[int]
    rows: list[str]

    @classmethod
    def of(cls, question) -> _Spec:
        return cls(question.code, question.kind, [o.code for o in question.choices()],
                   question.prefer_not.code if question.prefer_not is not None else None,
                   question.other.code if question.other is not None else None,
                   question.scale(), [row.code for row in question.rows()])


def _answer(rng: random.Random, spec: _Spec, language: str) -> dict | None:
    """A plausible clean answer (the shape of :mod:`cocreate.surveys.answers`), or None."""
    from cocreate.surveys.models import QuestionType

    kind = spec.kind
    text_kind = kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
    if rng.random() < (0.5 if text_kind else 0.06):
        return None
    if spec.prefer_not is not None and rng.random() < 0.03:
        return {"option": spec.prefer_not}
    if kind == QuestionType.SINGLE:
        answer = {"option": _skewed(rng, spec.choices)}
    elif kind == QuestionType.MULTIPLE:
        answer = {"options": rng.sample(spec.choices, rng.randint(1, min(3, len(spec.choices))))}
    elif kind in (QuestionType.LIKERT, QuestionType.SCALE):
        answer = {"value": rng.choice(spec.scale)}
    elif kind == QuestionType.NUMBER:
        answer = {"value": str(int(rng.expovariate(0.15)) % 101)}
    elif kind == QuestionType.DATE:
        answer = {"date": (datetime(2026, 9, 1) - timedelta(days=rng.randint(0, 15000))).date().isoformat()}
    elif text_kind:
        answer = {"text": rng.choice(TEXTS[language]), "lang": language}
    elif kind == QuestionType.RANKING:
        answer = {"ranking": rng.sample(spec.choices, len(spec.choices))}
    else:  # matrix
        answer = {"rows": {row: rng.choice(spec.scale) for row in spec.rows}}
    if spec.other is not None and spec.other in (answer.get("option"), *answer.get("options", ())):
        answer["other"] = rng.choice(TEXTS[language])
        answer["lang"] = language
    return answer


# -- Building -------------------------------------------------------------------------------


def _build(path: Path, responses: int) -> None:
    from cocreate.extensions import db

    app = bench_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        surveys = _instrument()
        rng = random.Random(responses)
        _add_responses(surveys[0], rng, responses)
        for survey in surveys[1:]:
            _add_responses(survey, rng, max(responses // 10, 1))
        db.session.commit()
        db.engine.dispose()


def _instrument():
    """Three towns with a lab each, the survey in the first and copies from its template
    in the others; a researcher of all three towns and an official of the first."""
    from cocreate.accounts.models import Membership, User
    from cocreate.extensions import db
    from cocreate.labs.models import Lab, LabStatus
    from cocreate.municipalities.models import Municipality
    from cocreate.surveys.authoring import add_sections_from, create_from_template, save_as_template
    from cocreate.surveys.models import Survey, SurveyStatus

    towns = [Municipality(slug=slug, name=slug.replace("-", " ").title(), country="BE",
                          timezone="Europe/Brussels", default_language="nl", languages=list(LANGUAGES))
             for slug in TOWNS]
    labs = [Lab(municipality=town, slug=LAB, title=_t("Benchmark lab"), description=_t("A lab."),
                default_language="nl", languages=list(LANGUAGES), status=LabStatus.PUBLISHED)
            for town in towns]
    db.session.add_all(labs)
    researcher = User(email=RESEARCHER, display_name="Researcher", preferred_language="en")
    official = User(email=OFFICIAL, display_name="Official", preferred_language="en")
    for user in (researcher, official):
        user.set_password(hashlib.sha256(user.email.encode()).hexdigest())
        db.session.add(user)
    db.session.add_all([Membership(user=researcher, municipality=town, role="researcher") for town in towns]
                       + [Membership(user=official, municipality=towns[0], role="official")])
    survey = Survey(lab=labs[0], slug=SURVEY, mode="anonymous", status=SurveyStatus.OPEN,
                    default_language="nl", languages=list(LANGUAGES), title=_t("Benchmark survey"),
                    intro=_t("Intro."), thanks=_t("Thanks."), consent_text=_t("Consent."))
    db.session.add(survey)
    db.session.flush()
    add_sections_from(survey, definition())
    db.session.refresh(survey)
    template = save_as_template(None, survey, slug=SURVEY, title=_t("Benchmark survey"))
    copies = [create_from_template(None, lab, template.definition, slug=SURVEY, template_id=template.id)
              for lab in labs[1:]]
    db.session.commit()
    for copy in copies:
        db.session.refresh(copy)
    return [survey, *copies]


def _add_responses(survey, rng: random.Random, count: int) -> None:
    """``count`` anonymous submitted responses with their answers and consent rows."""
    from cocreate.accounts.models import ConsentRecord
    from cocreate.extensions import db
    from cocreate.surveys import answers as rules
    from cocreate.surveys.models import Answer, Response

    specs = [_Spec.of(q) for section in survey.sections for q in section.questions]
    first_id = (db.session.scalar(sa.select(sa.func.max(Response.id))) or 0) + 1
    start = datetime(2026, 9, 15, tzinfo=UTC)
    languages, weights = list(LANGUAGES), list(LANGUAGES.values())
    for batch_start in range(0, count, BATCH):
        responses, answers, consents = [], [], []
        for index in range(batch_start, min(count, batch_start + BATCH)):
            response_id = first_id + index
            language = rng.choices(languages, weights)[0]
            given = {}
            for spec in specs:
                answer = _answer(rng, spec, language)
                if answer is not None:
                    given[spec.code] = answer
            day = start + timedelta(days=rng.randint(0, 60))
            scopes = ["participation"] + (["research"] if rng.random() < 0.9 else []) + \
                (["quotes"] if rng.random() < 0.6 else [])
            responses.append({
                "id": response_id, "survey_id": survey.id, "language": language, "submitted_at": day,
                "submission_key": hashlib.sha256(f"bench-{response_id}".encode()).hexdigest(),
                "consent_version": 1, "consent_scopes": scopes, "is_assisted": False})
            answers += [{"question_code": None, "item_code": None, "option_code": None, "value_number": None,
                         "value_text": None, "text_language": None, **row,
                         "survey_id": survey.id, "response_id": response_id}
                        for row in rules.answer_rows(survey, given)]
            consents += [{"response_id": response_id, "context": f"survey:{survey.id}", "scope": scope,
                          "granted": scope in scopes, "text_version": 1, "language": language,
                          "recorded_at": day} for scope in ("participation", "research", "quotes")]
        # render_nulls: every row has the same columns, so each table is one executemany.
        for model, rows in ((Response, responses), (Answer, answers), (ConsentRecord, consents)):
            db.session.execute(sa.insert(model).execution_options(render_nulls=True), rows)
        db.session.commit()
