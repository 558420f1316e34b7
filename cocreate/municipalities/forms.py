from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from cocreate.core.forms import BaseForm
from cocreate.core.i18n import language_name

#: Languages a municipality can offer content in (the UI may have fewer).
CONTENT_LANGUAGES = ["nl", "fr", "de", "en", "ar", "fa", "ps", "ti", "so", "uk", "ru", "tr",
                     "ro", "pl", "es", "it", "el", "sv", "pt", "sq", "ku", "prs"]
CONTENT_LANGUAGES = [c for c in CONTENT_LANGUAGES if language_name(c) != c]

SLUG_RULE = Regexp(r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$",
                   message=_l("Use 2 to 64 lower-case letters, digits and hyphens."))


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _language_choices():
    return [(c, language_name(c)) for c in CONTENT_LANGUAGES]


class MunicipalitySettingsForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")),
                                               Length(max=120)])
    country = StringField(
        _l("Country code"),
        validators=[DataRequired(message=_l("Enter a country code.")),
                    Regexp(r"^[A-Za-z]{2}$", message=_l("Use the two-letter code, like BE or IT."))],
        filters=[lambda v: v.upper() if isinstance(v, str) else v],
    )
    timezone = StringField(_l("Time zone"),
                           validators=[DataRequired(message=_l("Enter a time zone.")),
                                       Length(max=64)],
                           description=_l("For example Europe/Brussels."))
    default_language = SelectField(_l("Main language"))
    languages = CheckboxesField(_l("Languages offered"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_language.choices = _language_choices()
        self.languages.choices = _language_choices()

    def validate_timezone(self, field):
        if field.data not in available_timezones():
            raise ValidationError(_l("This is not a known time zone."))


class NewMunicipalityForm(MunicipalitySettingsForm):
    slug = StringField(_l("Short name in addresses"),
                       validators=[DataRequired(message=_l("Enter a short name.")), SLUG_RULE],
                       description=_l("For example ninove. It cannot be changed later."))
