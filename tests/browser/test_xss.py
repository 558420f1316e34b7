"""Stored XSS through every text people can write outside the plans, in a real Chromium.

A municipality of its own, ``xss-town``, is written straight into the live server's SQLite
file through the app's models, not through the forms, so values a form would refuse (too
long, a ``javascript:`` link, markup in an e-mail address) are there too: its name, labs
and phases, a survey with its sections, questions, options and answers, focus-group
sessions with registrations, walk-ins and transcripts, a codebook with codings and memos,
people and invitations, API tokens, e-mails in the outbox, and a plan people commented on
(the plan's own texts are test_plans.py's). Other towns carry the rest of the names.

Every payload of test_plans.py lands in every kind of field: a long text holds all of them,
a short field a few, spread over as many objects as it takes (:data:`SHORTS`,
:data:`TITLES`). Then every page of the route table (tests/test_access.py) that shows one
of these fields is opened by someone allowed to open it, in one browser context per person,
once with the Content Security Policy and once with it bypassed: no payload may run
(``top.__xss`` stays empty, no dialog opens), no unsafe markup may be in the page
(test_plans.DOM_PROBLEMS), nothing may be blocked by the policy or fail, and the payloads
must show as text, exactly as written. The survey's codebook export is opened the same way.

A registration's phone number and note are written too, but no page shows them (only the
person's own data download). The demo's own objects are not touched: other browser tests
rely on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from tests.browser.conftest import DEMO_PASSWORD, LIVE_CONFIG, LIVE_DATABASE, Watched
from tests.browser.test_plans import DOM_PROBLEMS, XSS_RECORDER, _packs, _payloads

pytestmark = pytest.mark.browser

TOWN = "xss-town"
LAB = "xss-lab"
SURVEY = "xss-survey"
PLAN = "xss-plan"
DOMAIN = "xss-town.demo"

#: The people who open the pages, by the role they hold in xss-town (the key), but for the
#: visitor without an account and the site administrator. All have the demo password.
PEOPLE = {
    "anonymous": None,
    "participant": f"participant@{DOMAIN}",
    "official": f"official@{DOMAIN}",
    "moderator": f"moderator@{DOMAIN}",
    "researcher": f"researcher@{DOMAIN}",
    "admin": f"admin@{DOMAIN}",
    "site_admin": f"site-admin@{DOMAIN}",
}
#: A second researcher, so that the agreement between coders has two people to compare.
SECOND_CODER = f"person-6@{DOMAIN}"

#: What a short field holds (names, labels, e-mail addresses, rooms …) and what a title
#: holds (the forms allow 200 characters): a few payloads each, joined by spaces.
SHORT = 120
TITLE = 200

PAYLOADS = _payloads()
SHORTS = [" ".join(pack) for pack in _packs(PAYLOADS, SHORT)]
TITLES = [" ".join(pack) for pack in _packs(PAYLOADS, TITLE)]
#: A long text: every payload, one per line (and the other way round for a second language).
ALL = "\n".join(PAYLOADS)
ALL_REVERSED = "\n".join(reversed(PAYLOADS))
#: Online links: each payload that looks like an address alone (so that it starts the
#: link), the others a few per link.
URL_LIKE = [p for p in PAYLOADS if re.match(r"\s*(javascript|vbscript|data|https?):", p)]
LINKS = URL_LIKE + [" ".join(pack) for pack in _packs([p for p in PAYLOADS if p not in URL_LIKE],
                                                       500)]

#: Elements the app draws itself: results charts, code colour chips, the poster's QR code.
DRAWN = "svg.chart, svg.code-chip, img.qr"

RESPONSES = 9
TYPES = ["single", "multiple", "matrix", "ranking", "short_text", "long_text", "likert", "scale",
         "number", "date"]


def loc(values: list[str], index: int) -> dict:
    """A locale map: ``values[index]`` in English, another one in Dutch (the default)."""
    return {"en": values[index % len(values)], "nl": values[(-1 - index) % len(values)]}


#: A long text in a locale map.
LONG = {"en": ALL, "nl": ALL_REVERSED}


# -- The instrument and the answers (deterministic, so the expected texts follow) ------------


def _definition() -> dict:
    """One question per page, the types in turn; option labels, end labels, texts and help
    texts are payloads."""
    labels = iter(SHORTS * 3)
    sections = []
    for i in range(len(TITLES)):
        code, kind = f"Q{i + 1}", TYPES[i % len(TYPES)]
        options, settings = [], {}
        if kind in ("single", "multiple", "ranking"):
            options = [{"code": f"{code}_{n}", "kind": "choice", "label": loc([next(labels)], 0)}
                       for n in range(1, 6)]
            if kind != "ranking":
                options.append({"code": f"{code}_other", "kind": "other",
                                "label": loc([next(labels)], 0)})
            if kind == "single":
                options.append({"code": f"{code}_pnts", "kind": "prefer_not",
                                "label": loc([next(labels)], 0)})
        if kind == "matrix":
            options = [{"code": f"{code}_r{n}", "kind": "row", "label": loc([next(labels)], 0)}
                       for n in range(1, 6)]
        if kind in ("matrix", "likert", "scale"):
            settings = {"low_label": loc([next(labels)], 0), "high_label": loc([next(labels)], 0)}
            if kind != "scale":
                settings["points"] = 5
        if kind == "number":
            settings = {"min": 0, "max": 100, "integer": True}
        sections.append({"title": loc(TITLES, i), "condition": None, "questions": [{
            "code": code, "type": kind, "text": loc(TITLES, i + 1), "help": loc(TITLES, i + 2),
            "required": False, "settings": settings, "condition": None, "dimension": None,
            "options": options}]})
    return {"sections": sections}


DEFINITION = _definition()
QUESTIONS = [section["questions"][0] for section in DEFINITION["sections"]]
assert set(SHORTS) <= {label["en"] for q in QUESTIONS for label in [
    *(o["label"] for o in q["options"]), *(q["settings"].get(end) for end in ("low_label", "high_label"))]
    if label}, "every payload is in some option's or scale end's label"


def _answer_sets() -> list[dict]:
    """The draft's answers, then one answer set per response: "other" and free texts are
    payloads, and so is the language each text is said to be written in."""
    texts, languages = iter(SHORTS * 10), iter(PAYLOADS * 3)
    result = []
    for r in range(RESPONSES + 1):
        answers = {}
        for q in QUESTIONS:
            code, kind = q["code"], q["type"]
            if kind == "single":
                answers[code] = ({"option": f"{code}_other", "other": next(texts),
                                  "lang": next(languages)} if r % 2 == 0
                                 else {"option": f"{code}_{r % 5 + 1}"})
            elif kind == "multiple":
                answers[code] = {"options": [f"{code}_{r % 5 + 1}", f"{code}_other"],
                                 "other": next(texts), "lang": next(languages)}
            elif kind == "matrix":
                answers[code] = {"rows": {o["code"]: (r + n) % 5 + 1
                                          for n, o in enumerate(q["options"])}}
            elif kind == "ranking":
                order = [o["code"] for o in q["options"]]
                answers[code] = {"ranking": order[r % 5:] + order[:r % 5]}
            elif kind == "short_text":
                answers[code] = {"text": next(texts), "lang": next(languages)}
            elif kind == "long_text":
                turned = PAYLOADS[r:] + PAYLOADS[:r]
                answers[code] = {"text": "\n".join(turned), "lang": next(languages)}
            elif kind in ("likert", "scale"):
                answers[code] = {"value": r % 5 + 1}
            elif kind == "number":
                answers[code] = {"value": str(r)}
            elif kind == "date":
                answers[code] = {"date": (date(2020, 1, 1) + timedelta(days=r)).isoformat()}
        result.append(answers)
    return result


ANSWER_SETS = _answer_sets()
DRAFT_ANSWERS = ANSWER_SETS[0]
TEXT_ANSWERS = [a.get("other") or a.get("text") for answers in ANSWER_SETS[1:]
                for a in answers.values() if a.get("other") or a.get("text")]
assert set(SHORTS) <= set(TEXT_ANSWERS) and set(PAYLOADS) <= {
    a["lang"] for answers in ANSWER_SETS[1:] for a in answers.values() if "lang" in a}


def _texts_of(answer: dict) -> list[str]:
    return [answer[key] for key in ("other", "text") if key in answer]


def _languages_of(code: str) -> list[str]:
    """The languages the responses' texts for question ``code`` are said to be in."""
    return [answers[code]["lang"] for answers in ANSWER_SETS[1:] if "lang" in answers[code]]


