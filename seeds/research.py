"""Demo research material: a shared codebook template of Whole-of-Community integration
themes, imported into "Samen leven in Ninove", and a few codings by the demo researcher
on comments, free-text answers and transcript turns (one of them a passage).

Everything goes through ``research.coding``, so only texts of people who agreed to
research use are coded. Running it again adds nothing: the template is found by its
slug, the import matches codes by key, and codings are only made while the researcher
has none in the lab.
"""

from __future__ import annotations

import sqlalchemy as sa

from cocreate.accounts.models import User
from cocreate.extensions import db
from cocreate.labs.models import Lab
from cocreate.research import coding, units
from cocreate.research.models import Code, CodebookTemplate, Coding

TEMPLATE_SLUG = "whole-of-community-themes"


def _code(key, name, description, color, children=()):
    return {"key": key, "name": name, "description": description, "color": color, "children": list(children)}


THEMES = [
    _code("language", "Language", "Learning the local language and living with several languages.", "#1f77b4", [
        _code("language-courses", "Language courses", "Times, places, levels and childcare of language classes.",
              "#4a90c8"),
        _code("language-everyday", "Language in daily life",
              "Using the language at work, in shops, with neighbours and at the town hall.", "#6baed6"),
    ]),
    _code("work", "Work and income", "Finding work, recognition of diplomas and skills, income.", "#2ca02c", [
        _code("work-recognition", "Recognition of diplomas", "Diplomas and experience from abroad.", "#52b552"),
    ]),
    _code("housing", "Housing", "Finding and keeping a home: prices, landlords, size and quality.", "#e6730f", [
        _code("housing-affordability", "Affordable housing", "Rents and prices compared with income.", "#f0954a"),
    ]),
    _code("belonging", "Belonging and contact", "Feeling at home, meeting neighbours and places to meet.",
          "#9467bd", [
              _code("belonging-meeting", "Meeting places and events",
                    "Markets, neighbourhood days, community centres.", "#a98bc9"),
          ]),
    _code("participation", "Participation", "Having a say in local policy, associations and volunteering.",
          "#138d9c"),
    _code("discrimination", "Discrimination", "Unequal treatment or racism experienced or seen.", "#c62828"),
    _code("services", "Public services", "Information, childcare and help from the town and its partners.",
          "#8c564b", [
              _code("services-information", "Information in one's language",
                    "Where to find information, and in which languages.", "#a9705f"),
          ]),
]

#: (text the unit contains, code key, passage to code or None for the whole unit)
CODINGS = [
    ("Avondlessen zouden veel helpen", "language-courses", None),
    ("نحن عائلة من خمسة أشخاص ولا نجد بيتًا", "housing-affordability", None),
    ("Eén dag per jaar is te weinig", "belonging-meeting", None),
    ("Please publish a list of landlords", "housing", "a list of landlords who accept newcomers"),
    ("Lessen Nederlands ook 's avonds, met kinderopvang.", "language-courses", "met kinderopvang"),
    ("Information in more languages at the town hall.", "services-information", None),
    ("من الصعب إيجاد سكن", "housing", "أصحاب البيوت لا يردون على رسائلنا"),
    ("نريد دروس اللغة الهولندية في المساء", "language-courses", "دروس اللغة الهولندية في المساء"),
    ("Wat zou voor jullie helpen om elkaar vaker te zien?", "belonging", None),
]


def _template() -> CodebookTemplate:
    template = db.session.scalar(sa.select(CodebookTemplate).where(CodebookTemplate.slug == TEMPLATE_SLUG))
    if template is None:
        template = CodebookTemplate(slug=TEMPLATE_SLUG, municipality_id=None,
                                    title={"en": "Whole-of-Community integration themes",
                                           "nl": "Thema's van integratie (Whole-of-Community)",
                                           "fr": "Thèmes d'intégration (Whole-of-Community)",
                                           "ar": "مواضيع الاندماج (نهج المجتمع ككل)"},
                                    definition=THEMES)
        db.session.add(template)
        db.session.flush()
    return template


def seed(towns) -> int:
    """Returns the number of codings added."""
    template = _template()
    lab = db.session.scalar(sa.select(Lab).where(Lab.municipality_id == towns["ninove"].id,
                                                 Lab.slug == "samen-leven-ninove"))
    researcher = db.session.scalar(sa.select(User).where(User.email == "researcher@ninove.demo"))
    if lab is None or researcher is None:
        return 0
    coding.import_template(researcher, lab, template)
    if db.session.scalar(sa.select(Coding.id).where(Coding.lab_id == lab.id, Coding.coder_id == researcher.id)):
        return 0
    codes = dict(db.session.execute(sa.select(Code.key, Code.id).where(Code.lab_id == lab.id)).all())
    texts = [unit for _source, found in units.all_units(lab) for unit in found]
    added = 0
    for contains, key, passage in CODINGS:
        unit = next((u for u in texts if contains in u.text and (passage is None or passage in u.text)), None)
        if unit is None:  # e.g. a demo without survey responses
            continue
        start = unit.text.index(passage) if passage else None
        coding.add_coding(researcher, lab, code_id=codes[key], unit_kind=unit.kind, unit_id=unit.id,
                          start=start, end=start + len(passage) if passage else None)
        added += 1
    if added:
        coding.add_memo(researcher, lab, text="First reading: housing and evening language courses with "
                                              "childcare come back in every kind of input.")
    db.session.flush()
    return added
