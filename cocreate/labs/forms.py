from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, NumberRange, ValidationError

from cocreate.core.forms import BaseForm, LocaleMapMixin, LocaleSpec, locale_map_form
from cocreate.core.i18n import language_name
from cocreate.municipalities.forms import SLUG_RULE, CheckboxesField

LAB_TEXT = {
    "title": LocaleSpec(_l("Title"), 200),
    "description": LocaleSpec(_l("Description"), 10_000, multiline=True),
}
PHASE_TEXT = {"title": LocaleSpec(_l("Phase name"), 200)}


class _LabForm(LocaleMapMixin, BaseForm):
    default_language = SelectField(_l("Main language of the lab"))
    languages = CheckboxesField(_l("Languages of the lab"))

    def set_language_choices(self, municipality):
        choices = [(c, language_name(c)) for c in municipality.content_languages]
        self.default_language.choices = choices
        self.languages.choices = choices

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        default = self.default_language.data
        if default and not (self.locale_map("title").get(default) or "").strip():
            field = self[f"title__{default}"] if f"title__{default}" in self else None
            message = _l("Enter the title in the main language of the lab.")
            (field or self.default_language).errors.append(message)
            ok = False
        return ok


class _NewLabMixin:
    slug = StringField(_l("Short name in addresses"),
                       validators=[DataRequired(message=_l("Enter a short name.")), SLUG_RULE],
                       description=_l("For example samen-leven. It cannot be changed later."))


#: Disclosure thresholds an official may choose (2 is the least that hides anything).
DISCLOSURE_MIN, DISCLOSURE_MAX = 2, 100


def _threshold_field(label, description):
    """A field left out of a post keeps its value (the lab's current one, see the view)."""
    return IntegerField(label, description=description, validators=[
        NumberRange(min=DISCLOSURE_MIN, max=DISCLOSURE_MAX,
                    message=_l("Enter a whole number from %(min)s to %(max)s."))])


class _DisclosureMixin:
    """Small groups in results: counts below these numbers are hidden for everyone but
    the municipality's researchers (the lab's edit form only; new labs start at 5 and 10)."""

    disclosure_k = _threshold_field(
        _l("Smallest group shown in results"),
        _l("Officials, administrators and the public see smaller counts hidden. Researchers see every count."))
    disclosure_k_sensitive = _threshold_field(
        _l("Smallest group shown by origin, migration background, nationality or neighbourhood"),
        _l("Must be at least the number above."))

    def validate_disclosure_k_sensitive(self, field):
        if isinstance(self.disclosure_k.data, int) and isinstance(field.data, int) \
                and field.data < self.disclosure_k.data:
            raise ValidationError(_l("Enter a number at least as large as the smallest group shown in results."))


def lab_form(municipality, *, new: bool, **kwargs):
    """The lab form with one title and description field per offered language."""
    base = type("NewLabForm", (_NewLabMixin, _LabForm), {}) if new else \
        type("LabForm", (_DisclosureMixin, _LabForm), {})
    cls = locale_map_form(base, municipality.content_languages, LAB_TEXT)
    form = cls(**kwargs)
    form.set_language_choices(municipality)
    return form


class _PhaseForm(LocaleMapMixin, BaseForm):
    starts_on = DateField(_l("Start date"),
                          validators=[DataRequired(message=_l("Enter a valid date."))])
    ends_on = DateField(_l("End date"), validators=[DataRequired(message=_l("Enter a valid date."))])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date must be on or after the start date."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.locale_map("title"):
            first = self.locale_fields("title")[0][1]
            first.errors.append(_l("Enter a name for the phase in at least one language."))
            ok = False
        return ok


def phase_form(lab, **kwargs):
    cls = locale_map_form(_PhaseForm, lab.content_languages, PHASE_TEXT)
    return cls(prefix="phase", **kwargs)


class StatusForm(BaseForm):
    target = SelectField(choices=["published", "closed", "archived", "draft"])
