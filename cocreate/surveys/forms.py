"""Forms for answering (start, resume) and for authoring surveys."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from cocreate.core.forms import BaseForm, LocaleMapMixin, LocaleSpec, email_field, locale_map_form
from cocreate.core.i18n import language_name
from cocreate.municipalities.forms import SLUG_RULE, CheckboxesField
from cocreate.surveys.models import QuestionType, SurveyMode

# -- Answering ---------------------------------------------------------------------------


class StartForm(BaseForm):
    participation = BooleanField(
        _l("I have read the information above and I want to take part."),
        validators=[DataRequired(message=_l("Please confirm that you want to take part."))])
    research = BooleanField(_l("My answers may be used for research (without my name)."))
    quotes = BooleanField(_l("My written answers may be quoted anonymously in reports."))
    assisted_language = SelectField(_l("Entered with a resident, in this language"),
                                    validators=[Optional()])

    def __init__(self, *args, assisted: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_assisted = assisted
        languages = current_app.config["LANGUAGES"]
        self.assisted_language.choices = [("", _l("Not an assisted entry"))] + [
            (code, language_name(code)) for code in sorted(set(languages) | {
                "ar", "fa", "ps", "ti", "so", "uk", "ru", "tr", "ro", "pl", "es"})]

    def validate_assisted_language(self, field):
        if field.data and not self.show_assisted:
            raise ValidationError(_l("Only staff can enter answers for someone else."))


class ResumeForm(BaseForm):
    code = StringField(_l("Resume code"),
                       validators=[DataRequired(message=_l("Enter your resume code.")),
                                   Length(max=64)],
                       description=_l("For example ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-23."),
                       render_kw={"autocomplete": "off", "spellcheck": "false"})


class ResumeEmailForm(BaseForm):
    email = email_field()


# -- Authoring ---------------------------------------------------------------------------

SURVEY_TEXT = {
    "title": LocaleSpec(_l("Title"), 200),
    "intro": LocaleSpec(_l("Introduction"), 5000, multiline=True),
    "consent_text": LocaleSpec(_l("Information and consent (who sees what)"), 5000,
                               multiline=True),
    "thanks": LocaleSpec(_l("Thank-you text"), 2000, multiline=True),
}
SECTION_TEXT = {"title": LocaleSpec(_l("Page title"), 200)}
QUESTION_TEXT = {
    "text": LocaleSpec(_l("Question"), 1000),
    "help": LocaleSpec(_l("Help text"), 1000),
    "low_label": LocaleSpec(_l("Label of the lowest point"), 100),
    "high_label": LocaleSpec(_l("Label of the highest point"), 100),
    "other_label": LocaleSpec(_l("Label of “other, please specify”"), 100),
    "prefer_not_label": LocaleSpec(_l("Label of “prefer not to say”"), 100),
}


def type_label(kind: str):
    return {
        QuestionType.SINGLE: _l("Single choice"),
        QuestionType.MULTIPLE: _l("Multiple choice"),
        QuestionType.LIKERT: _l("Agreement scale (Likert)"),
        QuestionType.SCALE: _l("Scale from 0 to 10"),
        QuestionType.NUMBER: _l("Number"),
        QuestionType.SHORT_TEXT: _l("Short text"),
        QuestionType.LONG_TEXT: _l("Long text"),
        QuestionType.DATE: _l("Date"),
        QuestionType.RANKING: _l("Ranking"),
        QuestionType.MATRIX: _l("Grid (rows × one scale)"),
    }[QuestionType(kind)]


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input read in the municipality's zone and stored as UTC."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)


class _SurveyForm(LocaleMapMixin, BaseForm):
    mode = SelectField(_l("Who answers"))
    invitation_only = BooleanField(_l("Only people with an invitation link can answer"))
    opens_at = LocalDateTimeField(_l("Opens at (local time)"), validators=[Optional()])
    closes_at = LocalDateTimeField(_l("Closes at (local time)"), validators=[Optional()])
    default_language = SelectField(_l("Main language of the survey"))
    languages = CheckboxesField(_l("Languages of the survey"))

    def setup(self, lab):
        choices = [(c, language_name(c)) for c in lab.municipality.content_languages]
        self.default_language.choices = choices
        self.languages.choices = choices
        self.mode.choices = [
            (SurveyMode.ANONYMOUS.value, _l("Anonymous: nothing that identifies a person is stored")),
            (SurveyMode.IDENTIFIED.value, _l("Identified: people answer signed in")),
        ]
        self._zone = ZoneInfo(lab.municipality.timezone)

    def utc(self, field) -> datetime | None:
        if field.data is None:
            return None
        return field.data.replace(tzinfo=self._zone).astimezone(ZoneInfo("UTC"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        default = self.default_language.data
        if default and not self.locale_map("title").get(default):
            self.default_language.errors.append(_l("Enter the title in the main language."))
            ok = False
        if self.opens_at.data and self.closes_at.data and self.closes_at.data <= self.opens_at.data:
            self.closes_at.errors.append(_l("The closing time must be after the opening time."))
            ok = False
        return ok


class _NewSurveyMixin:
    slug = StringField(_l("Short name in addresses"),
                       validators=[DataRequired(message=_l("Enter a short name.")), SLUG_RULE],
                       description=_l("For example samenleven-2026. It cannot be changed later."))


def survey_form(lab, *, new: bool, **kwargs):
    base = type("NewSurveyForm", (_NewSurveyMixin, _SurveyForm), {}) if new else _SurveyForm
    languages = lab.municipality.content_languages
    form = locale_map_form(base, languages, SURVEY_TEXT)(**kwargs)
    form.setup(lab)
    return form


def section_form(survey, **kwargs):
    cls = locale_map_form(type("SectionForm", (LocaleMapMixin, BaseForm), {}),
                          survey.content_languages, SECTION_TEXT)
    return cls(prefix="section", **kwargs)


class _QuestionForm(LocaleMapMixin, BaseForm):
    section = SelectField(_l("Page"))
    code = StringField(_l("Code"), validators=[Optional(), Length(max=32)],
                       description=_l("Used in exports, like Q3. It cannot be changed later."))
    type = SelectField(_l("Type of question"))
    required = BooleanField(_l("An answer is required"))
    has_other = BooleanField(_l("Offer “other, please specify”"))
    has_prefer_not = BooleanField(_l("Offer “prefer not to say”"))
    dimension = StringField(_l("Breakdown dimension for results"),
                            validators=[Optional(), Length(max=32)],
                            description=_l("Optional, like origin or age."))
    min_choices = StringField(_l("At least this many choices"), validators=[Optional(), Length(max=3)])
    max_choices = StringField(_l("At most this many choices"), validators=[Optional(), Length(max=3)])
    points = SelectField(_l("Points on the scale"), choices=["5", "7"], validators=[Optional()])
    number_min = StringField(_l("Lowest number allowed"), validators=[Optional(), Length(max=20)])
    number_max = StringField(_l("Highest number allowed"), validators=[Optional(), Length(max=20)])
    integer = BooleanField(_l("Whole numbers only"))
    max_length = StringField(_l("Maximum length of the answer"), validators=[Optional(), Length(max=5)])
    condition_question = SelectField(_l("Show only when this question …"), validators=[Optional()])
    condition_options = StringField(_l("… has one of these answers (codes, separated by spaces)"),
                                    validators=[Optional(), Length(max=500)])

    def setup(self, survey, question=None):
        self.section.choices = [(str(s.id), f"{i + 1}. " + (s.title.get(survey.default_language)
                                                           or next(iter(s.title.values()), "")))
                                for i, s in enumerate(survey.sections)]
        self.type.choices = [(k.value, type_label(k)) for k in QuestionType]
        self.condition_question.choices = [("", _l("(always shown)"))] + [
            (q.code, f"{q.code}: {q.text.get(survey.default_language, '')[:60]}")
            for q in survey.questions
            if q.kind in (QuestionType.SINGLE, QuestionType.MULTIPLE)
            and (question is None or q.id != question.id)]

    def fill_from(self, question) -> None:
        """Show a stored question in the form."""
        settings = question.settings or {}
        self.section.data = str(question.section_id)
        self.code.data, self.type.data = question.code, question.type
        self.required.data = question.required
        self.has_other.data = question.other is not None
        self.has_prefer_not.data = question.prefer_not is not None
        self.dimension.data = question.dimension or ""
        self.min_choices.data = str(settings.get("min_choices") or "")
        self.max_choices.data = str(settings.get("max_choices") or "")
        self.points.data = str(settings.get("points") or 5)
        self.number_min.data = "" if settings.get("min") is None else str(settings["min"])
        self.number_max.data = "" if settings.get("max") is None else str(settings["max"])
        self.integer.data = bool(settings.get("integer"))
        self.max_length.data = str(settings.get("max_length") or "")
        for name in ("text", "help"):
            self.fill_locale_map(name, getattr(question, name))
        self.fill_locale_map("low_label", settings.get("low_label"))
        self.fill_locale_map("high_label", settings.get("high_label"))
        self.fill_locale_map("other_label", question.other.label if question.other else {})
        self.fill_locale_map("prefer_not_label",
                             question.prefer_not.label if question.prefer_not else {})
        if question.condition:
            self.condition_question.data = question.condition["question"]
            self.condition_options.data = " ".join(question.condition["options"])

    def integer_value(self, field, lowest=0, highest=100000):
        raw = (field.data or "").strip()
        if not raw:
            return None
        if not raw.isdigit() or not lowest <= int(raw) <= highest:
            field.errors.append(_l("Enter a whole number from %(low)s to %(high)s.",
                                   low=lowest, high=highest))
            return None
        return int(raw)

    def number_value(self, field):
        from decimal import Decimal, InvalidOperation

        raw = (field.data or "").strip().replace(",", ".")
        if not raw:
            return None
        try:
            value = Decimal(raw)
            if not value.is_finite() or abs(value) >= Decimal("1e12"):
                raise InvalidOperation
        except InvalidOperation:
            field.errors.append(_l("Enter a number, like 12 or 3.5."))
            return None
        return float(value)


def question_form(survey, question=None, **kwargs):
    cls = locale_map_form(_QuestionForm, survey.content_languages, QUESTION_TEXT)
    form = cls(**kwargs)
    form.setup(survey, question)
    return form


class InvitationLinksForm(BaseForm):
    count = StringField(_l("How many links"), validators=[DataRequired(message=_l("Enter a number.")),
                                                         Length(max=4)],
                        description=_l("From 1 to 1000. Each link works once."))

    def number(self) -> int | None:
        raw = (self.count.data or "").strip()
        if raw.isdigit() and 1 <= int(raw) <= 1000:
            return int(raw)
        self.count.errors = [*self.count.errors, _l("Enter a whole number from %(low)s to %(high)s.",
                                                    low=1, high=1000)]
        return None


class InvitationEmailsForm(BaseForm):
    addresses = TextAreaField(_l("E-mail addresses, one per line"),
                              validators=[DataRequired(message=_l("Enter at least one e-mail address.")),
                                          Length(max=60_000)],
                              description=_l("The addresses are used to send the links only; "
                                             "they are not kept with the invitations."))
    language = SelectField(_l("Language of the invitation"))

    def valid_addresses(self) -> list[str] | None:
        from email_validator import EmailNotValidError, validate_email

        lines = [line.strip() for line in (self.addresses.data or "").splitlines() if line.strip()]
        if len(lines) > 500:
            self.addresses.errors = [*self.addresses.errors, _l("Send at most 500 invitations at a time.")]
            return None
        result = []
        for line in lines:
            try:
                result.append(validate_email(line, check_deliverability=False).normalized.lower())
            except EmailNotValidError:
                self.addresses.errors = [*self.addresses.errors,
                                         _l("This is not a valid e-mail address: %(address)s", address=line[:100])]
                return None
        return list(dict.fromkeys(result))


class TemplateForm(BaseForm):
    slug = StringField(_l("Short name of the template"),
                       validators=[DataRequired(message=_l("Enter a short name.")), SLUG_RULE])


class FromTemplateForm(BaseForm):
    template = SelectField(_l("Template"))
    slug = StringField(_l("Short name in addresses"),
                       validators=[DataRequired(message=_l("Enter a short name.")), SLUG_RULE])
