"""Material for coding tests: one lab with every kind of text unit, some of people who
agreed to research use and some of people who did not (or withdrew)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cocreate.accounts.models import ConsentRecord
from cocreate.core.base import utcnow
from cocreate.extensions import db
from cocreate.focusgroups import screening
from cocreate.focusgroups.models import Registration, Transcript, Turn
from cocreate.plans.models import Comment, Paragraph, Plan, PlanVersion
from cocreate.surveys import service as survey_service
from tests.surveys.definitions import opts, question, t

#: A long text with Arabic and an emoji made of two code points (and four UTF-16 units).
ARABIC_EMOJI = "مرحبا 👋🏽 نريد دروسا في المساء"
EMOJI_TEXT = "Great 🎉 idea: evening lessons with childcare 👶 please"

DEFINITION = {"sections": [{"title": t("Page"), "condition": None, "questions": [
    question("T1", "long_text"),
    question("T2", "single", options=opts("T2", 2, other=True)),
    {**question("GEN", "single", options=opts("GEN", 3)), "dimension": "generation"},
    {**question("ORIGIN", "single", options=opts("ORIGIN", 2)), "dimension": "origin"},
    question("D1", "date"),
]}]}


@dataclass
class Material:
    town: object
    lab: object
    researcher: object
    survey: object
    transcript: object
    plan: object
    #: Units that may be coded / must never appear, as (kind, id).
    allowed: dict
    hidden: dict


def submit(app, survey, answers, *, research=True, language="nl"):
    """A response stored through the real submission path, with its consent records."""
    with app.test_request_context():
        draft, _code = survey_service.start_draft(survey, language=language,
                                                  consent={"participation": True, "research": research})
        draft.answers = answers
        response = survey_service.submit(survey, draft, draft.submission_token)
    db.session.flush()
    return response


def answer_id(response, code: str) -> int:
    return next(a.id for a in response.answers if a.question_code == code and a.value_text)


def build(app, make_municipality, make_user, make_lab, make_survey, make_session) -> Material:
    town = make_municipality()
    lab = make_lab(town)
    researcher = make_user(roles=[(town, "researcher")], name="Rita Researcher",
                           email="rita@research.example.org")
    survey = make_survey(town, lab=lab, definition=DEFINITION)

    arabic = submit(app, survey, {"T1": {"text": ARABIC_EMOJI, "lang": "ar"}, "GEN": {"option": "GEN_1"},
                                  "ORIGIN": {"option": "ORIGIN_2"}}, language="ar")
    other = submit(app, survey, {"T2": {"option": "T2_other", "other": "=SUM(A1)", "lang": "nl"},
                                 "ORIGIN": {"option": "ORIGIN_1"}, "D1": {"date": "2020-01-01"}})
    declined = submit(app, survey, {"T1": {"text": "Ik wil niet onderzocht worden", "lang": "nl"}},
                      research=False)
    withdrawn = submit(app, survey, {"T1": {"text": "Later trok ik mijn toestemming in", "lang": "nl"}})
    db.session.execute(sa.update(ConsentRecord).where(ConsentRecord.response_id == withdrawn.id,
                                                      ConsentRecord.scope == "research")
                       .values(withdrawn_at=utcnow()))

    session = make_session(town, lab=lab)
    consenting = Registration(session=session, guest_name="Amal Secret", guest_email="amal@secret.example.org",
                              language="ar", group_code=screening.NEWCOMER, status="confirmed",
                              token_hash="h-amal")
    refusing = Registration(session=session, guest_name="Bert Secret", guest_email="bert@secret.example.org",
                            language="nl", group_code=screening.LONG_TERM, status="confirmed",
                            token_hash="h-bert")
    db.session.add_all([consenting, refusing])
    db.session.flush()
    for registration, granted in ((consenting, True), (refusing, False)):
        db.session.add(ConsentRecord(registration_id=registration.id, context=f"session:{session.id}",
                                     scope="research", granted=granted, text_version=1, language="nl"))
    transcript = Transcript(session_id=session.id, source="notes", language="nl")
    transcript.turns = [
        Turn(position=0, speaker_label="Moderator Mona", speaker_kind="facilitator",
             text="Welkom allemaal.", language="nl"),
        Turn(position=1, speaker_label="Amal Secret", speaker_kind="participant",
             registration_id=consenting.id, text=ARABIC_EMOJI, language="ar"),
        Turn(position=2, speaker_label="Bert Secret", speaker_kind="participant",
             registration_id=refusing.id, text="Dit mag niemand lezen.", language="nl"),
    ]
    db.session.add(transcript)

    plan = Plan(lab=lab, slug="plan", title={"nl": "Plan", "en": "Plan"}, official_language="nl")
    version = PlanVersion(plan=plan, number=1, published_at=utcnow())
    version.paragraphs.append(Paragraph(position=0, anchor="p-00000001", text="Tekst"))
    db.session.add(plan)
    db.session.flush()
    yes, no, gone = (make_user(roles=[(town, "participant")], name=f"Commenter {n}",
                               email=f"commenter{n}@secret.example.org") for n in ("Yes", "No", "Gone"))
    comments = {}
    for author, body in ((yes, EMOJI_TEXT), (no, "Geen onderzoek alstublieft."),
                         (gone, "Ik trek mijn toestemming in.")):
        comments[author.id] = Comment(plan_id=plan.id, version_id=version.id, anchor="p-00000001",
                                      user_id=author.id, body=body, language="en" if author is yes else "nl")
    hidden_comment = Comment(plan_id=plan.id, version_id=version.id, anchor="p-00000001", user_id=yes.id,
                             body="Hidden by a moderator.", language="en", status="hidden")
    db.session.add_all([*comments.values(), hidden_comment])
    for author, withdrawn_at in ((yes, None), (gone, utcnow())):
        db.session.add(ConsentRecord(user_id=author.id, context=f"plan:{plan.id}", scope="research",
                                     granted=True, text_version=1, language="nl", withdrawn_at=withdrawn_at))
    db.session.flush()

    turns = {turn.position: turn.id for turn in transcript.turns}
    allowed = {"answer_arabic": ("answer", answer_id(arabic, "T1")),
               "answer_other": ("answer", answer_id(other, "T2")),
               "turn_facilitator": ("turn", turns[0]), "turn_arabic": ("turn", turns[1]),
               "comment_emoji": ("comment", comments[yes.id].id)}
    hidden = {"answer_declined": ("answer", answer_id(declined, "T1")),
              "answer_withdrawn": ("answer", answer_id(withdrawn, "T1")),
              "answer_date": ("answer", answer_id(other, "D1")),
              "turn_refusing": ("turn", turns[2]),
              "comment_no": ("comment", comments[no.id].id), "comment_gone": ("comment", comments[gone.id].id),
              "comment_hidden": ("comment", hidden_comment.id)}
    return Material(town=town, lab=lab, researcher=researcher, survey=survey, transcript=transcript, plan=plan,
                    allowed=allowed, hidden=hidden)


def coding_url(material: Material, path: str = "", lang: str = "en") -> str:
    return f"/{lang}/m/{material.town.slug}/manage/labs/{material.lab.slug}/coding{path}"
