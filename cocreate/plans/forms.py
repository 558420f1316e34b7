from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from cocreate.core.forms import BaseForm, LocaleMapMixin, LocaleSpec, locale_map_form
from cocreate.core.i18n import language_name
from cocreate.municipalities.forms import SLUG_RULE

PLAN_TEXT = {"title": LocaleSpec(_l("Title"), 200)}
VERSION_TEXT = {"change_note": LocaleSpec(_l("What changed in this version"), 2000, multiline=True)}
RESPONSE_TEXT = {"explanation": LocaleSpec(_l("Explanation"), 3000, multiline=True)}


class _PlanForm(LocaleMapMixin, BaseForm):
    slug = StringField(_l("Short name in addresses"),
                       validators=[DataRequired(message=_l("Enter a short name.")), SLUG_RULE])
    official_language = SelectField(_l("Official language of the text"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.locale_map("title").get(self.official_language.data or ""):
            self.official_language.errors.append(_l("Enter the title in the official language."))
            ok = False
        return ok


def plan_form(lab, **kwargs):
    form = locale_map_form(_PlanForm, lab.content_languages, PLAN_TEXT)(**kwargs)
    form.official_language.choices = [(c, language_name(c)) for c in lab.content_languages]
    return form


class PeriodForm(BaseForm):
    opens_at = DateTimeLocalField(_l("Comments open at (local time)"), format=["%Y-%m-%dT%H:%M"],
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Comments close at (local time)"), format=["%Y-%m-%dT%H:%M"],
                                   validators=[Optional()])
    pre_moderation = BooleanField(_l("A moderator checks each comment before it is shown"))

    def utc(self, field, zone: str):
        if field.data is None:
            return None
        return field.data.replace(tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.opens_at.data and self.closes_at.data and self.closes_at.data <= self.opens_at.data:
            self.closes_at.errors.append(_l("The closing time must be after the opening time."))
            ok = False
        return ok


class _VersionForm(LocaleMapMixin, BaseForm):
    text = TextAreaField(_l("Official text (Markdown)"),
                         validators=[DataRequired(message=_l("The plan text is empty.")),
                                     Length(max=200_000)],
                         description=_l("Separate paragraphs with an empty line. Start a heading with #."))
    links = TextAreaField(_l("Comments that led to changes"), validators=[Length(max=5000)],
                          description=_l("One line per paragraph: its number, a colon, "
                                         "and comment numbers, like 3: 12 15."))


def version_form(plan, **kwargs):
    languages = [c for c in plan.lab.content_languages if c != plan.official_language]
    attrs = {f"translation__{code}": TextAreaField(
        _l("Translation: %(language)s", language=language_name(code)),
        validators=[Length(max=200_000)], render_kw={"lang": code, "dir": "auto"})
        for code in languages}
    cls = locale_map_form(type("VersionForm", (_VersionForm,), attrs),
                          plan.lab.content_languages, VERSION_TEXT)
    form = cls(prefix="version", **kwargs)
    form.translation_codes = languages
    return form


class _ResponseForm(LocaleMapMixin, BaseForm):
    status = SelectField(_l("Response"))


def response_form(plan, **kwargs):
    from cocreate.plans import response_label
    from cocreate.plans.models import ResponseStatus

    form = locale_map_form(_ResponseForm, plan.lab.content_languages, RESPONSE_TEXT)(
        prefix="response", **kwargs)
    form.status.choices = [(s.value, response_label(s.value)) for s in ResponseStatus]
    return form
