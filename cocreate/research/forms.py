"""Forms of the research pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import ValidationError

from cocreate.core.forms import BaseForm
from cocreate.core.i18n import language_name, localize, text_direction

#: Unknown values are quoted back in messages, but never at length.
ECHO_MAX = 40


def _echo(value) -> str:
    value = str(value or "")
    return value if len(value) <= ECHO_MAX else value[:ECHO_MAX] + "…"


class ResultsViewForm(BaseForm):
    """What a results page shows: a breakdown and filters, as GET parameters.

    Unknown values are not fatal: each gives a message and is left out, and the
    page shows the rest. After :meth:`validate`, :attr:`breakdown` is the question
    to break down by (or None) and :attr:`chosen` the filters, in the order given.
    """

    class Meta:
        csrf = False

    by = SelectField(_l("Break down by"), validate_choice=False)
    f = SelectMultipleField(_l("Only people who chose"), validate_choice=False)
    lang_f = SelectField(_l("Only people who answered in"), validate_choice=False)

    def __init__(self, *args, breakdowns, filters: dict, languages: dict, default_language: str,
                 several_filters: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self._breakdowns = {q.code: q for q in breakdowns}
        self._filters = filters
        self._languages = languages
        self.several_filters = several_filters
        self.breakdown = None
        self.chosen = []

        def label(question):
            text = localize(question.text, default=default_language)
            return f"{question.code} — {text.text}"

        self.by.choices = [("", _l("No breakdown"))] + [(q.code, label(q)) for q in breakdowns]
        groups: dict = {}
        for key, found in filters.items():
            option = localize(found.option.label, default=default_language)
            groups.setdefault(label(found.question), []).append(
                (key, option.text, {"lang": option.lang, "dir": option.dir}))
        self.f.choices = groups
        self.lang_f.choices = [("", _l("Any language"))] + [
            (code, language_name(code), {"lang": code, "dir": text_direction(code)}) for code in languages]

    def validate_by(self, field):
        if field.data and field.data not in self._breakdowns:
            raise ValidationError(_l("There is no question “%(code)s” to break the results down by: the "
                                     "results are shown without a breakdown.", code=_echo(field.data)))
        self.breakdown = self._breakdowns.get(field.data or "")

    def validate_f(self, field):
        for value in field.data or []:
            if not value:
                continue
            if value in self._filters:
                if self._filters[value] not in self.chosen:
                    self.chosen.append(self._filters[value])
            else:
                field.errors.append(_l("There is no answer “%(value)s” to filter on: that filter is left out.",
                                       value=_echo(value)))

    def validate_lang_f(self, field):
        if not field.data:
            return
        if field.data not in self._languages:
            raise ValidationError(_l("The survey has no language “%(code)s”: that filter is left out.",
                                     code=_echo(field.data)))
        self.chosen.append(self._languages[field.data])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if len(self.chosen) > 1 and not self.several_filters:
            self.chosen = self.chosen[:1]
            self.f.errors.append(_l("Only one filter can be applied at a time: the first one is used."))
            ok = False
        return ok

    def messages(self) -> list:
        return [error for field in (self.by, self.f, self.lang_f) for error in field.errors]


class ResultsPublishForm(BaseForm):
    """Make a survey's protected results public, or withdraw them."""

    action = SelectField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("publish", _l("Publish the results")), ("unpublish", _l("Withdraw the results"))]