# -- Writing xss-town into the live server's database ------------------------------------------


def _session_values(i: int) -> dict:
    """Topic, description, place and accessibility of in-person session ``i``."""
    return dict(topic=loc(TITLES, i), description=LONG if i == 0 else loc(TITLES, i + 3),
                accessibility=LONG if i == 0 else loc(TITLES, i + 5),
                address=TITLES[(i + 9) % len(TITLES)], room=TITLES[(i + 18) % len(TITLES)])


def _online_values(j: int) -> dict:
    return dict(topic=loc(TITLES, j + 7), description=loc(TITLES, j + 11), online_link=LINKS[j])


def _build() -> None:
    """Everything of xss-town, in one transaction."""
    import hashlib

    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from cocreate.accounts.models import ConsentRecord, Invitation, Membership, User
    from cocreate.accounts.models import token_hash as invitation_hash
    from cocreate.core.base import utcnow
    from cocreate.core.models import OutboxMessage
    from cocreate.extensions import db
    from cocreate.focusgroups import service as sessions
    from cocreate.focusgroups.models import FocusSession, Registration, Transcript, Turn
    from cocreate.labs.models import Lab, Phase
    from cocreate.municipalities.models import Municipality
    from cocreate.plans.models import Comment, Flag, Paragraph, Plan, PlanVersion
    from cocreate.research.models import ApiToken, Code, CodebookTemplate, Coding, Memo
    from cocreate.surveys import answers as rules
    from cocreate.surveys.authoring import add_sections_from, create_from_template, save_as_template
    from cocreate.surveys.models import Answer, Response, Survey, SurveyTemplate

    now = utcnow().replace(microsecond=0)
    languages = dict(default_language="nl", languages=["nl", "en", "ar"])

    def add(obj):
        db.session.add(obj)
        return obj

    # Towns: xss-town carries the first name, the others the rest (xss-town-2 also runs the
    # same survey template, so that researchers can compare the two).
    towns = [add(Municipality(slug=TOWN if i == 0 else f"{TOWN}-{i + 1}", name=name, country="BE",
                              timezone="Europe/Brussels", **languages))
             for i, name in enumerate(SHORTS)]
    town = towns[0]
    db.session.flush()

    # People, each with a display name: the accounts of PEOPLE, then residents (person-6 …,
    # participants). One hash of the demo password for all (scrypt is slow on purpose).
    password = generate_password_hash(DEMO_PASSWORD, method="scrypt")
    people = {}
    for n, (key, email) in enumerate([(k, e) for k, e in PEOPLE.items() if e] + [
            (f"person-{i}", f"person-{i}@{DOMAIN}") for i in range(6, len(SHORTS))]):
        person = add(User(email=email, display_name=SHORTS[n], preferred_language="en",
                          is_site_admin=key == "site_admin", password_hash=password))
        if key != "site_admin":
            add(Membership(user=person, municipality_id=town.id,
                           role=key if key in PEOPLE else "participant"))
        people[key] = person
    add(Membership(user=people["researcher"], municipality_id=towns[1].id, role="researcher"))
    add(Membership(user=people["person-6"], municipality_id=town.id, role="researcher"))
    residents = [p for k, p in people.items() if k.startswith("person-") or k == "participant"]
    for i, email in enumerate(SHORTS):
        add(Invitation(municipality_id=town.id, email=email, role="official", language="en",
                       token_hash=invitation_hash(f"xss-invitation-{i}"),
                       invited_by_id=people["admin"].id, expires_at=now + timedelta(days=14)))

    # Labs and phases.
    lab = add(Lab(municipality=town, slug=LAB, title=loc(TITLES, 0), description=LONG,
                  status="published", published_at=now, **languages))
    for i in range(1, len(TITLES)):
        add(Lab(municipality=town, slug=f"{LAB}-{i}", title=loc(TITLES, i),
                description=loc(TITLES, i + 1), status="published", published_at=now, **languages))
    for i in range(len(TITLES)):
        lab.phases.append(Phase(title=loc(TITLES, i), starts_on=date(2026, 1, 1) + timedelta(days=i),
                                ends_on=date(2026, 6, 1)))
    db.session.flush()

    # The survey, its answers and its template; other surveys carry the other titles.
    survey = add(Survey(lab=lab, slug=SURVEY, title=loc(TITLES, 0), intro=LONG, thanks=LONG,
                        consent_text=LONG, mode="anonymous", status="open",
                        results_published_at=now, **languages))
    for i in range(1, len(TITLES)):
        add(Survey(lab=lab, slug=f"{SURVEY}-{i}", title=loc(TITLES, i), intro=loc(TITLES, i + 1),
                   thanks={}, consent_text={}, mode="anonymous", status="open", **languages))
    db.session.flush()
    add_sections_from(survey, DEFINITION)
    db.session.flush()
    db.session.refresh(survey)
    for r, answers in enumerate(ANSWER_SETS[1:]):
        response = add(Response(survey_id=survey.id, language="en", submitted_at=now,
                                submission_key=hashlib.sha256(f"xss-{r}".encode()).hexdigest(),
                                consent_version=1,
                                consent_scopes=["participation", "research", "quotes"]))
        db.session.flush()
        db.session.execute(sa.insert(Answer), [
            {**row, "survey_id": survey.id, "response_id": response.id}
            for row in rules.answer_rows(survey, answers)])
        for scope in ("participation", "research", "quotes"):
            add(ConsentRecord(response_id=response.id, context=f"survey:{survey.id}", scope=scope,
                              granted=True, text_version=1, language="en"))
    template = save_as_template(None, survey, slug="xss-template-0", title=loc(TITLES, 0))
    for i in range(1, len(TITLES)):
        add(SurveyTemplate(slug=f"xss-template-{i}", municipality_id=town.id, title=loc(TITLES, i),
                           definition={}))
    other_lab = add(Lab(municipality=towns[1], slug=LAB, title=loc(TITLES, 1), description={},
                        status="published", published_at=now, **languages))
    db.session.flush()
    create_from_template(None, other_lab, template.definition, slug=SURVEY,
                         template_id=template.id).status = "open"

    # Focus groups: in-person sessions, then online ones; the first has every registration
    # and the transcripts.
    start = now.replace(minute=0, second=0) + timedelta(days=10)
    in_person = [add(FocusSession(lab=lab, starts_at=start + timedelta(hours=3 * i),
                                  ends_at=start + timedelta(hours=3 * i + 2), format="in_person",
                                  working_language="nl", interpretation=["ar"], capacity=500,
                                  status="published", **_session_values(i)))
                 for i in range(len(TITLES))]
    online = [add(FocusSession(lab=lab, starts_at=start + timedelta(days=5, hours=3 * j),
                               ends_at=start + timedelta(days=5, hours=3 * j + 2), format="online",
                               working_language="en", capacity=50, status="published",
                               **_online_values(j)))
              for j in range(len(LINKS))]
    db.session.flush()
    main = in_person[0]

    def register(session, **values):
        registration = add(Registration(session=session, language="en", status="confirmed",
                                        consent_audio=True, consent_quotes=True, **values))
        db.session.flush()
        add(ConsentRecord(registration_id=registration.id, context=f"session:{session.id}",
                          scope="research", granted=True, text_version=1, language="en"))
        return registration

    for g, name in enumerate(SHORTS):
        register(main, guest_name=name, guest_email=SHORTS[(g + 1) % len(SHORTS)],
                 guest_phone=SHORTS[(g + 2) % len(SHORTS)],
                 note=ALL if g == 0 else SHORTS[(g + 3) % len(SHORTS)],
                 accessibility_needs=ALL if g == 1 else SHORTS[(g + 4) % len(SHORTS)],
                 needs_childcare=g % 3 == 0, interpretation_language="ar" if g % 4 == 0 else None,
                 token_hash=sessions.token_hash(f"xss-guest-{g}"))
    for w, name in enumerate(SHORTS):
        register(main, guest_name=name, is_walk_in=True, attended=True, checked_in_at=now,
                 group_code=SHORTS[(w + 5) % len(SHORTS)],
                 token_hash=sessions.token_hash(f"xss-walk-in-{w}"))
    for person in residents:
        register(main, user_id=person.id, token_hash=sessions.token_hash(f"xss-user-{person.id}"))
    for j, session in enumerate(online):
        register(session, user_id=people["participant"].id,
                 token_hash=sessions.token_hash(f"xss-participant-{j}"))
        guest = register(session, guest_name=SHORTS[j], guest_email=f"guest-{j}@{DOMAIN}",
                         token_hash=sessions.token_hash(f"xss-online-{j}"))
        if j < 3:  # the confirmation e-mail, through the service, into the outbox
            sessions.notify(guest, "registered", token=f"xss-online-{j}")
    add(ConsentRecord(user_id=people["participant"].id, context=f"survey:{survey.id}",
                      scope="participation", granted=True, text_version=1, language="en"))
    add(ConsentRecord(user_id=people["participant"].id, context=f"session:{main.id}",
                      scope="audio", granted=True, text_version=1, language="en"))

    transcripts = [add(Transcript(session_id=main.id, source="text", filename=name, language="nl",
                                  uploaded_by_id=people["moderator"].id))
                   for name in TITLES]
    db.session.flush()
    turns = [add(Turn(transcript_id=transcripts[0].id, position=k, speaker_label=label,
                      speaker_kind="unknown", text=SHORTS[(k + 7) % len(SHORTS)],
                      language="nl" if k % 2 else "en"))
             for k, label in enumerate(SHORTS)]
    turns += [add(Turn(transcript_id=transcripts[0].id, position=len(SHORTS) + k, speaker_label="",
                       speaker_kind="facilitator", text=text, language="en"))
              for k, text in enumerate((ALL, ALL_REVERSED))]
    for i, transcript in enumerate(transcripts[1:], start=1):
        add(Turn(transcript_id=transcript.id, position=0, speaker_label=SHORTS[(2 * i) % len(SHORTS)],
                 speaker_kind="unknown", text=TITLES[(i + 13) % len(TITLES)], language="nl"))

    # A plan people commented on (with their names shown), some comments reported.
    plan = add(Plan(lab=lab, slug=PLAN, title={"nl": "Plan", "en": "Plan"}, official_language="nl",
                    comments_open_at=now - timedelta(days=1), comments_close_at=now + timedelta(days=30)))
    version = add(PlanVersion(plan=plan, number=1, published_at=now))
    version.paragraphs.append(Paragraph(position=0, anchor="p-0000a001", text="Tekst."))
    db.session.flush()
    for n, person in enumerate(residents):
        comment = add(Comment(plan_id=plan.id, version_id=version.id, anchor="p-0000a001",
                              user_id=person.id, body=f"Reactie {n}", language="nl", show_name=True))
        add(ConsentRecord(user_id=person.id, context=f"plan:{plan.id}", scope="research",
                          granted=True, text_version=1, language="en"))
        if n % 5 == 0:
            db.session.flush()
            add(Flag(comment_id=comment.id, user_id=people["participant"].id, reason="x"))

    # Research: a codebook (names and descriptions), codings by two coders, memos, templates.
    codes = []
    for i, name in enumerate(SHORTS):
        codes.append(add(Code(lab_id=lab.id, key=f"xss-code-{i}", name=name, position=i,
                              description=(ALL if i == 0 else ALL_REVERSED if i == 1
                                           else SHORTS[(i + 1) % len(SHORTS)]),
                              parent_id=codes[0].id if i in (2, 3) else None)))
        db.session.flush()
    free = [q["code"] for q in QUESTIONS if q["type"] in ("short_text", "long_text")]
    answer_units = list(db.session.scalars(sa.select(Answer.id).where(
        Answer.survey_id == survey.id, Answer.value_text.is_not(None),
        sa.or_(Answer.option_code.is_not(None), Answer.question_code.in_(free)))))
    for coder, step in ((people["researcher"], 1), (people["person-6"], 2)):
        for turn in turns[::step]:
            add(Coding(lab_id=lab.id, code_id=codes[0].id, coder_id=coder.id, unit_kind="turn",
                       unit_id=turn.id))
        for unit in answer_units[::step]:
            add(Coding(lab_id=lab.id, code_id=codes[1].id, coder_id=coder.id, unit_kind="answer",
                       unit_id=unit))
        add(Coding(lab_id=lab.id, code_id=codes[2].id, coder_id=coder.id, unit_kind="turn",
                   unit_id=turns[-2].id, start_pos=0, end_pos=40))
    researcher = people["researcher"]
    add(Memo(lab_id=lab.id, author_id=researcher.id, text=ALL))
    add(Memo(lab_id=lab.id, author_id=people["person-6"].id, text=ALL_REVERSED))
    add(Memo(lab_id=lab.id, author_id=researcher.id, code_id=codes[0].id, text=ALL))
    add(Memo(lab_id=lab.id, author_id=researcher.id, unit_kind="turn", unit_id=turns[-2].id,
             text=ALL_REVERSED))
    for i in range(len(SHORTS)):
        add(CodebookTemplate(slug=f"xss-codebook-{i}", municipality_id=town.id, title=loc(SHORTS, i),
                             definition=[{"key": f"xss-{i}", "name": SHORTS[i], "description": ALL,
                                          "color": "#1f6f8b", "children": []}]))
        add(ApiToken(user_id=researcher.id, name=SHORTS[i], prefix=f"cc_xss{i:03d}",
                     token_hash=hashlib.sha256(f"xss-token-{i}".encode()).hexdigest()))

    # E-mails: subjects, addresses and bodies.
    for i, address in enumerate(SHORTS):
        add(OutboxMessage(municipality_id=town.id, to_address=address, language="en",
                          subject=TITLES[i % len(TITLES)], body_text=ALL if i == 0 else address))
    db.session.flush()


