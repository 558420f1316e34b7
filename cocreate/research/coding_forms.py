"""Forms of qualitative coding: codes, codings, memos, templates, the agreement choice.

Choices come from the lab's own codebook and coders (set in ``__init__``); ids
arrive as text and are turned into numbers by :func:`as_id`, so the service
gives the one clear refusal for anything that is not this lab's.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from cocreate.core.forms import BaseForm
from cocreate.municipalities.forms import SLUG_RULE
from cocreate.research import coding


def as_id(value) -> int | None:
    """Form text → a positive id, or None for empty or malformed input."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


def code_choices(entries, *, exclude: int | None = None) -> list[tuple[str, str]]:
    """``(id, name)`` pairs in tree order, indented by depth so the hierarchy shows
    inside a plain ``<select>``."""
    return [(str(code.id), "\u2003" * depth + code.name) for code, depth in entries if code.id != exclude]


class CodeForm(BaseForm):
    name = StringField(_l("Name"), validators=[
        DataRequired(message=_l("Give the code a name.")),
        Length(max=coding.NAME_MAX, message=_l("Keep the name under %(max)s characters.",
                                               max=coding.NAME_MAX))])
    description = TextAreaField(_l("Description"), validators=[
        Optional(), Length(max=coding.DESCRIPTION_MAX, message=_l(
            "Keep the description under %(max)s characters.", max=coding.DESCRIPTION_MAX))],
        description=_l("When to use this code, with an example."))
    color = StringField(_l("Colour"), default=coding.DEFAULT_COLOR, render_kw={"type": "color"},
                        validators=[Regexp(r"^#[0-9a-fA-F]{6}$", message=_l(
                            "Choose a colour as #RRGGBB, for example #1f6f8b."))])
    parent = SelectField(_l("Place it under"), validate_choice=False)

    def __init__(self, *args, entries=(), exclude: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent.choices = [("", _l("(top level)"))] + code_choices(entries, exclude=exclude)

    def parent_id(self) -> int | str | None:
        """None for the top level; an id; or the raw text, which the service refuses."""
        raw = self.parent.data or ""
        return None if raw == "" else (as_id(raw) or raw)


class CodingForm(BaseForm):
    """One unit's coding form: a code for the whole unit, or — filled in by coding.js —
    a passage as ``start``/``end`` in code points."""

    code = SelectField(_l("Code"), validate_choice=False,
                       validators=[DataRequired(message=_l("Choose a code of this lab's codebook."))])
    unit_kind = HiddenField()
    unit_id = HiddenField()
    start = HiddenField()
    end = HiddenField()
    memo = TextAreaField(_l("Memo (optional)"), validators=[
        Optional(), Length(max=coding.MEMO_MAX, message=_l("Keep the memo under %(max)s characters.",
                                                           max=coding.MEMO_MAX))])

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.code.choices = code_choices(entries)


class MemoForm(BaseForm):
    text = TextAreaField(_l("Memo"), validators=[
        DataRequired(message=_l("Write the memo first.")),
        Length(max=coding.MEMO_MAX, message=_l("Keep the memo under %(max)s characters.",
                                               max=coding.MEMO_MAX))])
    code_id = HiddenField()
    unit_kind = HiddenField()
    unit_id = HiddenField()


class ImportTemplateForm(BaseForm):
    template = SelectField(_l("Codebook template"), validate_choice=False,
                           validators=[DataRequired(message=_l("Choose a template."))])

    def __init__(self, *args, templates=(), language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.template.choices = [(str(t.id), t.title.get(language) or next(iter(t.title.values()), t.slug))
                                 for t in templates]


class SaveTemplateForm(BaseForm):
    title = StringField(_l("Title of the template"), validators=[
        DataRequired(message=_l("Give the template a title.")),
        Length(max=coding.NAME_MAX, message=_l("Keep the title under %(max)s characters.",
                                               max=coding.NAME_MAX))])
    slug = StringField(_l("Short name"), validators=[DataRequired(message=_l("Enter a short name.")), SLUG_RULE],
                       description=_l("For example integration-themes-2026."))


class AgreementForm(BaseForm):
    """Two coders to compare (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    a = SelectField(_l("First coder"), validate_choice=False)
    b = SelectField(_l("Second coder"), validate_choice=False)

    def __init__(self, *args, coders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.coders = {str(user.id): user for user in coders}
        choices = [(key, user.display_name) for key, user in self.coders.items()]
        self.a.choices, self.b.choices = choices, choices

    def validate_a(self, field):
        if field.data not in self.coders:
            raise ValidationError(_l("Choose a person who coded in this lab."))

    def validate_b(self, field):
        if field.data not in self.coders:
            raise ValidationError(_l("Choose a person who coded in this lab."))
        if field.data == self.a.data:
            raise ValidationError(_l("Choose two different coders."))
