"""The demo survey "Samen leven in Ninove" with ~300 generated submitted responses."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from cocreate.accounts.models import ConsentRecord
from cocreate.core.base import utcnow
from cocreate.extensions import db
from cocreate.labs.models import Lab
from cocreate.surveys import answers as rules
from cocreate.surveys.authoring import add_sections_from, create_from_template, save_as_template
from cocreate.surveys.library import ABOUT_YOU, PREFER_NOT
from cocreate.surveys.models import Answer, Response, Survey, SurveyStatus

#: The survey's languages: Ninove's four, then Persian/Dari, Ukrainian and Turkish for its newcomers.
LANGUAGES = ["nl", "fr", "en", "ar", "fa", "uk", "tr"]


def t(nl, fr, en, ar, fa, uk, tr):
    return {"nl": nl, "fr": fr, "en": en, "ar": ar, "fa": fa, "uk": uk, "tr": tr}


def options(code, labels, *, pnts=False, other=None):
    result = [{"code": f"{code}_{i}", "kind": "choice", "label": label}
              for i, label in enumerate(labels, start=1)]
    if other:
        result.append({"code": f"{code}_other", "kind": "other", "label": other})
    if pnts:
        result.append({"code": f"{code}_pnts", "kind": "prefer_not", "label": PREFER_NOT})
    return result


def q(code, type_, text, *, opts=(), required=False, settings=None, condition=None, help=None):
    return {"code": code, "type": type_, "text": text, "help": help or {}, "required": required,
            "settings": settings or {}, "condition": condition, "dimension": None,
            "options": list(opts)}


OTHER = t("Iets anders, namelijk", "Autre, à savoir", "Something else, namely", "شيء آخر، وهو",
          "چیز دیگر (لطفاً بنویسید)", "Інше, а саме", "Başka bir şey (lütfen yazın)")
AGREE = {"low_label": t("Helemaal niet akkoord", "Pas du tout d'accord", "Strongly disagree",
                        "لا أوافق إطلاقًا", "اصلاً موافق نیستم", "Зовсім не погоджуюся",
                        "Hiç katılmıyorum"),
         "high_label": t("Helemaal akkoord", "Tout à fait d'accord", "Strongly agree",
                         "أوافق تمامًا", "کاملاً موافقم", "Повністю погоджуюся",
                         "Tamamen katılıyorum")}

SECTIONS = [
    {"title": t("Wonen in Ninove", "Vivre à Ninove", "Living in Ninove", "العيش في نينوف",
                "زندگی در نینووه", "Життя в Нінове", "Ninove'de yaşamak"),
     "condition": None, "questions": [
        q("Q1", "single", t("Hoe voel je je in Ninove?", "Comment vous sentez-vous à Ninove ?",
                            "How do you feel in Ninove?", "كيف تشعر في نينوف؟",
                            "در نینووه چه احساسی دارید؟", "Як ви почуваєтеся в Нінове?",
                            "Ninove'de kendinizi nasıl hissediyorsunuz?"), required=True,
          opts=options("Q1", [t("Heel goed", "Très bien", "Very good", "جيد جدًا", "خیلی خوب",
                                "Дуже добре", "Çok iyi"),
                              t("Goed", "Bien", "Good", "جيد", "خوب", "Добре", "İyi"),
                              t("Niet goed, niet slecht", "Ni bien ni mal", "Neither good nor bad",
                                "لا جيد ولا سيئ", "نه خوب، نه بد", "Ні добре, ні погано",
                                "Ne iyi ne kötü"),
                              t("Slecht", "Mal", "Bad", "سيئ", "بد", "Погано", "Kötü"),
                              t("Heel slecht", "Très mal", "Very bad", "سيئ جدًا", "خیلی بد",
                                "Дуже погано", "Çok kötü")], pnts=True)),
        q("Q2", "likert", t("Ik voel me welkom in mijn buurt.", "Je me sens bienvenu(e) dans mon quartier.",
                            "I feel welcome in my neighbourhood.", "أشعر بالترحيب في حيّي.",
                            "در محله‌ام احساس می‌کنم که از من استقبال می‌شود.",
                            "У своєму районі я відчуваю, що мені раді.",
                            "Mahallemde kendimi hoş karşılanmış hissediyorum."),
          settings={"points": 5, **AGREE}),
        q("Q3", "scale", t("Zou je Ninove aanraden aan een vriend die hier komt wonen?",
                           "Recommanderiez-vous Ninove à un ami qui vient s'installer ici ?",
                           "Would you recommend Ninove to a friend who comes to live here?",
                           "هل تنصح صديقًا سيأتي للعيش هنا بمدينة نينوف؟",
                           "آیا نینووه را به دوستی که برای زندگی به اینجا می‌آید پیشنهاد می‌کنید؟",
                           "Чи порадили б ви Нінове другові, який переїжджає сюди жити?",
                           "Buraya yaşamaya gelen bir arkadaşınıza Ninove'yi tavsiye eder misiniz?"),
          settings={"low_label": t("Zeker niet", "Certainement pas", "Certainly not", "بالتأكيد لا",
                                   "قطعاً نه", "Точно ні", "Kesinlikle hayır"),
                    "high_label": t("Zeker wel", "Certainement", "Certainly", "بالتأكيد نعم",
                                    "قطعاً بله", "Точно так", "Kesinlikle evet")}),
        q("Q4", "multiple", t("Waar ontmoet je andere inwoners?", "Où rencontrez-vous d'autres habitants ?",
                              "Where do you meet other residents?", "أين تلتقي بالسكان الآخرين؟",
                              "کجا با ساکنان دیگر دیدار می‌کنید؟", "Де ви зустрічаєтеся з іншими мешканцями?",
                              "Diğer sakinlerle nerede bir araya geliyorsunuz?"),
          help=t("Kies er maximaal drie.", "Choisissez-en trois au maximum.", "Choose up to three.",
                 "اختر ثلاثة على الأكثر.", "حداکثر سه مورد را انتخاب کنید.", "Виберіть не більше трьох.",
                 "En fazla üç tane seçin."),
          settings={"max_choices": 3},
          opts=options("Q4", [t("Op het werk", "Au travail", "At work", "في العمل", "سر کار",
                                "На роботі", "İşte"),
                              t("Op school van de kinderen", "À l'école des enfants",
                                "At the children's school", "في مدرسة الأطفال", "در مدرسهٔ بچه‌ها",
                                "У школі моїх дітей", "Çocukların okulunda"),
                              t("In een sportclub", "Dans un club de sport", "In a sports club",
                                "في نادٍ رياضي", "در باشگاه ورزشی", "У спортивному клубі",
                                "Bir spor kulübünde"),
                              t("In mijn geloofsgemeenschap", "Dans ma communauté religieuse",
                                "In my religious community", "في جماعتي الدينية", "در جامعهٔ دینی‌ام",
                                "У моїй релігійній громаді", "Dini cemaatimde"),
                              t("Op de markt of in winkels", "Au marché ou dans les magasins",
                                "At the market or in shops", "في السوق أو المحلات",
                                "در بازار یا مغازه‌ها", "На ринку або в магазинах",
                                "Pazarda veya dükkânlarda"),
                              t("Bij de buren", "Chez les voisins", "With neighbours", "عند الجيران",
                                "پیش همسایه‌ها", "У сусідів", "Komşularda"),
                              t("In het ontmoetingscentrum", "Au centre communautaire",
                                "At the community centre", "في المركز المجتمعي", "در مرکز محله",
                                "У громадському центрі", "Toplum merkezinde")], other=OTHER)),
     ]},
    {"title": t("Diensten en informatie", "Services et information", "Services and information",
                "الخدمات والمعلومات", "خدمات و اطلاعات", "Послуги та інформація", "Hizmetler ve bilgi"),
     "condition": None, "questions": [
        q("Q5", "matrix", t("Hoe makkelijk vind je informatie over …", "Est-il facile de trouver des informations sur …",
                            "How easy is it to find information about …", "ما مدى سهولة العثور على معلومات عن …",
                            "پیدا کردن اطلاعات دربارهٔ این موضوع‌ها چقدر آسان است؟",
                            "Наскільки легко знайти інформацію про …",
                            "Şu konularda bilgi bulmak ne kadar kolay?"),
          settings={"points": 5, "low_label": t("Heel moeilijk", "Très difficile", "Very hard", "صعب جدًا",
                                                "خیلی سخت", "Дуже важко", "Çok zor"),
                    "high_label": t("Heel makkelijk", "Très facile", "Very easy", "سهل جدًا",
                                    "خیلی آسان", "Дуже легко", "Çok kolay")},
          opts=[{"code": f"Q5_r{i}", "kind": "row", "label": label} for i, label in enumerate([
              t("wonen", "le logement", "housing", "السكن", "مسکن", "житло", "konut"),
              t("werk", "le travail", "work", "العمل", "کار", "роботу", "iş"),
              t("lessen Nederlands", "les cours de néerlandais", "Dutch lessons", "دروس اللغة الهولندية",
                "کلاس‌های زبان هلندی", "курси нідерландської мови", "Hollandaca dersleri"),
              t("gezondheidszorg", "les soins de santé", "healthcare", "الرعاية الصحية",
                "خدمات درمانی", "медичну допомогу", "sağlık hizmetleri"),
              t("scholen", "les écoles", "schools", "المدارس", "مدرسه‌ها", "школи", "okullar")],
              start=1)]),
        q("Q6", "single", t("Heb je lessen Nederlands gevolgd?", "Avez-vous suivi des cours de néerlandais ?",
                            "Have you taken Dutch lessons?", "هل تابعت دروسًا في اللغة الهولندية؟",
                            "آیا در کلاس‌های زبان هلندی شرکت کرده‌اید؟",
                            "Чи відвідували ви курси нідерландської мови?",
                            "Hollandaca derslerine katıldınız mı?"),
          opts=options("Q6", [t("Ja, nu", "Oui, en ce moment", "Yes, now", "نعم، حاليًا", "بله، الان",
                                "Так, зараз", "Evet, şu anda"),
                              t("Ja, vroeger", "Oui, dans le passé", "Yes, in the past", "نعم، في الماضي",
                                "بله، قبلاً", "Так, раніше", "Evet, daha önce"),
                              t("Nee, maar ik wil wel", "Non, mais je voudrais", "No, but I would like to",
                                "لا، لكنني أرغب في ذلك", "نه، ولی دوست دارم شرکت کنم",
                                "Ні, але я цього хочу", "Hayır, ama katılmak istiyorum"),
                              t("Nee, dat is niet nodig", "Non, ce n'est pas nécessaire",
                                "No, I don't need to", "لا، لست بحاجة إلى ذلك", "نه، نیازی ندارم",
                                "Ні, мені це не потрібно", "Hayır, ihtiyacım yok")])),
        q("Q7", "multiple", t("Wat houdt je tegen?", "Qu'est-ce qui vous en empêche ?",
                              "What stops you?", "ما الذي يمنعك؟", "چه چیزی مانع شما می‌شود؟",
                              "Що вам заважає?", "Sizi ne engelliyor?"),
          condition={"question": "Q6", "options": ["Q6_3"]},
          opts=options("Q7", [t("Geen tijd", "Pas le temps", "No time", "لا وقت لدي", "وقت ندارم",
                                "Немає часу", "Zamanım yok"),
                              t("Geen kinderopvang", "Pas de garde d'enfants", "No childcare",
                                "لا توجد رعاية للأطفال", "کسی نیست که از بچه‌ها نگهداری کند",
                                "Немає з ким залишити дітей", "Çocuklarıma bakacak kimse yok"),
                              t("Te duur", "Trop cher", "Too expensive", "مكلف جدًا", "خیلی گران است",
                                "Занадто дорого", "Çok pahalı"),
                              t("Te ver", "Trop loin", "Too far", "بعيد جدًا", "خیلی دور است",
                                "Занадто далеко", "Çok uzak"),
                              t("Wachtlijst", "Liste d'attente", "Waiting list", "قائمة انتظار",
                                "فهرست انتظار", "Черга (список очікування)", "Bekleme listesi")],
                          other=OTHER)),
        q("Q8", "ranking", t("Wat moet de gemeente eerst aanpakken? Zet in volgorde.",
                             "Que doit faire la commune en premier ? Classez.",
                             "What should the municipality tackle first? Put in order.",
                             "ما الذي يجب أن تعالجه البلدية أولًا؟ رتّب.",
                             "شهرداری اول باید به چه کاری رسیدگی کند؟ به ترتیب بچینید.",
                             "Чим міська влада має зайнятися насамперед? Розставте за порядком.",
                             "Belediye önce neyle ilgilenmeli? Önem sırasına koyun."),
          opts=options("Q8", [t("Betaalbaar wonen", "Logement abordable", "Affordable housing", "سكن بأسعار معقولة",
                                "مسکن با قیمت مناسب", "Доступне житло", "Uygun fiyatlı konut"),
                              t("Werk", "Emploi", "Jobs", "العمل", "کار", "Робота", "İş"),
                              t("Taal leren", "Apprendre la langue", "Learning the language", "تعلم اللغة",
                                "یادگیری زبان", "Вивчення мови", "Dil öğrenmek"),
                              t("Mensen ontmoeten", "Rencontrer des gens", "Meeting people", "التعرف على الناس",
                                "آشنا شدن با مردم", "Знайомство з людьми", "İnsanlarla tanışmak"),
                              t("Kinderopvang", "Garde d'enfants", "Childcare", "رعاية الأطفال",
                                "نگهداری از کودکان", "Догляд за дітьми", "Çocuk bakımı")])),
     ]},
    {"title": t("Samenleven", "Vivre ensemble", "Living together", "العيش معًا", "زندگی با هم",
                "Жити разом", "Birlikte yaşamak"), "condition": None,
     "questions": [
        q("Q9", "likert", t("Nieuwkomers en mensen die hier al lang wonen, komen goed overeen.",
                            "Les nouveaux arrivants et les habitants de longue date s'entendent bien.",
                            "Newcomers and long-term residents get along well.",
                            "القادمون الجدد والسكان القدامى يتفاهمون جيدًا.",
                            "تازه‌واردان و کسانی که مدت‌هاست اینجا زندگی می‌کنند، با هم خوب کنار می‌آیند.",
                            "Новоприбулі та ті, хто давно тут живе, добре ладнають між собою.",
                            "Yeni gelenlerle uzun zamandır burada yaşayanlar iyi geçiniyor."),
          settings={"points": 7, **AGREE}, opts=[{"code": "Q9_pnts", "kind": "prefer_not", "label": PREFER_NOT}]),
        q("Q10", "number", t("Met hoeveel mensen met een andere achtergrond praat je per week?",
                             "Avec combien de personnes d'une autre origine parlez-vous par semaine ?",
                             "How many people from another background do you talk to each week?",
                             "مع كم شخصًا من خلفية مختلفة تتحدث كل أسبوع؟",
                             "هر هفته با چند نفر با پیشینهٔ متفاوت صحبت می‌کنید؟",
                             "Зі скількома людьми іншого походження ви розмовляєте щотижня?",
                             "Her hafta farklı kökenden kaç kişiyle konuşuyorsunuz?"),
          settings={"min": 0, "max": 100, "integer": True}),
        q("Q11", "date", t("Sinds wanneer woon je in Ninove? (mag ongeveer)",
                           "Depuis quand habitez-vous à Ninove ? (approximativement)",
                           "Since when have you lived in Ninove? (roughly is fine)",
                           "منذ متى تعيش في نينوف؟ (تقريبًا)",
                           "از چه زمانی در نینووه زندگی می‌کنید؟ (تاریخ تقریبی هم کافی است)",
                           "Відколи ви живете в Нінове? (можна приблизно)",
                           "Ne zamandan beri Ninove'de yaşıyorsunuz? (yaklaşık bir tarih de olur)"),
          opts=[{"code": "Q11_pnts", "kind": "prefer_not", "label": PREFER_NOT}]),
        q("Q12", "short_text", t("Wat maakt Ninove voor jou een thuis? (in een paar woorden)",
                                 "Qu'est-ce qui fait de Ninove votre chez-vous ? (en quelques mots)",
                                 "What makes Ninove home for you? (in a few words)",
                                 "ما الذي يجعل نينوف بيتًا لك؟ (بكلمات قليلة)",
                                 "چه چیزی نینووه را برای شما خانه می‌کند؟ (در چند کلمه)",
                                 "Що робить Нінове для вас домом? (кількома словами)",
                                 "Ninove'yi sizin için yuva yapan nedir? (birkaç kelimeyle)")),
        q("Q13", "long_text", t("Wat moet de gemeente doen zodat iedereen zich hier thuis voelt?",
                                "Que doit faire la commune pour que chacun se sente chez soi ici ?",
                                "What should the municipality do so that everyone feels at home here?",
                                "ماذا يجب أن تفعل البلدية ليشعر الجميع هنا بأنهم في بيتهم؟",
                                "شهرداری چه کاری باید بکند تا همه اینجا احساس کنند در خانهٔ خودشان هستند؟",
                                "Що має зробити міська влада, щоб кожен почувався тут як удома?",
                                "Herkesin burada kendini evinde hissetmesi için belediye ne yapmalı?"),
          help=t("Je mag in je eigen taal schrijven.", "Vous pouvez écrire dans votre langue.",
                 "You may write in your own language.", "يمكنك الكتابة بلغتك.",
                 "می‌توانید به زبان خودتان بنویسید.", "Ви можете писати своєю мовою.",
                 "Kendi dilinizde yazabilirsiniz.")),
     ]},
]

NINOVE_AREAS = ["Ninove centrum", "Meerbeke", "Denderwindeke", "Okegem", "Outer", "Pollare",
                "Voorde", "Aspelare", "Appelterre-Eichem", "Nederhasselt", "Lieferinge", "Neigem"]

FREE_TEXT = {
    "nl": ["Meer plaatsen om elkaar te ontmoeten, zoals een buurtfeest.",
           "Betaalbare woningen en duidelijke informatie op één plek.",
           "Lessen Nederlands ook 's avonds, met kinderopvang.", "De markt en mijn buren."],
    "fr": ["Des cours de néerlandais le soir, avec garde d'enfants.",
           "Plus d'activités pour rencontrer les voisins.", "Mes amis et le calme."],
    "en": ["Information in more languages at the town hall.", "A welcome day for newcomers.",
           "My neighbours and the park."],
    "ar": ["أتمنى دروسًا في اللغة الهولندية في المساء مع رعاية للأطفال.",
           "نحتاج إلى مكان نلتقي فيه بالجيران ونتعرف على بعضنا.",
           "سكن بأسعار معقولة ومعلومات بلغتنا.", "جيراني الطيبون والسوق."],
    "fa": ["کلاس زبان هلندی در شب، با جایی برای نگهداری از بچه‌ها.",
           "اطلاعات به زبان دری و فارسی در شهرداری.",
           "جایی که بتوانیم با همسایه‌ها آشنا شویم.", "همسایه‌های مهربان و پارک."],
    "uk": ["Курси нідерландської мови ввечері або онлайн.",
           "Допомога з пошуком житла для сімей з дітьми.",
           "Інформація українською мовою в ратуші.", "Спокій і добрі сусіди."],
    "tr": ["Akşamları Hollandaca kursu ve çocuk bakımı.",
           "Belediyede Türkçe bilgi de olsun.",
           "Komşularla tanışmak için daha çok etkinlik.", "Ailem ve pazar."],
}

#: The language a response is given in → the home language it most likely reports (AY_HOMELANG).
HOME_LANGUAGE = {"nl": "AY_HOMELANG_1", "fr": "AY_HOMELANG_2", "ar": "AY_HOMELANG_3",
                 "tr": "AY_HOMELANG_4", "fa": "AY_HOMELANG_5", "uk": "AY_HOMELANG_6",
                 "en": "AY_HOMELANG_7"}


def _survey_definition() -> dict:
    about = [dict(section) for section in ABOUT_YOU["sections"]]
    area = next(q for q in about[0]["questions"] if q["code"] == "AY_AREA")
    area = {**area, "options": [{"code": f"AY_AREA_{i}", "kind": "choice",
                                 "label": dict.fromkeys(LANGUAGES, name)}
                                for i, name in enumerate(NINOVE_AREAS, start=1)]
            + [o for o in area["options"] if o["kind"] == "prefer_not"]}
    about[0] = {**about[0], "questions": [area if q["code"] == "AY_AREA" else q
                                          for q in about[0]["questions"]]}
    return {"sections": SECTIONS + about}


def _pick(rng, question, weights=None):
    choices = question.choices()
    return rng.choices(choices, weights=weights[:len(choices)] if weights else None)[0].code


def _generate(rng: random.Random, survey: Survey, language: str) -> dict:
    answers = {}
    by_code = {q.code: q for q in survey.questions}
    origin = rng.choices(["AY_BIRTH_1", "AY_BIRTH_2", "AY_BIRTH_3"], [55, 15, 30])[0]
    if language in ("ar", "fa", "uk"):
        origin = "AY_BIRTH_3"
    newcomer = origin != "AY_BIRTH_1"
    answers["Q1"] = {"option": _pick(rng, by_code["Q1"], [3, 5, 3, 1, 1] if newcomer else [4, 5, 2, 1, 1])}
    answers["Q2"] = {"value": rng.choices([1, 2, 3, 4, 5], [1, 2, 3, 4, 3] if newcomer else [1, 1, 2, 5, 5])[0]}
    answers["Q3"] = {"value": rng.randint(3, 10)}
    picks = rng.sample([o.code for o in by_code["Q4"].choices() if o.kind == "choice"], rng.randint(1, 3))
    answers["Q4"] = {"options": picks}
    answers["Q5"] = {"rows": {row.code: rng.randint(1, 5) for row in by_code["Q5"].rows()}}
    q6 = rng.choices(["Q6_1", "Q6_2", "Q6_3", "Q6_4"], [3, 3, 2, 1] if newcomer else [0, 1, 1, 8])[0]
    answers["Q6"] = {"option": q6}
    if q6 == "Q6_3":
        answers["Q7"] = {"options": rng.sample(["Q7_1", "Q7_2", "Q7_3", "Q7_4", "Q7_5"], rng.randint(1, 2))}
    order = [o.code for o in by_code["Q8"].choices()]
    rng.shuffle(order)
    answers["Q8"] = {"ranking": order}
    answers["Q9"] = {"value": rng.randint(2, 7)} if rng.random() > 0.05 else {"option": "Q9_pnts"}
    answers["Q10"] = {"value": str(rng.randint(0, 25))}
    if rng.random() < 0.6:
        years = rng.randint(0, 4) if language == "uk" else rng.randint(0, 30) if newcomer else rng.randint(5, 60)
        answers["Q11"] = {"date": (datetime(2026, 9, 1) - timedelta(days=365 * years + rng.randint(0, 300))).date().isoformat()}
    texts = FREE_TEXT[language]
    if rng.random() < 0.7:
        answers["Q12"] = {"text": rng.choice(texts), "lang": language}
    if rng.random() < 0.5:
        answers["Q13"] = {"text": rng.choice(texts), "lang": language}
    answers["AY_BIRTH"] = {"option": origin}
    answers["AY_GEN"] = {"option": "AY_GEN_1" if origin != "AY_BIRTH_1" else rng.choice(["AY_GEN_2", "AY_GEN_3", "AY_GEN_3"])}
    recent = ["AY_YEARS_1", "AY_YEARS_2"] if language == "uk" else ["AY_YEARS_1", "AY_YEARS_2", "AY_YEARS_3"]
    answers["AY_YEARS"] = {"option": rng.choice(recent) if newcomer else "AY_YEARS_4"}
    home = HOME_LANGUAGE[language]
    answers["AY_HOMELANG"] = {"options": sorted({home, "AY_HOMELANG_1"} if rng.random() < 0.4 else {home})}
    answers["AY_AGE"] = {"option": rng.choices([f"AY_AGE_{i}" for i in range(1, 6)], [1, 5, 6, 5, 3])[0]}
    answers["AY_GENDER"] = {"option": rng.choices(["AY_GENDER_1", "AY_GENDER_2", "AY_GENDER_3", "AY_GENDER_pnts"], [48, 48, 2, 2])[0]}
    answers["AY_AREA"] = {"option": f"AY_AREA_{rng.randint(1, len(NINOVE_AREAS))}"}
    return rules.prune_hidden(survey, answers)


def seed(towns, count: int = 300) -> Survey | None:
    lab = db.session.scalar(sa.select(Lab).where(Lab.municipality_id == towns["ninove"].id,
                                                 Lab.slug == "samen-leven-ninove"))
    existing = db.session.scalar(sa.select(Survey).where(Survey.lab_id == lab.id,
                                                         Survey.slug == "samenleven-2026"))
    if existing is not None:
        return existing
    survey = Survey(
        lab=lab, slug="samenleven-2026", mode="anonymous", status=SurveyStatus.OPEN,
        default_language="nl", languages=list(LANGUAGES),
        closes_at=(utcnow() + timedelta(days=90)).replace(hour=22, minute=0, second=0, microsecond=0),
        title=t("Samen leven in Ninove", "Vivre ensemble à Ninove", "Living together in Ninove",
                "العيش معًا في نينوف", "زندگی با هم در نینووه", "Жити разом у Нінове",
                "Ninove'de birlikte yaşamak"),
        intro=t("Deze bevraging duurt ongeveer 10 minuten. Er zijn geen goede of foute antwoorden.",
                "Cette enquête dure environ 10 minutes. Il n'y a pas de bonnes ou de mauvaises réponses.",
                "This survey takes about 10 minutes. There are no right or wrong answers.",
                "يستغرق هذا الاستبيان حوالي 10 دقائق. لا توجد إجابات صحيحة أو خاطئة.",
                "پر کردن این پرسش‌نامه حدود ۱۰ دقیقه طول می‌کشد. جواب درست یا غلط وجود ندارد.",
                "Опитування триває приблизно 10 хвилин. Правильних чи неправильних відповідей немає.",
                "Bu anket yaklaşık 10 dakika sürer. Doğru ya da yanlış cevap yoktur."),
        consent_text=t("De stad Ninove en de onderzoekers gebruiken je antwoorden om het integratieplan te maken. "
                       "Resultaten tonen alleen groepen, nooit personen.",
                       "La ville de Ninove et les chercheurs utilisent vos réponses pour préparer le plan d'intégration. "
                       "Les résultats montrent seulement des groupes, jamais des personnes.",
                       "The town of Ninove and the researchers use your answers to write the integration plan. "
                       "Results only show groups, never persons.",
                       "تستخدم مدينة نينوف والباحثون إجاباتك لإعداد خطة الاندماج. "
                       "تُظهر النتائج مجموعات فقط، وليس أشخاصًا.",
                       "شهر نینووه و پژوهشگران از پاسخ‌های شما برای نوشتن برنامهٔ ادغام استفاده می‌کنند. "
                       "نتایج فقط گروه‌ها را نشان می‌دهند، هرگز افراد را.",
                       "Місто Нінове та дослідники використовують ваші відповіді, щоб скласти план інтеграції. "
                       "Результати показують лише групи, а не окремих людей.",
                       "Ninove Belediyesi ve araştırmacılar cevaplarınızı uyum planını hazırlamak için kullanır. "
                       "Sonuçlar kişileri değil, sadece grupları gösterir."),
        thanks=t("Bedankt! In het voorjaar tonen we wat we met de antwoorden gedaan hebben.",
                 "Merci ! Au printemps, nous montrerons ce que nous avons fait de vos réponses.",
                 "Thank you! In spring we will show what we did with the answers.",
                 "شكرًا لك! في الربيع سنعرض ما فعلناه بالإجابات.",
                 "از شما ممنونیم! در بهار نشان می‌دهیم که با پاسخ‌ها چه کرده‌ایم.",
                 "Дякуємо! Навесні ми покажемо, що зробили з відповідями.",
                 "Teşekkür ederiz! İlkbaharda cevaplarla neler yaptığımızı göstereceğiz."),
    )
    db.session.add(survey)
    db.session.flush()
    add_sections_from(survey, _survey_definition())
    db.session.refresh(survey)
    _add_responses(survey, random.Random(2026), count,
                   {"nl": 55, "ar": 20, "fr": 15, "en": 10, "fa": 4, "uk": 3, "tr": 3})
    _seed_comparison(towns, survey, count // 3)
    db.session.flush()
    return survey


def _add_responses(survey: Survey, rng: random.Random, count: int, languages: dict[str, int]) -> None:
    """``count`` anonymous responses over two months, with consent rows like real ones."""
    start = datetime(2026, 9, 15, tzinfo=UTC)
    for index in range(count):
        language = rng.choices(list(languages), list(languages.values()))[0]
        answers = _generate(rng, survey, language)
        day = start + timedelta(days=rng.randint(0, 60))
        scopes = ["participation"] + (["research"] if rng.random() < 0.9 else []) + \
            (["quotes"] if rng.random() < 0.6 else [])
        response = Response(survey_id=survey.id, language=language,
                            submission_key=hashlib.sha256(f"demo-{survey.slug}-{index}".encode()).hexdigest(),
                            submitted_at=day, consent_version=1, consent_scopes=scopes,
                            is_assisted=rng.random() < 0.05)
        if response.is_assisted:
            response.assisted_language = language
        db.session.add(response)
        db.session.flush()
        db.session.execute(sa.insert(Answer), [
            {**row, "survey_id": survey.id, "response_id": response.id}
            for row in rules.answer_rows(survey, answers)])
        for scope in ("participation", "research", "quotes"):
            db.session.add(ConsentRecord(response_id=response.id, context=f"survey:{survey.id}",
                                         scope=scope, granted=scope in scopes, text_version=1,
                                         language=language, recorded_at=day))


def _seed_comparison(towns, survey: Survey, count: int) -> None:
    """Fermignano runs the same instrument (saved as a template), so researchers can
    compare the two towns and export them pooled."""
    template = save_as_template(None, survey, slug="samenleven-2026",
                                title=t("Samen leven (vragenlijst)", "Vivre ensemble (questionnaire)",
                                        "Living together (questionnaire)", "العيش معًا (استبيان)",
                                        "زندگی با هم (پرسش‌نامه)", "Жити разом (анкета)",
                                        "Birlikte yaşamak (anket)"))
    lab = db.session.scalar(sa.select(Lab).where(Lab.municipality_id == towns["fermignano"].id,
                                                 Lab.slug == "vivere-insieme"))
    copy = create_from_template(None, lab, template.definition, slug="vivere-insieme-2026",
                                template_id=template.id)
    copy.title = {**copy.title, "it": "Vivere insieme a Fermignano"}
    copy.status = SurveyStatus.CLOSED
    db.session.flush()
    db.session.refresh(copy)
    _add_responses(copy, random.Random(2027), count, {"en": 60, "ar": 40})
