"""Form plumbing shared by every domain.

:class:`BaseForm` trims text, refuses control characters in any text field and
gives every form CSRF protection. :func:`locale_map_form` adds one field per
offered language for a translatable content field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from cocreate.core.i18n import completeness

CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
CONTROL_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            cls = unbound_field.field_class
            if issubclass(cls, StringField) and not issubclass(cls, PasswordField):
                options["filters"] = [_strip, *options.get("filters", ())]
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            if not isinstance(field.data, str):
                continue
            pattern = CONTROL_MULTI_LINE if isinstance(field, TextAreaField) else CONTROL_SINGLE_LINE
            if pattern.search(field.data):
                field.errors = [*field.errors, _l("This contains characters that are not allowed.")]
                ok = False
        return ok


@dataclass(frozen=True)
class LocaleSpec:
    label: object
    max_length: int
    multiline: bool = False


def locale_map_form(base: type[BaseForm], languages: list[str], specs: dict[str, LocaleSpec]):
    """Subclass ``base`` with a ``<name>__<lang>`` field per language for each spec."""
    attrs = {"_locale_specs": specs, "_locale_languages": list(languages)}
    for name, spec in specs.items():
        for code in languages:
            cls = TextAreaField if spec.multiline else StringField
            attrs[f"{name}__{code}"] = cls(
                label=spec.label,
                validators=[Optional(), Length(max=spec.max_length)],
                render_kw={"lang": code, "dir": "auto"},
            )
    return type(base.__name__, (base,), attrs)


class LocaleMapMixin:
    """Helpers for forms built by :func:`locale_map_form`."""

    _locale_specs: dict[str, LocaleSpec] = {}
    _locale_languages: list[str] = []

    def locale_fields(self, name: str):
        return [(code, self[f"{name}__{code}"]) for code in self._locale_languages]

    def locale_map(self, name: str) -> dict[str, str]:
        return {
            code: field.data
            for code, field in self.locale_fields(name)
            if isinstance(field.data, str) and field.data
        }

    def fill_locale_map(self, name: str, value: dict | None) -> None:
        for code, field in self.locale_fields(name):
            if field.data in (None, ""):
                field.data = (value or {}).get(code, "")

    def locale_completeness(self, name: str) -> dict[str, bool]:
        return completeness(self.locale_map(name), self._locale_languages)


class ConfirmForm(BaseForm):
    """A form with nothing but the CSRF token, for buttons that change state."""


def email_field(label=None):
    """An e-mail address field: required, at most 254 characters, lower-cased."""
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254),
            Email(message=_l("Enter a valid e-mail address, like name@example.org.")),
        ],
        filters=[lambda v: v.lower() if isinstance(v, str) else v],
        render_kw={"autocomplete": "email"},
    )
