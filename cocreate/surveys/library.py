"""Built-in blocks of the template library, shared by every municipality.

The "About you" block has fixed codes (``AY_*``) so towns can be compared, and
marks its questions as breakdown dimensions for results.
"""

from __future__ import annotations


def _t(nl, fr, en, ar):
    return {"nl": nl, "fr": fr, "en": en, "ar": ar}


PREFER_NOT = _t("Zeg ik liever niet", "Je préfère ne pas répondre", "Prefer not to say",
                "أفضل عدم الإجابة")


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
        "title": _t("Over jou", "À propos de vous", "About you", "عنك"),
        "condition": None,
        "questions": [
            _choice("AY_BIRTH", _t("Waar ben je geboren?", "Où êtes-vous né(e) ?",
                                   "Where were you born?", "أين وُلدت؟"),
                    [_t("In België", "En Belgique", "In Belgium", "في بلجيكا"),
                     _t("In een ander land van de Europese Unie",
                        "Dans un autre pays de l'Union européenne",
                        "In another country of the European Union",
                        "في بلد آخر من الاتحاد الأوروبي"),
                     _t("Buiten de Europese Unie", "Hors de l'Union européenne",
                        "Outside the European Union", "خارج الاتحاد الأوروبي")], "origin"),
            _choice("AY_GEN", _t("Ben jij of is een van je ouders naar België verhuisd?",
                                 "Vous ou l'un de vos parents êtes-vous venu(e) vivre en Belgique ?",
                                 "Did you or one of your parents move to Belgium?",
                                 "هل انتقلت أنت أو أحد والديك إلى بلجيكا؟"),
                    [_t("Ja, ikzelf", "Oui, moi-même", "Yes, I did", "نعم، أنا"),
                     _t("Ja, een van mijn ouders (niet ikzelf)",
                        "Oui, un de mes parents (pas moi)",
                        "Yes, one of my parents (not me)", "نعم، أحد والديّ (وليس أنا)"),
                     _t("Nee", "Non", "No", "لا")], "generation"),
            _choice("AY_YEARS", _t("Hoe lang woon je al in deze gemeente?",
                                   "Depuis combien de temps vivez-vous dans cette commune ?",
                                   "How long have you lived in this municipality?",
                                   "منذ متى تعيش في هذه البلدية؟"),
                    [_t("Minder dan 1 jaar", "Moins d'un an", "Less than 1 year", "أقل من سنة"),
                     _t("1 tot 5 jaar", "1 à 5 ans", "1 to 5 years", "من سنة إلى 5 سنوات"),
                     _t("5 tot 10 jaar", "5 à 10 ans", "5 to 10 years", "من 5 إلى 10 سنوات"),
                     _t("Meer dan 10 jaar", "Plus de 10 ans", "More than 10 years",
                        "أكثر من 10 سنوات")], "years"),
            _choice("AY_HOMELANG", _t("Welke talen spreek je thuis?",
                                      "Quelles langues parlez-vous à la maison ?",
                                      "Which languages do you speak at home?",
                                      "ما هي اللغات التي تتحدثها في البيت؟"),
                    [_t("Nederlands", "Néerlandais", "Dutch", "الهولندية"),
                     _t("Frans", "Français", "French", "الفرنسية"),
                     _t("Arabisch", "Arabe", "Arabic", "العربية"),
                     _t("Turks", "Turc", "Turkish", "التركية"),
                     _t("Dari of Perzisch", "Dari ou persan", "Dari or Persian",
                        "الدرية أو الفارسية"),
                     _t("Oekraïens of Russisch", "Ukrainien ou russe", "Ukrainian or Russian",
                        "الأوكرانية أو الروسية"),
                     _t("Een andere taal", "Une autre langue", "Another language", "لغة أخرى")],
                    "home_language", multiple=True),
            _choice("AY_AGE", _t("Hoe oud ben je?", "Quel âge avez-vous ?", "How old are you?",
                                 "كم عمرك؟"),
                    [_t("Jonger dan 18", "Moins de 18 ans", "Under 18", "أقل من 18"),
                     _t("18 tot 29", "18 à 29 ans", "18 to 29", "من 18 إلى 29"),
                     _t("30 tot 44", "30 à 44 ans", "30 to 44", "من 30 إلى 44"),
                     _t("45 tot 64", "45 à 64 ans", "45 to 64", "من 45 إلى 64"),
                     _t("65 of ouder", "65 ans ou plus", "65 or older", "65 أو أكثر")], "age"),
            _choice("AY_GENDER", _t("Wat is je gender?", "Quel est votre genre ?",
                                    "What is your gender?", "ما هو جنسك؟"),
                    [_t("Vrouw", "Femme", "Woman", "امرأة"), _t("Man", "Homme", "Man", "رجل"),
                     _t("Anders", "Autre", "Other", "غير ذلك")], "gender"),
            _choice("AY_AREA", _t("In welk deel van de gemeente woon je?",
                                  "Dans quelle partie de la commune habitez-vous ?",
                                  "Which part of the municipality do you live in?",
                                  "في أي جزء من البلدية تسكن؟"),
                    [_t("Centrum", "Centre", "Centre", "المركز"),
                     _t("Een ander deel van de gemeente", "Une autre partie de la commune",
                        "Another part of the municipality", "جزء آخر من البلدية")],
                    "neighbourhood"),
        ],
    }],
}

#: Built-in blocks by slug (they are offered next to each municipality's templates).
BLOCKS = {"about-you": {"title": _t("Over jou", "À propos de vous", "About you", "عنك"),
                        "definition": ABOUT_YOU}}

#: Breakdown dimensions that need the larger disclosure threshold (k = 10).
SENSITIVE_DIMENSIONS = frozenset({"origin", "generation", "nationality", "neighbourhood"})
