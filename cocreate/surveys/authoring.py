"""Write paths for building a survey: settings, sections, questions, options, status,
templates. Codes are given once and never change; once a survey has responses its
questions and options can be hidden or added, never deleted."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cocreate.core import audit
from cocreate.core.base import utcnow
from cocreate.extensions import db
from cocreate.surveys.models import (
    CHOICE_TYPES,
    IllegalTransition,
    Option,
    OptionKind,
    Question,
    QuestionType,
    Response,
    Section,
    Survey,
    SurveyMode,
    SurveyStatus,
    SurveyTemplate,
)
from cocreate.surveys.service import SurveyError

CODE_RULE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")


def has_responses(survey: Survey) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(Response.survey_id == survey.id)
    ) > 0


def _languages(lab, default_language, languages):
    allowed = set(lab.municipality.content_languages)
    if default_language not in allowed:
        raise SurveyError(_l("Choose a language that the municipality offers."))
    return list(dict.fromkeys([default_language, *[c for c in languages if c in allowed]]))


def create_survey(actor, lab, *, slug, title, intro, thanks, consent_text, mode,
                  opens_at, closes_at, default_language, languages,
                  invitation_only: bool = False) -> Survey:
    if db.session.scalar(sa.select(Survey.id).where(Survey.lab_id == lab.id, Survey.slug == slug)):
        raise SurveyError(_l("This short name is already used by another survey in this lab."))
    survey = Survey(lab=lab, slug=slug, title=title, intro=intro, thanks=thanks,
                    consent_text=consent_text, mode=SurveyMode(mode), opens_at=opens_at,
                    closes_at=closes_at, default_language=default_language,
                    invitation_only=invitation_only,
                    languages=_languages(lab, default_language, languages))
    db.session.add(survey)
    audit.record("survey.created", survey, actor=actor, municipality=lab.municipality)
    return survey


def update_survey(actor, survey: Survey, *, title, intro, thanks, consent_text, mode,
                  opens_at, closes_at, default_language, languages,
                  invitation_only: bool = False) -> None:
    if mode != survey.mode and has_responses(survey):
        raise SurveyError(_l("The mode cannot change once there are responses."))
    if consent_text != (survey.consent_text or {}):
        survey.consent_version += 1  # the ledger records which text people agreed to
    survey.title, survey.intro, survey.thanks = title, intro, thanks
    survey.consent_text = consent_text
    survey.mode = SurveyMode(mode)
    survey.invitation_only = invitation_only
    survey.opens_at, survey.closes_at = opens_at, closes_at
    survey.languages = _languages(survey.lab, default_language, languages)
    survey.default_language = default_language
    audit.record("survey.updated", survey, actor=actor, municipality=survey.lab.municipality)


def change_status(actor, survey: Survey, target: str) -> None:
    """Publish (scheduled or open, by the opening date), close or reopen."""
    try:
        target = SurveyStatus(target)
    except ValueError as exc:
        raise SurveyError(_l("This change of status is not possible.")) from exc
    if target in (SurveyStatus.OPEN, SurveyStatus.SCHEDULED):
        if not any(not q.is_hidden for q in survey.questions):
            raise SurveyError(_l("Add at least one question before publishing."))
        if not (survey.title or {}).get(survey.default_language):
            raise SurveyError(_l("Enter the title in the main language first."))
        if survey.closes_at and survey.closes_at <= utcnow():
            raise SurveyError(_l("The closing date is in the past. Change it first."))
        if survey.state is not SurveyStatus.CLOSED:
            target = (SurveyStatus.SCHEDULED if survey.opens_at and survey.opens_at > utcnow()
                      else SurveyStatus.OPEN)
    try:
        survey.move_to(target)
    except IllegalTransition as exc:
        raise SurveyError(_l("This change of status is not possible.")) from exc
    audit.record(f"survey.{survey.status}", survey, actor=actor,
                 municipality=survey.lab.municipality)


def open_and_close_due(now=None) -> int:
    """Scheduler: open scheduled surveys whose time has come, close expired ones."""
    now = now or utcnow()
    changed = 0
    due = db.session.scalars(sa.select(Survey).where(
        sa.or_(sa.and_(Survey.status == SurveyStatus.SCHEDULED, Survey.opens_at <= now),
               sa.and_(Survey.status == SurveyStatus.OPEN, Survey.closes_at <= now)))).all()
    for survey in due:
        target = SurveyStatus.OPEN if survey.state is SurveyStatus.SCHEDULED else SurveyStatus.CLOSED
        if target is SurveyStatus.OPEN and survey.closes_at and survey.closes_at <= now:
            target = SurveyStatus.CLOSED
            survey.status = SurveyStatus.OPEN
        survey.move_to(target)
        audit.record(f"survey.{survey.status}", survey, municipality=survey.lab.municipality,
                     by="scheduler")
        changed += 1
    return changed


# -- Sections and questions ---------------------------------------------------------------


def add_section(actor, survey: Survey, *, title: dict, condition: dict | None = None) -> Section:
    section = Section(survey=survey, title=title, position=len(survey.sections),
                      condition=_checked_condition(survey, condition, before=None))
    db.session.add(section)
    return section


def update_section(actor, section: Section, *, title: dict, condition: dict | None) -> None:
    section.title = title
    section.condition = _checked_condition(section.survey, condition, before=section)


def next_code(survey: Survey) -> str:
    numbers = [int(m.group(1)) for q in survey.questions if (m := re.fullmatch(r"Q(\d+)", q.code))]
    return f"Q{max(numbers, default=0) + 1}"


def _order(question: Question) -> tuple[int, int]:
    return (question.section.position, question.position)


def _checked_condition(survey: Survey, condition: dict | None, *, before) -> dict | None:
    """A condition may only look at an earlier choice question and its own options."""
    if not condition or not condition.get("question"):
        return None
    source = survey.question(condition["question"])
    if source is None or source.kind not in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        raise SurveyError(_l("A condition must refer to an earlier single or multiple choice question."))
    if isinstance(before, Question) and _order(source) >= _order(before):
        raise SurveyError(_l("A condition must refer to an earlier single or multiple choice question."))
    if isinstance(before, Section) and source.section.position >= before.position:
        raise SurveyError(_l("A condition must refer to an earlier single or multiple choice question."))
    valid = {o.code for o in source.options}
    chosen = [c for c in condition.get("options") or [] if c in valid]
    if not chosen:
        raise SurveyError(_l("Choose at least one answer for the condition."))
    return {"question": source.code, "options": chosen}


def _sync_options(question: Question, labels: list[dict], kind: OptionKind, locked: bool) -> None:
    """Update labels of existing options in order, add new ones; never re-code.

    ``labels`` is a list of locale maps in display order. Existing options keep
    their code; an empty row hides an option (deleting it only when unlocked).
    """
    existing = [o for o in question.options if o.kind == kind]
    prefix = f"{question.code}_r" if kind == OptionKind.ROW else f"{question.code}_"
    taken = {o.code for o in question.options}
    number = 1
    for index, label in enumerate(labels):
        if index < len(existing):
            option = existing[index]
            if label:
                option.label, option.is_hidden, option.position = label, False, index
            elif locked:
                option.is_hidden = True
            else:
                question.options.remove(option)
            continue
        if not label:
            continue
        while f"{prefix}{number}" in taken:
            number += 1
        code = f"{prefix}{number}"
        taken.add(code)
        question.options.append(Option(code=code, kind=kind, label=label, position=index))
    for option in existing[len(labels):]:
        if locked:
            option.is_hidden = True
        else:
            question.options.remove(option)


def _sync_special(question: Question, kind: OptionKind, wanted: bool, label: dict,
                  locked: bool) -> None:
    option = next((o for o in question.options if o.kind == kind), None)
    suffix = "other" if kind == OptionKind.OTHER else "pnts"
    if wanted and option is None:
        question.options.append(Option(code=f"{question.code}_{suffix}", kind=kind, label=label,
                                       position=999 if kind == OptionKind.PREFER_NOT else 998))
    elif wanted:
        option.is_hidden = False
        option.label = label or option.label
    elif option is not None:
        if locked:
            option.is_hidden = True
        else:
            question.options.remove(option)


def _check_settings(kind: QuestionType, settings: dict, n_choices: int, n_rows: int) -> dict:
    clean = {}
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.RANKING) and n_choices < 2:
        raise SurveyError(_l("Give at least two answer options."))
    if kind is QuestionType.MATRIX and n_rows < 1:
        raise SurveyError(_l("Give at least one row."))
    if kind is QuestionType.MULTIPLE:
        low, high = settings.get("min_choices"), settings.get("max_choices")
        if low is not None and high is not None and low > high:
            raise SurveyError(_l("The minimum number of choices is larger than the maximum."))
        clean.update({k: v for k, v in (("min_choices", low), ("max_choices", high)) if v})
    if kind in (QuestionType.LIKERT, QuestionType.MATRIX):
        clean["points"] = 7 if settings.get("points") == 7 else 5
    if kind in (QuestionType.LIKERT, QuestionType.SCALE, QuestionType.MATRIX):
        clean["low_label"] = settings.get("low_label") or {}
        clean["high_label"] = settings.get("high_label") or {}
    if kind is QuestionType.NUMBER:
        low, high = settings.get("min"), settings.get("max")
        if low is not None and high is not None and low > high:
            raise SurveyError(_l("The lowest number is larger than the highest."))
        clean.update({"min": low, "max": high, "integer": bool(settings.get("integer"))})
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT) and settings.get("max_length"):
        clean["max_length"] = int(settings["max_length"])
    return clean


def save_question(actor, survey: Survey, question: Question | None, *, section: Section,
                  code: str | None, type: str, text: dict, help: dict, required: bool,
                  settings: dict, options: list[dict], rows: list[dict], has_other: bool,
                  other_label: dict, has_prefer_not: bool, prefer_not_label: dict,
                  condition: dict | None, dimension: str | None) -> Question:
    """Create (``question`` None) or update a question with its options."""
    locked = has_responses(survey)
    kind = QuestionType(type)
    if section.survey_id != survey.id:
        raise SurveyError(_l("Choose a section of this survey."))
    if not (text or {}).get(survey.default_language):
        raise SurveyError(_l("Enter the question in the main language of the survey."))
    if question is None:
        code = code or next_code(survey)
        if not CODE_RULE.match(code):
            raise SurveyError(_l("A code starts with a letter and has only letters, digits and _."))
        if survey.question(code) is not None:
            raise SurveyError(_l("This code is already used in this survey."))
        question = Question(survey=survey, section=section, code=code, type=kind,
                            position=len(section.questions))
        db.session.add(question)
    else:
        if locked and question.type != kind:
            raise SurveyError(_l("The type cannot change once there are responses."))
        if question.section_id != section.id:
            question.section = section
            question.position = len(section.questions)
        question.type = kind
    question.text, question.help, question.required = text, help, required
    question.dimension = dimension or None
    uses_choices = kind in CHOICE_TYPES
    _sync_options(question, options if uses_choices else [], OptionKind.CHOICE, locked)
    _sync_options(question, rows if kind is QuestionType.MATRIX else [], OptionKind.ROW, locked)
    _sync_special(question, OptionKind.OTHER, has_other and kind in (QuestionType.SINGLE,
                  QuestionType.MULTIPLE), other_label, locked)
    _sync_special(question, OptionKind.PREFER_NOT, has_prefer_not and kind not in (
        QuestionType.RANKING, QuestionType.MATRIX), prefer_not_label, locked)
    question.settings = _check_settings(
        kind, settings, len(question.choices()), len(question.rows()))
    db.session.flush()
    question.condition = _checked_condition(survey, condition, before=question)
    audit.record("survey.question_saved", survey, actor=actor,
                 municipality=survey.lab.municipality, code=question.code)
    return question


def move_question(actor, question: Question, direction: int) -> None:
    siblings = list(question.section.questions)
    index = siblings.index(question)
    target = index + (1 if direction > 0 else -1)
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for position, item in enumerate(siblings):
            item.position = position
    db.session.flush()
    for item in siblings:  # a condition must still look backwards after the move
        if item.condition and not _condition_still_valid(item):
            raise SurveyError(_l("This move would put a question before the question its condition depends on."))


def _condition_still_valid(question: Question) -> bool:
    source = question.survey.question(question.condition["question"])
    return source is not None and _order(source) < _order(question)


def duplicate_question(actor, question: Question) -> Question:
    survey = question.survey
    copy = Question(survey=survey, section=question.section, code=next_code(survey),
                    type=question.type, text=dict(question.text), help=dict(question.help),
                    required=question.required, settings=dict(question.settings),
                    condition=question.condition, position=len(question.section.questions))
    db.session.add(copy)
    for option in question.options:
        suffix = option.code[len(question.code):]
        copy.options.append(Option(code=f"{copy.code}{suffix}", kind=option.kind,
                                   label=dict(option.label), position=option.position,
                                   is_hidden=option.is_hidden))
    return copy


def set_hidden(actor, question: Question, hidden: bool) -> None:
    question.is_hidden = hidden
    audit.record("survey.question_hidden" if hidden else "survey.question_shown",
                 question.survey, actor=actor, municipality=question.survey.lab.municipality,
                 code=question.code)


def delete_question(actor, question: Question) -> None:
    survey = question.survey
    if has_responses(survey):
        raise SurveyError(_l("This survey has responses: hide the question instead of deleting it."))
    dependants = [q.code for q in survey.questions
                  if q.condition and q.condition.get("question") == question.code]
    if dependants:
        raise SurveyError(_l("Other questions depend on this one. Change their conditions first."))
    question.section.questions.remove(question)
    survey.questions.remove(question)
    db.session.delete(question)
    audit.record("survey.question_deleted", survey, actor=actor,
                 municipality=survey.lab.municipality, code=question.code)


# -- Templates ---------------------------------------------------------------------------


def definition_of(survey: Survey, sections=None) -> dict:
    """The instrument as plain data: what a template stores."""
    return {
        "title": survey.title, "intro": survey.intro, "thanks": survey.thanks,
        "consent_text": survey.consent_text, "default_language": survey.default_language,
        "languages": survey.content_languages, "mode": survey.mode,
        "sections": [{
            "title": s.title, "condition": s.condition,
            "questions": [{
                "code": q.code, "type": q.type, "text": q.text, "help": q.help,
                "required": q.required, "settings": q.settings, "condition": q.condition,
                "dimension": q.dimension,
                "options": [{"code": o.code, "kind": o.kind, "label": o.label}
                            for o in q.options if not o.is_hidden],
            } for q in s.questions if not q.is_hidden],
        } for s in (sections or survey.sections)],
    }


def save_as_template(actor, survey: Survey, *, slug: str, title: dict) -> SurveyTemplate:
    if db.session.scalar(sa.select(SurveyTemplate.id).where(SurveyTemplate.slug == slug)):
        raise SurveyError(_l("This short name is already used by another template."))
    template = SurveyTemplate(slug=slug, title=title, definition=definition_of(survey),
                              municipality_id=survey.lab.municipality_id)
    db.session.add(template)
    db.session.flush()
    if survey.template_id is None:
        survey.template_id = template.id  # the origin is comparable with its copies
    audit.record("survey.template_saved", survey, actor=actor,
                 municipality=survey.lab.municipality, template=slug)
    return template


def add_sections_from(survey: Survey, definition: dict) -> list[Section]:
    """Append a definition's sections with the same codes (skipping codes in use)."""
    added = []
    for section_data in definition.get("sections", []):
        section = Section(survey=survey, title=section_data.get("title") or {},
                          position=len(survey.sections))
        db.session.add(section)
        for position, data in enumerate(section_data.get("questions", [])):
            if survey.question(data["code"]) is not None:
                raise SurveyError(_l("The survey already has a question with code %(code)s.",
                                     code=data["code"]))
            question = Question(
                survey=survey, section=section, code=data["code"], type=data["type"],
                text=data.get("text") or {}, help=data.get("help") or {},
                required=bool(data.get("required")), settings=data.get("settings") or {},
                condition=data.get("condition"), dimension=data.get("dimension"),
                position=position)
            for index, option in enumerate(data.get("options", [])):
                question.options.append(Option(code=option["code"], kind=option["kind"],
                                               label=option.get("label") or {}, position=index))
            db.session.add(question)
        if section_data.get("condition"):
            section.condition = section_data["condition"]
        added.append(section)
    db.session.flush()
    return added


def create_from_template(actor, lab, template_definition: dict, *, slug: str,
                         template_id: int | None) -> Survey:
    data = template_definition
    languages = [c for c in data.get("languages", []) if c in lab.municipality.content_languages]
    default = data.get("default_language")
    if default not in lab.municipality.content_languages:
        default = lab.default_language
    survey = create_survey(actor, lab, slug=slug, title=data.get("title") or {},
                           intro=data.get("intro") or {}, thanks=data.get("thanks") or {},
                           consent_text=data.get("consent_text") or {},
                           mode=data.get("mode", "anonymous"), opens_at=None, closes_at=None,
                           default_language=default, languages=languages or [default])
    survey.template_id = template_id
    db.session.flush()
    add_sections_from(survey, data)
    return survey
