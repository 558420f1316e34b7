"""Built-in blocks of the template library, shared by every municipality.

The "About you" block has fixed codes (``AY_*``) so towns can be compared, and
marks its questions as breakdown dimensions for results.
"""

from __future__ import annotations


def _t(nl, fr, en, ar, fa, uk, tr):
    return {"nl": nl, "fr": fr, "en": en, "ar": ar, "fa": fa, "uk": uk, "tr": tr}


PREFER_NOT = _t("Zeg ik liever niet", "Je préfère ne pas répondre", "Prefer not to say",
                "أفضل عدم الإجابة", "ترجیح می‌دهم نگویم", "Не хочу відповідати",
                "Belirtmek istemiyorum")


def _choice(code, text, options, dimension, *, multiple=False):
    return {
        "code": code, "type": "multiple" if multiple else "single", "text": text, "help": {},
        "required": False, "settings": {}, "condition": None, "dimension": dimension,
        "options": [{"code": f"{code}_{i}", "kind": "choice", "label": label}
                    for i, label in enumerate(options, start=1)]
        + [{"code": f"{code}_pnts", "kind": "prefer_not", "label": PREFER_NOT}],
    }


ABOUT_YOU = {
    "sections": [{
        "title": _t("Over jou", "À propos de vous", "About you", "عنك", "دربارهٔ شما", "Про вас",
                    "Hakkınızda"),
        "condition": None,
        "questions": [
            _choice("AY_BIRTH", _t("Waar ben je geboren?", "Où êtes-vous né(e) ?",
                                   "Where were you born?", "أين وُلدت؟", "کجا به دنیا آمده‌اید؟",
                                   "Де ви народилися?", "Nerede doğdunuz?"),
                    [_t("In België", "En Belgique", "In Belgium", "في بلجيكا", "در بلژیک",
                        "У Бельгії", "Belçika'da"),
                     _t("In een ander land van de Europese Unie",
                        "Dans un autre pays de l'Union européenne",
                        "In another country of the European Union",
                        "في بلد آخر من الاتحاد الأوروبي",
                        "در کشور دیگری از اتحادیهٔ اروپا",
                        "В іншій країні Європейського Союзу",
                        "Başka bir Avrupa Birliği ülkesinde"),
                     _t("Buiten de Europese Unie", "Hors de l'Union européenne",
                        "Outside the European Union", "خارج الاتحاد الأوروبي",
                        "بیرون از اتحادیهٔ اروپا", "За межами Європейського Союзу",
                        "Avrupa Birliği dışında")], "origin"),
            _choice("AY_GEN", _t("Ben jij of is een van je ouders naar België verhuisd?",
                                 "Vous ou l'un de vos parents êtes-vous venu(e) vivre en Belgique ?",
                                 "Did you or one of your parents move to Belgium?",
                                 "هل انتقلت أنت أو أحد والديك إلى بلجيكا؟",
                                 "آیا خودتان یا یکی از پدر و مادرتان برای زندگی به بلژیک آمده‌اید؟",
                                 "Чи переїхали до Бельгії ви або хтось із ваших батьків?",
                                 "Siz ya da anne babanızdan biri Belçika'ya taşındı mı?"),
                    [_t("Ja, ikzelf", "Oui, moi-même", "Yes, I did", "نعم، أنا", "بله، خودم",
                        "Так, я", "Evet, ben"),
                     _t("Ja, een van mijn ouders (niet ikzelf)",
                        "Oui, un de mes parents (pas moi)",
                        "Yes, one of my parents (not me)", "نعم، أحد والديّ (وليس أنا)",
                        "بله، پدر یا مادرم (نه خودم)", "Так, хтось із моїх батьків (не я)",
                        "Evet, annem ya da babam (ben değil)"),
                     _t("Nee", "Non", "No", "لا", "نه", "Ні", "Hayır")], "generation"),
            _choice("AY_YEARS", _t("Hoe lang woon je al in deze gemeente?",
                                   "Depuis combien de temps vivez-vous dans cette commune ?",
                                   "How long have you lived in this municipality?",
                                   "منذ متى تعيش في هذه البلدية؟",
                                   "چه مدت است که در این شهر زندگی می‌کنید؟",
                                   "Як довго ви живете в цьому місті?",
                                   "Ne kadar zamandır bu şehirde yaşıyorsunuz?"),
                    [_t("Minder dan 1 jaar", "Moins d'un an", "Less than 1 year", "أقل من سنة",
                        "کمتر از ۱ سال", "Менше 1 року", "1 yıldan az"),
                     _t("1 tot 5 jaar", "1 à 5 ans", "1 to 5 years", "من سنة إلى 5 سنوات",
                        "۱ تا ۵ سال", "Від 1 до 5 років", "1 ile 5 yıl arası"),
                     _t("5 tot 10 jaar", "5 à 10 ans", "5 to 10 years", "من 5 إلى 10 سنوات",
                        "۵ تا ۱۰ سال", "Від 5 до 10 років", "5 ile 10 yıl arası"),
                     _t("Meer dan 10 jaar", "Plus de 10 ans", "More than 10 years",
                        "أكثر من 10 سنوات", "بیشتر از ۱۰ سال", "Понад 10 років",
                        "10 yıldan fazla")], "years"),
            _choice("AY_HOMELANG", _t("Welke talen spreek je thuis?",
                                      "Quelles langues parlez-vous à la maison ?",
                                      "Which languages do you speak at home?",
                                      "ما هي اللغات التي تتحدثها في البيت؟",
                                      "در خانه به چه زبان‌هایی صحبت می‌کنید؟",
                                      "Якими мовами ви розмовляєте вдома?",
                                      "Evde hangi dilleri konuşuyorsunuz?"),
                    [_t("Nederlands", "Néerlandais", "Dutch", "الهولندية", "هلندی",
                        "Нідерландська", "Hollandaca"),
                     _t("Frans", "Français", "French", "الفرنسية", "فرانسوی", "Французька",
                        "Fransızca"),
                     _t("Arabisch", "Arabe", "Arabic", "العربية", "عربی", "Арабська", "Arapça"),
                     _t("Turks", "Turc", "Turkish", "التركية", "ترکی", "Турецька", "Türkçe"),
                     _t("Dari of Perzisch", "Dari ou persan", "Dari or Persian",
                        "الدرية أو الفارسية", "دری یا فارسی", "Дарі або перська",
                        "Darice veya Farsça"),
                     _t("Oekraïens of Russisch", "Ukrainien ou russe", "Ukrainian or Russian",
                        "الأوكرانية أو الروسية", "اوکراینی یا روسی", "Українська або російська",
                        "Ukraynaca veya Rusça"),
                     _t("Een andere taal", "Une autre langue", "Another language", "لغة أخرى",
                        "زبانی دیگر", "Інша мова", "Başka bir dil")],
                    "home_language", multiple=True),
            _choice("AY_AGE", _t("Hoe oud ben je?", "Quel âge avez-vous ?", "How old are you?",
                                 "كم عمرك؟", "چند سال دارید؟", "Скільки вам років?",
                                 "Kaç yaşındasınız?"),
                    [_t("Jonger dan 18", "Moins de 18 ans", "Under 18", "أقل من 18",
                        "کمتر از ۱۸ سال", "Менше 18 років", "18 yaşından küçük"),
                     _t("18 tot 29", "18 à 29 ans", "18 to 29", "من 18 إلى 29", "۱۸ تا ۲۹ سال",
                        "18–29 років", "18–29 yaş"),
                     _t("30 tot 44", "30 à 44 ans", "30 to 44", "من 30 إلى 44", "۳۰ تا ۴۴ سال",
                        "30–44 роки", "30–44 yaş"),
                     _t("45 tot 64", "45 à 64 ans", "45 to 64", "من 45 إلى 64", "۴۵ تا ۶۴ سال",
                        "45–64 роки", "45–64 yaş"),
                     _t("65 of ouder", "65 ans ou plus", "65 or older", "65 أو أكثر",
                        "۶۵ سال یا بیشتر", "65 років і більше", "65 yaş ve üzeri")], "age"),
            _choice("AY_GENDER", _t("Wat is je gender?", "Quel est votre genre ?",
                                    "What is your gender?", "ما هو جنسك؟", "جنسیت شما چیست؟",
                                    "Яка ваша стать?", "Cinsiyetiniz nedir?"),
                    [_t("Vrouw", "Femme", "Woman", "امرأة", "زن", "Жінка", "Kadın"),
                     _t("Man", "Homme", "Man", "رجل", "مرد", "Чоловік", "Erkek"),
                     _t("Anders", "Autre", "Other", "غير ذلك", "دیگر", "Інше", "Diğer")], "gender"),
            _choice("AY_AREA", _t("In welk deel van de gemeente woon je?",
                                  "Dans quelle partie de la commune habitez-vous ?",
                                  "Which part of the municipality do you live in?",
                                  "في أي جزء من البلدية تسكن؟",
                                  "در کدام بخش شهر زندگی می‌کنید؟",
                                  "У якій частині міста ви живете?",
                                  "Şehrin hangi bölümünde yaşıyorsunuz?"),
                    [_t("Centrum", "Centre", "Centre", "المركز", "مرکز شهر", "Центр", "Merkez"),
                     _t("Een ander deel van de gemeente", "Une autre partie de la commune",
                        "Another part of the municipality", "جزء آخر من البلدية",
                        "بخش دیگری از شهر", "Інша частина міста", "Şehrin başka bir bölümü")],
                    "neighbourhood"),
        ],
    }],
}

#: Built-in blocks by slug (they are offered next to each municipality's templates).
BLOCKS = {"about-you": {"title": _t("Over jou", "À propos de vous", "About you", "عنك",
                                    "دربارهٔ شما", "Про вас", "Hakkınızda"),
                        "definition": ABOUT_YOU}}

#: Breakdown dimensions that need the larger disclosure threshold (k = 10).
SENSITIVE_DIMENSIONS = frozenset({"origin", "generation", "nationality", "neighbourhood"})