@dataclass
class World:
    """What the pages need to know about xss-town (ids), and how to write into it."""

    app: object
    ids: dict = field(default_factory=dict)

    def write(self, change) -> None:
        """Run ``change()`` in an application context and commit."""
        from cocreate.extensions import db

        with self.app.test_request_context("/en/"):
            try:
                change()
                db.session.commit()
            finally:
                db.session.remove()


def _ids() -> dict:
    import sqlalchemy as sa

    from cocreate.accounts.models import User
    from cocreate.extensions import db
    from cocreate.focusgroups.models import FocusSession, Transcript
    from cocreate.labs.models import Lab
    from cocreate.municipalities.models import Municipality
    from cocreate.plans.models import Plan
    from cocreate.research.models import Code
    from cocreate.surveys.models import Question, Section, Survey, SurveyTemplate

    def column(query):
        return list(db.session.scalars(query))

    town = db.session.scalar(sa.select(Municipality.id).where(Municipality.slug == TOWN))
    lab = db.session.scalar(sa.select(Lab.id).where(Lab.municipality_id == town, Lab.slug == LAB))
    survey = db.session.scalar(sa.select(Survey.id).where(Survey.lab_id == lab, Survey.slug == SURVEY))
    sessions = sa.select(FocusSession.id).where(FocusSession.lab_id == lab).order_by(FocusSession.id)
    in_person = column(sessions.where(FocusSession.format == "in_person"))
    return dict(
        survey=survey,
        sections=column(sa.select(Section.id).where(Section.survey_id == survey)
                        .order_by(Section.position)),
        questions={code: id_ for id_, code in db.session.execute(
            sa.select(Question.id, Question.code).where(Question.survey_id == survey))},
        in_person=in_person,
        online=column(sessions.where(FocusSession.format == "online")),
        transcripts=column(sa.select(Transcript.id).where(Transcript.session_id == in_person[0])
                           .order_by(Transcript.id)),
        codes=column(sa.select(Code.id).where(Code.lab_id == lab).order_by(Code.position)),
        plan=db.session.scalar(sa.select(Plan.id).where(Plan.lab_id == lab, Plan.slug == PLAN)),
        template=db.session.scalar(sa.select(SurveyTemplate.id).where(
            SurveyTemplate.slug == "xss-template-0")),
        coders=[db.session.scalar(sa.select(User.id).where(User.email == email))
                for email in (PEOPLE["researcher"], SECOND_CODER)],
    )


