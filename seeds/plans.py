"""The demo plan "Integratieplan Ninove 2026–2031 — ontwerp": two versions (Dutch official,
with French, English and Arabic translations), about 80 comments in several languages, a
few hidden, official responses, and links from version 1's comments to version 2's changes."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from cocreate.accounts.consents import record_decision
from cocreate.accounts.models import User
from cocreate.core.base import utcnow
from cocreate.extensions import db
from cocreate.labs.models import Lab
from cocreate.plans import service
from cocreate.plans.models import Comment, Plan

V1 = {
    "nl": ["# Integratieplan Ninove 2026–2031",
           "Ninove wil een stad zijn waar iedereen zich thuis voelt, wie hier nu komt wonen en wie hier altijd woonde.",
           "## 1. Wonen",
           "De stad zoekt samen met verhuurders naar betaalbare woningen voor gezinnen.",
           "## 2. Taal en werk",
           "Lessen Nederlands worden overdag gegeven in het centrum.",
           "## 3. Elkaar ontmoeten",
           "Elke wijk krijgt één ontmoetingsdag per jaar."],
    "fr": ["# Plan d'intégration Ninove 2026–2031",
           "Ninove veut être une ville où chacun se sent chez soi, les nouveaux venus comme les habitants de toujours.",
           "## 1. Logement",
           "La ville cherche avec les propriétaires des logements abordables pour les familles.",
           "## 2. Langue et travail",
           "Les cours de néerlandais ont lieu en journée, au centre.",
           "## 3. Se rencontrer",
           "Chaque quartier aura une journée de rencontre par an."],
    "en": ["# Integration plan Ninove 2026–2031",
           "Ninove wants to be a town where everyone feels at home, those who arrive now and those who always lived here.",
           "## 1. Housing",
           "The town looks for affordable homes for families together with landlords.",
           "## 2. Language and work",
           "Dutch lessons are given during the day in the centre.",
           "## 3. Meeting each other",
           "Every neighbourhood gets one meeting day a year."],
    "ar": ["# خطة الاندماج لمدينة نينوف 2026–2031",
           "تريد نينوف أن تكون مدينة يشعر فيها الجميع بأنهم في بيتهم، من يصل الآن ومن عاش هنا دائمًا.",
           "## 1. السكن",
           "تبحث المدينة مع الملاك عن مساكن بأسعار معقولة للعائلات.",
           "## 2. اللغة والعمل",
           "تُقدَّم دروس اللغة الهولندية نهارًا في المركز.",
           "## 3. التعارف",
           "يحصل كل حي على يوم تعارف واحد في السنة."],
}
#: Version 2 changes paragraph 6 (lessons also in the evening, with childcare) and adds one.
V2 = {lang: list(blocks) for lang, blocks in V1.items()}
V2["nl"][5] = "Lessen Nederlands worden overdag en 's avonds gegeven, met kinderopvang tijdens de avondlessen."
V2["fr"][5] = "Les cours de néerlandais ont lieu en journée et le soir, avec une garde d'enfants le soir."
V2["en"][5] = "Dutch lessons are given during the day and in the evening, with childcare during evening lessons."
V2["ar"][5] = "تُقدَّم دروس اللغة الهولندية نهارًا ومساءً، مع رعاية للأطفال أثناء الدروس المسائية."
for lang, text in {"nl": "Nieuwkomers krijgen een buddy uit de buurt als ze dat willen.",
                   "fr": "Les nouveaux arrivants peuvent avoir un parrain du quartier s'ils le souhaitent.",
                   "en": "Newcomers get a buddy from the neighbourhood if they wish.",
                   "ar": "يحصل القادمون الجدد على رفيق من الحي إذا رغبوا في ذلك."}.items():
    V2[lang].append(text)

COMMENTS = {
    3: [("nl", "Betaalbaar wonen is het grootste probleem, ook voor jonge Ninovieters."),
        ("ar", "نحن عائلة من خمسة أشخاص ولا نجد بيتًا. أصحاب البيوت لا يردون."),
        ("fr", "Il faudrait aussi aider les personnes âgées à trouver un logement adapté."),
        ("en", "Please publish a list of landlords who accept newcomers.")],
    5: [("ar", "أعمل في النهار، أحتاج إلى دروس في المساء."),
        ("nl", "Avondlessen zouden veel helpen, en kinderopvang erbij."),
        ("fr", "Les cours du soir sont indispensables pour ceux qui travaillent."),
        ("en", "Evening lessons with childcare, please."),
        ("uk", "Потрібні вечірні курси нідерландської мови.")],
    7: [("nl", "Eén dag per jaar is te weinig. Waarom niet elke maand iets kleins?"),
        ("ar", "نريد أن نتعرف على جيراننا، لكن لا نعرف كيف."),
        ("tr", "Mahalle şenlikleri çok iyi bir fikir."),
        ("fr", "Une fête des voisins avec des plats de tous les pays !")],
}


def seed(towns) -> Plan | None:
    lab = db.session.scalar(sa.select(Lab).where(Lab.municipality_id == towns["ninove"].id,
                                                 Lab.slug == "samen-leven-ninove"))
    plan = db.session.scalar(sa.select(Plan).where(Plan.lab_id == lab.id,
                                                   Plan.slug == "integratieplan-2026"))
    if plan is not None:
        return plan
    official = db.session.scalar(sa.select(User).where(User.email == "official@ninove.demo"))
    moderator = db.session.scalar(sa.select(User).where(User.email == "moderator@ninove.demo"))
    participant = db.session.scalar(sa.select(User).where(User.email == "participant@ninove.demo"))
    plan = service.create_plan(official, lab, slug="integratieplan-2026", official_language="nl",
                               title={"nl": "Integratieplan Ninove 2026–2031 — ontwerp",
                                      "fr": "Plan d'intégration Ninove 2026–2031 — projet",
                                      "en": "Integration plan Ninove 2026–2031 — draft",
                                      "ar": "خطة الاندماج لمدينة نينوف 2026–2031 — مسودة"})
    db.session.flush()
    first = service.publish_version(official, plan, text="\n\n".join(V1["nl"]),
                                    translations={k: "\n\n".join(v) for k, v in V1.items() if k != "nl"},
                                    change_note={})
    plan.comments_open_at = utcnow() - timedelta(days=30)
    plan.comments_close_at = utcnow() + timedelta(days=60)
    db.session.flush()
    rng = random.Random(31)
    residents = [participant] + [
        _resident(f"bewoner{i}@ninove.demo", name) for i, name in enumerate(
            ["Amal", "Jan", "Fatima", "Luc", "Olena", "Marie", "Yusuf", "Els", "Mehmet", "Karin"])]
    for resident in residents[:-1]:  # one resident declines research use
        record_decision(resident.id, service.consent_context(plan), "research", True,
                        language=resident.preferred_language)
    comments = []
    for round_ in range(6):
        for position, texts in COMMENTS.items():
            for language, body in texts:
                if len(comments) >= 80:
                    break
                author = rng.choice(residents)
                comment = Comment(plan_id=plan.id, version_id=first.id,
                                  anchor=first.paragraphs[position].anchor, user_id=author.id,
                                  body=body if round_ == 0 else f"{body} ({round_ + 1})",
                                  language=language, show_name=rng.random() < 0.7,
                                  created_at=utcnow() - timedelta(days=25 - round_ * 3))
                db.session.add(comment)
                comments.append(comment)
    db.session.flush()
    for comment in comments[:len(comments) // 3]:
        if comments.index(comment) % 4 == 0 and comment.parent_id is None:
            reply = Comment(plan_id=plan.id, version_id=first.id, anchor=comment.anchor,
                            parent_id=comment.id, user_id=rng.choice(residents).id,
                            body="Helemaal akkoord.", language="nl")
            db.session.add(reply)
    for comment in comments[-3:]:
        service.moderate(moderator, comment, "hide", "persoonsgegevens")
    lessons = [c for c in comments if c.anchor == first.paragraphs[5].anchor][:6]
    for comment in lessons[:3]:
        service.respond(official, plan, comment=comment, status="adopted",
                        explanation={"nl": "We voegen avondlessen met kinderopvang toe.",
                                     "en": "We are adding evening lessons with childcare.",
                                     "ar": "نضيف دروسًا مسائية مع رعاية للأطفال."})
    service.respond(official, plan, anchor=first.paragraphs[7].anchor, status="partly_adopted",
                    explanation={"nl": "We starten met twee ontmoetingsdagen per wijk per jaar.",
                                 "en": "We start with two meeting days per neighbourhood a year."})
    db.session.flush()
    service.publish_version(official, plan, text="\n\n".join(V2["nl"]),
                            translations={k: "\n\n".join(v) for k, v in V2.items() if k != "nl"},
                            change_note={"nl": "Avondlessen met kinderopvang; buddy's voor nieuwkomers.",
                                         "en": "Evening lessons with childcare; buddies for newcomers."},
                            links={5: [c.id for c in lessons]})
    db.session.flush()
    return plan


def _resident(email, name) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        from seeds.accounts import DEMO_PASSWORD

        user = User(email=email, display_name=name, preferred_language="nl")
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
    return user
