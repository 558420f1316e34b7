"""Demo focus groups in "Samen leven in Ninove": a nearly full Dutch session with Arabic
interpretation and a waiting list, an online session in French, and a past session
with attendance and a transcript of about 60 turns in Dutch and Arabic."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from cocreate.accounts.models import ConsentRecord
from cocreate.core.base import utcnow
from cocreate.extensions import db
from cocreate.focusgroups import screening
from cocreate.focusgroups.models import FocusSession, Registration
from cocreate.focusgroups.service import token_hash
from cocreate.focusgroups.transcribing import add_transcript
from cocreate.labs.models import Lab


def t(nl, fr, en, ar):
    return {"nl": nl, "fr": fr, "en": en, "ar": ar}


#: The first eleven hold places in the Dutch session: 7 long-term residents (their most
#: under a 40/40 mix of 12 places) and 4 newcomers, so the last place is for a newcomer and
#: the two long-term residents after them wait.
PEOPLE = [  # name, group, language, interpretation
    ("Amal", screening.NEWCOMER, "ar", "ar"), ("Jan", screening.LONG_TERM, "nl", None),
    ("Fatima", screening.NEWCOMER, "ar", "ar"), ("Luc", screening.LONG_TERM, "nl", None),
    ("Olena", screening.NEWCOMER, "en", None), ("Marie", screening.LONG_TERM, "fr", None),
    ("Yusuf", screening.NEWCOMER, "ar", "ar"), ("Els", screening.LONG_TERM, "nl", None),
    ("Greet", screening.LONG_TERM, "nl", None), ("Karin", screening.LONG_TERM, "nl", None),
    ("Wim", screening.LONG_TERM, "nl", None), ("Dirk", screening.LONG_TERM, "nl", None),
    ("Annick", screening.LONG_TERM, "fr", None), ("Hamid", screening.NEWCOMER, "ar", None),
]

CONVERSATION = [
    ("Moderator", "nl", "Welkom allemaal. Vandaag praten we over wonen en elkaar ontmoeten in Ninove."),
    ("Jan", "nl", "Ik woon al mijn hele leven in Meerbeke. De buurt is veel veranderd."),
    ("Amal", "ar", "أنا هنا منذ سنتين. أحب السوق يوم الاثنين، هناك ألتقي بالناس."),
    ("Luc", "nl", "De markt is inderdaad een goede plek. Maar verder zie ik weinig nieuwe buren."),
    ("Fatima", "ar", "من الصعب إيجاد سكن. أصحاب البيوت لا يردون على رسائلنا."),
    ("Els", "nl", "Dat hoor ik vaker. Misschien kan de gemeente daar iets aan doen."),
    ("Yusuf", "ar", "نريد دروس اللغة الهولندية في المساء، لأننا نعمل في النهار."),
    ("Karin", "nl", "In het ontmoetingscentrum in de Burchtstraat is 's avonds plaats."),
    ("Hamid", "ar", "هل يمكن أن تكون هناك رعاية للأطفال أثناء الدروس؟"),
    ("Moderator", "nl", "Goede vraag. Wat zou voor jullie helpen om elkaar vaker te zien?"),
]


def _session(lab, **values) -> FocusSession:
    session = FocusSession(lab=lab, **values)
    db.session.add(session)
    db.session.flush()
    return session


def _register(session, name, group, language, interpretation, status, **extra):
    registration = Registration(
        session=session, guest_name=name, guest_email=f"{name.lower()}.{session.id}@example.org",
        language=language, group_code=group, status=status,
        screening_answers={screening.GROUP_QUESTION: {"option": group}},
        interpretation_language=interpretation, consent_audio=True, consent_quotes=True,
        token_hash=token_hash(secrets.token_urlsafe(32)), **extra)
    db.session.add(registration)
    db.session.flush()
    for scope in ("participation", "audio", "quotes", "research"):
        db.session.add(ConsentRecord(registration_id=registration.id, context=f"session:{session.id}",
                                     scope=scope, granted=True, text_version=1, language=language))
    return registration


def seed(towns, actor=None) -> int:
    lab = db.session.scalar(sa.select(Lab).where(Lab.municipality_id == towns["ninove"].id,
                                                 Lab.slug == "samen-leven-ninove"))
    if db.session.scalar(sa.select(sa.func.count()).select_from(FocusSession)
                         .where(FocusSession.lab_id == lab.id)):
        return 0
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    quota = {"question": screening.GROUP_QUESTION,
             "minimum": {screening.NEWCOMER: 40, screening.LONG_TERM: 40}}

    dutch = _session(
        lab, topic=t("Wonen en buren", "Logement et voisins", "Housing and neighbours",
                     "السكن والجيران"),
        description=t("Een gesprek van twee uur over wonen en buren, met koffie en thee.",
                      "Une conversation de deux heures sur le logement et les voisins.",
                      "A two-hour conversation about housing and neighbours, with coffee and tea.",
                      "حوار لمدة ساعتين عن السكن والجيران، مع القهوة والشاي."),
        accessibility=t("Gelijkvloers, toegankelijk met een rolstoel.",
                        "De plain-pied, accessible en fauteuil roulant.",
                        "Ground floor, wheelchair accessible.", "في الطابق الأرضي، يمكن الوصول بكرسي متحرك."),
        starts_at=now + timedelta(days=10, hours=2), ends_at=now + timedelta(days=10, hours=4),
        format="in_person", address="Centrumlaan 100, 9400 Ninove", room="Zaal De Dender",
        working_language="nl", interpretation=["ar"], capacity=12, status="published",
        quotas=quota, screening=screening.STANDARD)
    for index, (name, group, language, interp) in enumerate(PEOPLE[:11]):
        _register(dutch, name, group, language, interp, "confirmed", needs_childcare=index in (2, 6))
    for name, group, language, interp in PEOPLE[11:13]:
        _register(dutch, name, group, language, interp, "waitlisted")

    _session(
        lab, topic=t("Samen ontmoeten (online)", "Se rencontrer (en ligne)", "Meeting each other (online)",
                     "التعارف (عبر الإنترنت)"),
        description=t("Online gesprek in het Frans.", "Conversation en ligne en français.",
                      "Online conversation in French.", "حوار عبر الإنترنت باللغة الفرنسية."),
        starts_at=now + timedelta(days=20, hours=1), ends_at=now + timedelta(days=20, hours=2),
        format="online", online_link="https://meet.example.org/ninove-samen",
        working_language="fr", interpretation=[], capacity=8, status="published")

    past = _session(
        lab, topic=t("Eerste gesprek: wat maakt Ninove een thuis?",
                     "Première conversation : qu'est-ce qui fait de Ninove un chez-soi ?",
                     "First conversation: what makes Ninove home?",
                     "الحوار الأول: ما الذي يجعل نينوف بيتًا؟"),
        starts_at=now - timedelta(days=14, hours=3), ends_at=now - timedelta(days=14, hours=1),
        format="in_person", address="Centrumlaan 100, 9400 Ninove", room="Zaal De Dender",
        working_language="nl", interpretation=["ar"], capacity=10, status="published",
        screening=screening.STANDARD, quotas=quota)
    for index, (name, group, language, interp) in enumerate(PEOPLE[:9]):
        _register(past, name, group, language, interp, "confirmed", attended=index != 4,
                  checked_in_at=past.starts_at if index != 4 else None)
    db.session.flush()
    db.session.refresh(past)
    lines = []
    for round_ in range(6):
        for speaker, _language, text in CONVERSATION:
            lines.append(f"[{round_:02d}:{(CONVERSATION.index((speaker, _language, text)) * 5) % 60:02d}:00] "
                         f"{speaker}: {text}")
    add_transcript(actor, past, source="text", data="\n".join(lines).encode("utf-8"),
                   filename="gesprek-1.txt", language="nl")
    db.session.flush()
    return 3
