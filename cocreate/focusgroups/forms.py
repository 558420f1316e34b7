"""Forms for sessions (moderators) and registrations (residents)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from cocreate.core.forms import BaseForm, LocaleMapMixin, LocaleSpec, email_field, locale_map_form
from cocreate.core.i18n import language_name
from cocreate.municipalities.forms import CONTENT_LANGUAGES, CheckboxesField

SESSION_TEXT = {
    "topic": LocaleSpec(_l("Topic"), 200),
    "description": LocaleSpec(_l("Description"), 5000, multiline=True),
    "accessibility": LocaleSpec(_l("Accessibility of the place"), 1000, multiline=True),
}


def _number(field, low, high):
    raw = (field.data or "").strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationError(_l("Enter a whole number from %(low)s to %(high)s.", low=low, high=high))


class _SessionForm(LocaleMapMixin, BaseForm):
    starts_at = DateTimeLocalField(_l("Starts at (local time)"), format=["%Y-%m-%dT%H:%M"],
                                   validators=[DataRequired(message=_l("Enter a date and time."))])
    ends_at = DateTimeLocalField(_l("Ends at (local time)"), format=["%Y-%m-%dT%H:%M"],
                                 validators=[DataRequired(message=_l("Enter a date and time."))])
    registration_deadline = DateTimeLocalField(_l("Registration closes at (local time)"),
                                               format=["%Y-%m-%dT%H:%M"], validators=[Optional()])
    format = SelectField(_l("Where"))
    address = StringField(_l("Address"), validators=[Length(max=300)])
    room = StringField(_l("Room"), validators=[Length(max=120)])
    online_link = StringField(_l("Link to the online meeting"),
                              validators=[Optional(), Length(max=500),
                                          URL(require_tld=False, message=_l("Enter a full link, starting with https://."))],
                              description=_l("Shown only to people with a confirmed place."))
    working_language = SelectField(_l("Working language"))
    interpretation = CheckboxesField(_l("Interpretation offered into"))
    capacity = StringField(_l("Number of places"), validators=[DataRequired(message=_l("Enter a number."))])
    requires_approval = BooleanField(_l("A moderator approves each registration"))
    use_quota = BooleanField(_l("Aim for a mix of newcomers and long-term residents (screening question)"))
    newcomer_share = StringField(_l("Minimum share of newcomers (%)"), validators=[Optional()])
    long_term_share = StringField(_l("Minimum share of long-term residents (%)"),
                                  validators=[Optional()])

    def setup(self, lab):
        choices = [(c, language_name(c)) for c in CONTENT_LANGUAGES]
        self.working_language.choices = choices
        self.interpretation.choices = choices
        self.format.choices = [("in_person", _l("In person")), ("online", _l("Online"))]
        self._zone = ZoneInfo(lab.municipality.timezone)

    def utc(self, field):
        if field.data is None:
            return None
        return field.data.replace(tzinfo=self._zone).astimezone(ZoneInfo("UTC"))

    def validate_capacity(self, field):
        _number(field, 1, 500)

    def validate_newcomer_share(self, field):
        if field.data:
            _number(field, 0, 100)

    def validate_long_term_share(self, field):
        if field.data:
            _number(field, 0, 100)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.starts_at.data and self.ends_at.data and self.ends_at.data <= self.starts_at.data:
            self.ends_at.errors.append(_l("The end must be after the start."))
            ok = False
        if (self.registration_deadline.data and self.starts_at.data
                and self.registration_deadline.data > self.starts_at.data):
            self.registration_deadline.errors.append(_l("Registration must close before the session starts."))
            ok = False
        if self.format.data == "online" and not self.online_link.data:
            self.online_link.errors.append(_l("An online session needs a link."))
            ok = False
        if self.format.data == "in_person" and not self.address.data:
            self.address.errors.append(_l("A session in person needs an address."))
            ok = False
        shares = [int(f.data or 0) for f in (self.newcomer_share, self.long_term_share)
                  if (f.data or "").isdigit()]
        if sum(shares) > 100:
            self.long_term_share.errors.append(_l("Together the minimum shares cannot be more than 100%."))
            ok = False
        first = self.locale_fields("topic")[0][1]
        if not self.locale_map("topic"):
            first.errors.append(_l("Enter the topic in at least one language."))
            ok = False
        return ok


def session_form(lab, **kwargs):
    cls = locale_map_form(_SessionForm, lab.content_languages, SESSION_TEXT)
    form = cls(**kwargs)
    form.setup(lab)
    return form


class RegistrationForm(BaseForm):
    guest_name = StringField(_l("Your name"), validators=[Length(max=80)],
                             render_kw={"autocomplete": "name"})
    guest_email = email_field(_l("Your e-mail address"))
    guest_phone = StringField(_l("Phone number (optional)"), validators=[Optional(), Length(max=32)],
                              render_kw={"autocomplete": "tel", "inputmode": "tel"})
    interpretation_language = SelectField(_l("I need interpretation into"), validators=[Optional()])
    needs_childcare = BooleanField(_l("I need childcare during the session"))
    accessibility_needs = StringField(_l("Accessibility needs (optional)"), validators=[Length(max=500)],
                                      description=_l("For example: wheelchair, hearing loop, large print."))
    note = TextAreaField(_l("Anything else we should know? (optional)"), validators=[Length(max=1000)])
    consent_participation = BooleanField(
        _l("I want to take part, and I know the conversation is used for the integration plan."),
        validators=[DataRequired(message=_l("Please confirm that you want to take part."))])
    consent_audio = BooleanField(_l("The conversation may be recorded (audio) to write a transcript."))
    consent_quotes = BooleanField(_l("What I say may be quoted anonymously in reports."))
    consent_research = BooleanField(
        _l("The researchers of the study may use what I say, under a pseudonym, never with my name."))

    def setup(self, session, signed_in: bool):
        self.interpretation_language.choices = [("", _l("No interpretation needed"))] + [
            (code, language_name(code)) for code in session.interpretation]
        if signed_in:
            # A signed-in person's name and address come from their account.
            del self.guest_name
            del self.guest_email
            del self.guest_phone

    def validate_guest_name(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_l("Enter your name."))


class WalkInForm(BaseForm):
    guest_name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")),
                                                     Length(max=80)])
    group_code = SelectField(_l("Group"), validators=[Optional()])
    language = SelectField(_l("Language"))


class TranscriptForm(BaseForm):
    source = SelectField(_l("What are you adding?"))
    language = SelectField(_l("Main language of the conversation"))
    notes = TextAreaField(_l("Notes"), validators=[Length(max=100_000)],
                          description=_l("One line per remark; start a line with “Name:” to give the speaker."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source.choices = [
            ("text", _l("Transcript as text (Speaker: text)")), ("vtt", _l("Subtitles (WebVTT)")),
            ("srt", _l("Subtitles (SRT)")), ("notes", _l("Notes typed here"))]