@pytest.fixture(scope="module")
def world(live_server) -> World:
    """xss-town in the live server's database: written once (not again when it exists),
    by a second application on the same file with the same keys."""
    import sqlalchemy as sa

    from cocreate import create_app
    from cocreate.extensions import db
    from cocreate.municipalities.models import Municipality

    app = create_app({**LIVE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{LIVE_DATABASE['path']}"})
    result = World(app)
    try:
        with app.test_request_context("/en/"):
            try:
                if db.session.scalar(sa.select(Municipality.id).where(Municipality.slug == TOWN)) is None:
                    _build()
                    db.session.commit()
                result.ids = _ids()
            finally:
                db.session.remove()
        yield result
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# -- The pages --------------------------------------------------------------------------------

BASE = f"/m/{TOWN}"
PUBLIC_LAB = f"{BASE}/labs/{LAB}"
MANAGE_LAB = f"{BASE}/manage/labs/{LAB}"
PUBLIC_SURVEY = f"{PUBLIC_LAB}/surveys/{SURVEY}"
MANAGE_SURVEY = f"{MANAGE_LAB}/surveys/{SURVEY}"
CODING = f"{MANAGE_LAB}/coding"


#: In a visitor's list of pages: start answering the survey here (see _start_draft).
START_DRAFT = object()


@dataclass
class Page:
    url: str
    #: Texts that must be in the page as text (or as the value of a form field).
    shows: list = field(default_factory=list)
    #: Values that must be in the page as they are, as ``lang`` attributes.
    langs: list = field(default_factory=list)


def en(value: dict) -> str:
    return value["en"]


def nl(value: dict) -> str:
    return value["nl"]


def _question_texts(q: dict, pick=en) -> list[str]:
    texts = [pick(q["text"]), pick(q["help"])]
    texts += [pick(o["label"]) for o in q["options"] if o["kind"] != "prefer_not"]
    return texts


#: Staff pages about one object (a survey page or question to edit, a session, a
#: transcript, a code) are opened for these objects, and the pages that list every object
#: (or show them all, like the survey's preview) in full. What residents see is opened for
#: every object: each page of the survey, each session.
SAMPLE_SECTIONS = (0, 1)
SAMPLE_QUESTIONS = ("Q1", "Q2", "Q3", "Q4", "Q7")  # single, multiple, grid, ranking, agreement
SAMPLE_SESSIONS = (0, 1)  # of each kind; online session 0 has the ``javascript:`` link
SAMPLE_TRANSCRIPTS = (0, 1)
SAMPLE_CODES = (0, 1, 2)  # 0 has every payload as description, 2 is a sub-code of 0


def _pages(ids: dict) -> dict[str, list]:
    """Every page that shows a field of xss-town, by who opens it, with what it must show."""
    lab_titles = TITLES  # in English: loc(TITLES, i)["en"] for every lab, phase, survey …
    dutch_titles = [nl(loc(TITLES, i)) for i in range(len(TITLES))]
    in_person = [_session_values(i) for i in range(len(ids["in_person"]))]
    online = [_online_values(j) for j in range(len(ids["online"]))]
    sections = DEFINITION["sections"]
    structure = [en(s["title"]) for s in sections] + [en(q["text"]) for q in QUESTIONS]
    every_question = [en(s["title"]) for s in sections] + [t for q in QUESTIONS for t in _question_texts(q)]
    main = ids["in_person"][0]
    title = en(loc(TITLES, 0))  # of the lab, the survey, the first session, the template
    #: Display names: the participant's, then the other residents' (see _build).
    residents = [SHORTS[0], *SHORTS[6:]]
    draft_texts = [t for a in DRAFT_ANSWERS.values() for t in _texts_of(a)]

    def session_page(values: dict, pick=en) -> list[str]:
        texts = [pick(values["topic"]), pick(values["description"])]
        if "address" in values:
            texts += [values["address"], values["room"], pick(values["accessibility"])]
        return texts

    def session_form(values: dict) -> list[str]:
        return [*values["topic"].values(), *values["description"].values(),
                *values.get("accessibility", {}).values(),
                *[values[k] for k in ("address", "room", "online_link") if k in values]]

    anonymous = [
        Page("/en/", SHORTS),
        Page(f"/en{BASE}/", [SHORTS[0], *lab_titles]),
        Page(f"/ar{BASE}/", [SHORTS[0], *dutch_titles]),
        Page(f"/en{PUBLIC_LAB}/", [SHORTS[0], title, ALL, *lab_titles,
                                  *[s["address"] for s in in_person]]),
        Page(f"/ar{PUBLIC_LAB}/", [nl(loc(TITLES, 0)), ALL_REVERSED, *dutch_titles]),
        # The start page shows the consent text until a draft is started (see _start_draft).
        Page(f"/ar{PUBLIC_SURVEY}/", [nl(loc(TITLES, 0)), ALL_REVERSED]),
        START_DRAFT,
        *[Page(f"/en{PUBLIC_SURVEY}/page/{i}",
               [title, en(section["title"]), *_question_texts(section["questions"][0]),
                *_texts_of(DRAFT_ANSWERS[section["questions"][0]["code"]])])
          for i, section in enumerate(sections)],
        Page(f"/ar{PUBLIC_SURVEY}/page/0", [nl(sections[0]["title"]),
                                           *_question_texts(QUESTIONS[0], nl)]),
        Page(f"/en{PUBLIC_SURVEY}/review", structure + draft_texts),
        Page(f"/ar{PUBLIC_SURVEY}/review", [nl(s["title"]) for s in sections] + draft_texts),
        Page(f"/en{PUBLIC_SURVEY}/later", [title]),
        Page(f"/en{PUBLIC_SURVEY}/resume", [title]),
        Page(f"/en{PUBLIC_SURVEY}/thanks", [title, ALL]),
        Page(f"/en{PUBLIC_SURVEY}/print", [title, *every_question]),
        Page(f"/en{PUBLIC_SURVEY}/poster", [title, nl(loc(TITLES, 0))]),
        Page(f"/en{PUBLIC_SURVEY}/results", [title]),
        Page(f"/en{PUBLIC_SURVEY}/results?by=Q1", [title]),
        *[Page(f"/en{PUBLIC_LAB}/sessions/{session}/", session_page(values))
          for session, values in zip(ids["in_person"], in_person, strict=True)],
        Page(f"/ar{PUBLIC_LAB}/sessions/{main}/", session_page(in_person[0], nl)),
        Page("/en/registrations/xss-guest-0", session_page(in_person[0])),
        Page("/en/invitations/xss-invitation-0", [SHORTS[0]]),
        Page(f"/en{PUBLIC_LAB}/plans/{PLAN}/", [title, *residents]),
        Page(f"/en{PUBLIC_LAB}/plans/{PLAN}/compare"),
        Page(f"/en{PUBLIC_LAB}/plans/{PLAN}/you-said-we-did"),
    ]
    # Only a confirmed participant sees an online session's link.
    participant = [
        *[Page(f"/en{PUBLIC_LAB}/sessions/{session}/", [*session_page(values), values["online_link"]])
          for session, values in zip(ids["online"], online, strict=True)],
        Page(f"/ar{PUBLIC_LAB}/sessions/{ids['online'][0]}/",
             [nl(online[0]["topic"]), online[0]["online_link"]]),
        *[Page(f"/en/registrations/xss-online-{j}", [en(online[j]["topic"]), online[j]["online_link"]])
          for j in SAMPLE_SESSIONS],
        Page(f"/en{PUBLIC_LAB}/sessions/{main}/", session_page(in_person[0])),
        Page("/en/profile", [SHORTS[0], title]),
        Page(f"/en{PUBLIC_LAB}/plans/{PLAN}/", residents),
    ]
    official = [
        Page(f"/en{BASE}/manage/", [SHORTS[0], *lab_titles]),
        Page(f"/en{MANAGE_LAB}", [*lab_titles, nl(loc(TITLES, 0)), ALL, ALL_REVERSED]),
        Page(f"/en{BASE}/manage/labs/new", [SHORTS[0]]),
        Page(f"/en{MANAGE_LAB}/surveys/new", [title, *lab_titles]),
        Page(f"/en{MANAGE_SURVEY}", [*loc(TITLES, 0).values(), ALL, ALL_REVERSED, *structure]),
        *[Page(f"/en{MANAGE_SURVEY}/sections/{ids['sections'][i]}",
               [*sections[i]["title"].values()]) for i in SAMPLE_SECTIONS],
        *[Page(f"/en{MANAGE_SURVEY}/questions/{ids['questions'][q['code']]}",
               [*q["text"].values(), *q["help"].values(),
                *[v for o in q["options"] for v in o["label"].values()]])
          for q in QUESTIONS if q["code"] in SAMPLE_QUESTIONS],
        Page(f"/en{MANAGE_SURVEY}/questions/new", [title]),
        Page(f"/en{MANAGE_SURVEY}/preview", [title, *every_question]),
        Page(f"/en{MANAGE_SURVEY}/invitations", [title]),
        Page(f"/en{MANAGE_SURVEY}/results?by=Q1", [title]),
        Page(f"/en{MANAGE_LAB}/plans/new", [title]),
        Page(f"/en{MANAGE_LAB}/plans/{PLAN}", [title]),
        Page(f"/en{MANAGE_LAB}/plans/{PLAN}/responses"),
    ]
    manage_session = f"/en{MANAGE_LAB}/sessions"
    moderator = [
        Page(f"/en{BASE}/manage/", [SHORTS[0], *lab_titles]),
        Page(f"{manage_session}/new", [title]),
        Page(f"{manage_session}/{main}", [*session_form(in_person[0]), *SHORTS, *residents, ALL]),
        *[Page(f"{manage_session}/{ids[kind][i]}", session_form(values[i]))
          for kind, values in (("in_person", in_person), ("online", online))
          for i in SAMPLE_SESSIONS if ids[kind][i] != main],
        Page(f"{manage_session}/{main}/roster", [title, *SHORTS, *residents]),
        Page(f"{manage_session}/{main}/sign-in-sheet", [title, *SHORTS, *residents]),
        Page(f"{manage_session}/{main}/transcripts", [title, *TITLES]),
        *[Page(f"{manage_session}/{main}/transcripts/{ids['transcripts'][i]}",
               [TITLES[i], *([*SHORTS, ALL, ALL_REVERSED] if i == 0 else
                             [SHORTS[(2 * i) % len(SHORTS)], TITLES[(i + 13) % len(TITLES)]])])
          for i in SAMPLE_TRANSCRIPTS],
        Page(f"{manage_session}/{main}/report", [title, *SHORTS]),
        Page(f"/en{MANAGE_LAB}/plans/{PLAN}/moderation", [residents[0]]),
    ]
    first_coder, second_coder = ids["coders"]
    codes = ids["codes"]
    descriptions = {0: ALL, 1: ALL_REVERSED, 2: SHORTS[3]}
    researcher = [
        Page(f"/en{BASE}/manage/research/", [SHORTS[0], *lab_titles]),
        Page(f"/en{BASE}/manage/research/compare/{ids['template']}", [title, SHORTS[0], SHORTS[1]]),
        Page(f"/en{MANAGE_SURVEY}/results?by=Q1", [title, *TEXT_ANSWERS],
             [code for q in QUESTIONS for code in _languages_of(q["code"])]),
        Page(f"/en{MANAGE_SURVEY}/results?by=Q3&f=Q2:Q2_1&f=Q1:Q1_other", [title]),
        Page(f"/en{CODING}", [*SHORTS, *TITLES, ALL, ALL_REVERSED]),
        Page(f"/en{CODING}/codebook", [*SHORTS, ALL, ALL_REVERSED]),
        *[Page(f"/en{CODING}/codes/{codes[i]}{tail}", [SHORTS[i], descriptions[i]])
          for i in SAMPLE_CODES for tail in ("", "/edit")],
        *[Page(f"/en{CODING}/codes/{codes[i]}/delete", [SHORTS[i]]) for i in SAMPLE_CODES],
        *[Page(f"/en{CODING}/codes/{codes[i]}?page=2", [SHORTS[i]]) for i in (0, 1)],
        Page(f"/en{CODING}/codes/{codes[0]}?children=1", [SHORTS[0], ALL]),
        # 50 texts a page: the turns of every payload are on the second one.
        Page(f"/en{CODING}/sources/transcript-{ids['transcripts'][0]}", [title, TITLES[0], SHORTS[7]]),
        Page(f"/en{CODING}/sources/transcript-{ids['transcripts'][0]}?page=2",
             [TITLES[0], ALL, ALL_REVERSED]),
        Page(f"/en{CODING}/sources/transcript-{ids['transcripts'][1]}", [TITLES[1], TITLES[14]]),
        *[Page(f"/en{CODING}/sources/question-{ids['survey']}-{q['code']}",
               [en(q["text"]), *[t for answers in ANSWER_SETS[1:] for t in _texts_of(answers[q["code"]])]],
               _languages_of(q["code"]))
          for q in QUESTIONS if q["type"] in ("single", "multiple", "short_text", "long_text")],
        Page(f"/en{CODING}/sources/plan-{ids['plan']}"),
        Page(f"/en{CODING}/agreement?a={first_coder}&b={second_coder}", [*SHORTS, SHORTS[3], SHORTS[6]]),
        Page(f"/en{BASE}/manage/research/exports", [title, *lab_titles]),
        Page("/en/profile/api-tokens", SHORTS),
        Page("/en/profile", [SHORTS[3]]),
    ]
    admin = [
        Page(f"/en{BASE}/manage/", [SHORTS[0]]),
        Page(f"/en{BASE}/manage/members", [*SHORTS, *[f"person-{i}@{DOMAIN}" for i in (6, 7)]]),
        Page(f"/en{BASE}/manage/settings", [SHORTS[0]]),
        Page(f"/en{BASE}/manage/outbox", [*SHORTS, *TITLES, ALL]),
    ]
    site_admin = [
        Page("/en/admin/outbox", [*SHORTS, *TITLES, ALL]),
        Page("/en/admin/municipalities", SHORTS),
        Page(f"/en{BASE}/manage/", [SHORTS[0], *lab_titles]),
    ]
    return {"anonymous": anonymous, "participant": participant, "official": official,
            "moderator": moderator, "researcher": researcher, "admin": admin,
            "site_admin": site_admin}


#: In the page: what ran, what is unsafe, and which expected texts are not shown as text
#: (or as what a form field holds: a text input's value attribute keeps the line breaks
#: that its value drops).
CHECK = """([dom, shows, langs]) => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    const fields = document.querySelectorAll('input:not([type=hidden]), textarea, select');
    const text = [document.documentElement.textContent,
        ...Array.from(fields, el => el.value + '\\n' + (el.getAttribute('value') || ''))].join('\\n');
    return {ran: top.__xss, problems: (DOM_PROBLEMS)(dom), dir: document.documentElement.dir,
            missing: shows.filter(s => !text.includes(s)),
            missingLangs: langs.filter(code => !document.querySelector(`[lang="${CSS.escape(code)}"]`))};
}""".replace("DOM_PROBLEMS", DOM_PROBLEMS)


# -- The tests ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _states() -> dict:
    return {}


@pytest.fixture
def person(new_page, sign_in, _states):
    """``person(role, **context options)`` → a watched page in a fresh context, signed in as
    that role's xss-town account (each signs in once per module) and recording payloads."""

    def make(role: str, **options) -> tuple[Watched, list]:
        email = PEOPLE[role]
        if email and email not in _states:
            watched = new_page()
            sign_in(watched, email)
            _states[email] = watched.page.context.storage_state()
        if email:
            options["storage_state"] = _states[email]
        watched = new_page(**options)
        watched.page.context.add_init_script(XSS_RECORDER)
        dialogs = []
        watched.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        return watched, dialogs

    return make


def _check(watched: Watched, dialogs: list, page: Page, where: str) -> None:
    """Move the mouse over the page, open every ``details`` and check the page."""
    watched.page.mouse.move(300, 300)
    found = watched.page.evaluate(CHECK, [{"content": "", "trusted": DRAWN}, page.shows, page.langs])
    assert found["ran"] == [], f"{where}: payloads ran: " + "\n".join(
        PAYLOADS[i] if isinstance(i, int) else str(i) for i in found["ran"])
    assert dialogs == [], f"{where}: dialogs opened: {dialogs}"
    assert found["problems"] == [], f"{where}: unsafe markup:\n" + "\n".join(found["problems"])
    assert found["missing"] == [], f"{where}: not shown as text:\n" + "\n".join(
        repr(text) for text in found["missing"])
    assert found["missingLangs"] == [], f"{where}: not kept as a language:\n" + "\n".join(
        repr(code) for code in found["missingLangs"])
    if page.url.startswith("/ar/"):
        assert found["dir"] == "rtl", f"{where}: the Arabic page is not right to left"
    refused = [m for m in watched.console if any(
        word in m["text"].lower() for word in ("refused to", "violates the following"))]
    assert refused == [], f"{where}: blocked by the CSP: {refused}"
    watched.assert_clean()


def _start_draft(watched: Watched, dialogs: list, world: World, mode: str) -> None:
    """Start answering as a visitor does (consent, then the first page), then give that
    draft the payload answers, straight in the database."""
    import sqlalchemy as sa

    from cocreate.extensions import db
    from cocreate.surveys.models import ResponseDraft

    page = watched.page
    start = Page(f"/en{PUBLIC_SURVEY}/", [en(loc(TITLES, 0)), ALL])
    watched.goto(start.url)
    _check(watched, dialogs, start, f"{start.url} as anonymous ({mode})")
    page.check("#participation")
    page.check("#research")
    with page.expect_navigation(wait_until="load"):
        page.click("section.panel form button[type=submit]")
    assert page.url.endswith(f"{PUBLIC_SURVEY}/page/0"), page.url

    def fill():
        draft = db.session.scalar(sa.select(ResponseDraft).where(
            ResponseDraft.survey_id == world.ids["survey"]).order_by(ResponseDraft.id.desc()))
        draft.answers = DRAFT_ANSWERS

    world.write(fill)


@pytest.mark.parametrize("role", list(PEOPLE))
def test_no_payload_runs_on_any_page(person, world, role):
    pages = _pages(world.ids)[role]
    for bypass_csp in (False, True):
        mode = "CSP bypassed" if bypass_csp else "with CSP"
        watched, dialogs = person(role, bypass_csp=bypass_csp)
        for page in pages:
            if page is START_DRAFT:
                _start_draft(watched, dialogs, world, mode)
                continue
            watched.goto(page.url)
            _check(watched, dialogs, page, f"{page.url} as {role} ({mode})")


def test_the_codebook_export_runs_no_payload(person, world, tmp_path):
    """The survey's codebook as a standalone HTML file (written as the command line does),
    opened on the live server's origin: with its CSP in force, then with it bypassed."""
    from cocreate.extensions import db
    from cocreate.research.exports.service import export_to_path

    path = tmp_path / "codebook.html"
    with world.app.test_request_context("/en/"):
        try:
            export_to_path("survey", f"{TOWN}/{LAB}/{SURVEY}", "codebook-html", str(path))
        finally:
            db.session.rollback()  # the audit rows: xss-town stays as it was built
            db.session.remove()
    html = path.read_text(encoding="utf-8")
    texts = [*loc(TITLES, 0).values(),
             *[text for q in QUESTIONS for text in (*q["text"].values(),
                                                    *[v for o in q["options"]
                                                      for v in o["label"].values()])]]
    for bypass_csp in (False, True):
        watched, dialogs = person("anonymous", bypass_csp=bypass_csp)
        watched.goto("/en/login")
        watched.page.set_content(html, wait_until="load")
        assert watched.page.locator("main table").count() > 0, "the codebook was not opened"
        _check(watched, dialogs, Page("codebook", texts),
               f"codebook export ({'CSP bypassed' if bypass_csp else 'with CSP'})")
