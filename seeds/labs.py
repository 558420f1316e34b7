from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from cocreate.core.base import utcnow
from cocreate.extensions import db
from cocreate.labs.models import Lab, LabStatus, Phase

SAMEN_LEVEN = dict(
    slug="samen-leven-ninove",
    default_language="nl",
    languages=["nl", "fr", "en", "ar", "fa", "uk", "tr"],
    title={
        "nl": "Samen leven in Ninove",
        "fr": "Vivre ensemble à Ninove",
        "en": "Living together in Ninove",
        "ar": "العيش معًا في نينوف",
        "fa": "زندگی با هم در نینووه",
        "uk": "Жити разом у Нінове",
        "tr": "Ninove'de birlikte yaşamak",
    },
    description={
        "nl": "Ninove maakt een nieuw integratieplan, en dat doen we samen met wie hier woont: "
              "nieuwkomers en Ninovieters van altijd.\n\n"
              "Vul de bevraging in, kom naar een gesprek in kleine groep of geef commentaar op "
              "het ontwerpplan. Je mag schrijven in je eigen taal.",
        "fr": "Ninove prépare un nouveau plan d'intégration, et nous le faisons avec les personnes "
              "qui vivent ici : nouveaux arrivants et habitants de longue date.\n\n"
              "Répondez à l'enquête, venez à une discussion en petit groupe ou commentez le projet "
              "de plan. Vous pouvez écrire dans votre propre langue.",
        "en": "Ninove is writing a new integration plan, and we are doing it together with the "
              "people who live here: newcomers and long-term residents.\n\n"
              "Answer the survey, join a small-group conversation or comment on the draft plan. "
              "You may write in your own language.",
        "ar": "تعدّ مدينة نينوف خطة اندماج جديدة، ونقوم بذلك مع الناس الذين يعيشون هنا: "
              "القادمون الجدد والسكان القدامى.\n\n"
              "أجب عن الاستبيان، أو شارك في حوار ضمن مجموعة صغيرة، أو علّق على مسودة الخطة. "
              "يمكنك الكتابة بلغتك.",
        "fa": "شهر نینووه یک برنامهٔ ادغام تازه می‌نویسد و ما این کار را همراه با کسانی انجام می‌دهیم که "
              "اینجا زندگی می‌کنند: تازه‌واردان و ساکنان قدیمی.\n\n"
              "به پرسش‌نامه جواب دهید، در یک گفت‌وگو در گروه کوچک شرکت کنید یا دربارهٔ پیش‌نویس "
              "برنامه نظر بدهید. می‌توانید به زبان خودتان بنویسید.",
        "uk": "Нінове складає новий план інтеграції, і ми робимо це разом з людьми, які тут живуть: "
              "новоприбулими та давніми мешканцями.\n\n"
              "Заповніть опитування, долучіться до розмови в невеликій групі або прокоментуйте "
              "проєкт плану. Ви можете писати своєю мовою.",
        "tr": "Ninove yeni bir uyum planı hazırlıyor ve bunu burada yaşayan insanlarla birlikte "
              "yapıyoruz: yeni gelenler ve uzun zamandır burada yaşayanlar.\n\n"
              "Ankete cevap verin, küçük bir grup sohbetine katılın ya da plan taslağı hakkında "
              "yorum yapın. Kendi dilinizde yazabilirsiniz.",
    },
    phases=[
        ({"nl": "Bevraging", "fr": "Enquête", "en": "Survey", "ar": "الاستبيان",
          "fa": "پرسش‌نامه", "uk": "Опитування", "tr": "Anket"},
         date(2026, 9, 1), date(2026, 12, 15)),
        ({"nl": "Gesprekken in kleine groep", "fr": "Groupes de discussion",
          "en": "Focus groups", "ar": "مجموعات النقاش", "fa": "گفت‌وگو در گروه‌های کوچک",
          "uk": "Розмови в невеликих групах", "tr": "Küçük grup sohbetleri"},
         date(2026, 11, 1), date(2027, 1, 31)),
        ({"nl": "Ontwerpplan en reacties", "fr": "Projet de plan et commentaires",
          "en": "Draft plan and comments", "ar": "مسودة الخطة والتعليقات",
          "fa": "پیش‌نویس برنامه و نظرها", "uk": "Проєкт плану та коментарі",
          "tr": "Plan taslağı ve yorumlar"},
         date(2027, 2, 1), date(2027, 3, 31)),
    ],
)

VIVERE_INSIEME = dict(
    slug="vivere-insieme",
    default_language="it",
    languages=["it", "en"],
    title={"it": "Vivere insieme a Fermignano", "en": "Living together in Fermignano"},
    description={
        "it": "Fermignano costruisce il suo piano locale di integrazione con chi ci vive.",
        "en": "Fermignano is building its local integration plan with the people who live here.",
    },
    phases=[({"it": "Questionario", "en": "Survey"}, date(2026, 10, 1), date(2027, 1, 15))],
)


def _lab(town, data) -> Lab:
    lab = db.session.scalar(
        sa.select(Lab).where(Lab.municipality_id == town.id, Lab.slug == data["slug"])
    )
    if lab is None:
        lab = Lab(municipality=town, slug=data["slug"], title=data["title"],
                  description=data["description"], default_language=data["default_language"],
                  languages=data["languages"], status=LabStatus.PUBLISHED,
                  published_at=utcnow())
        for title, start, end in data["phases"]:
            lab.phases.append(Phase(title=title, starts_on=start, ends_on=end))
        db.session.add(lab)
    return lab


def seed(towns) -> int:
    _lab(towns["ninove"], SAMEN_LEVEN)
    _lab(towns["fermignano"], VIVERE_INSIEME)
    db.session.flush()
    return 2
