from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from cocreate.core.forms import BaseForm, ConfirmForm, email_field  # noqa: F401
from cocreate.core.i18n import language_name
from cocreate.core.permissions import Role

PASSWORD_RULES = [
    DataRequired(message=_l("Enter a password.")),
    Length(min=10, max=128, message=_l("Use between 10 and 128 characters.")),
]


def role_label(role: str):
    return {
        Role.PARTICIPANT: _l("Participant"),
        Role.MODERATOR: _l("Moderator"),
        Role.OFFICIAL: _l("Official"),
        Role.RESEARCHER: _l("Researcher"),
        Role.ADMIN: _l("Municipality administrator"),
    }[Role(role)]


class LanguageChoiceMixin:
    def set_language_choices(self, field):
        field.choices = [(c, language_name(c)) for c in current_app.config["LANGUAGES"]]


class LoginForm(BaseForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )


class RegisterForm(BaseForm, LanguageChoiceMixin):
    display_name = StringField(
        _l("Name shown to others"),
        validators=[DataRequired(message=_l("Enter a name.")), Length(max=80)],
        render_kw={"autocomplete": "nickname"},
    )
    email = email_field()
    password = PasswordField(_l("Password"), validators=PASSWORD_RULES,
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )
    preferred_language = SelectField(_l("Language for e-mails and pages"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_language_choices(self.preferred_language)


class ForgotPasswordForm(BaseForm):
    email = email_field()


class ResetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=PASSWORD_RULES,
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(BaseForm, LanguageChoiceMixin):
    display_name = StringField(
        _l("Name shown to others"),
        validators=[DataRequired(message=_l("Enter a name.")), Length(max=80)],
    )
    preferred_language = SelectField(_l("Language for e-mails and pages"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_language_choices(self.preferred_language)


class DeleteAccountForm(BaseForm):
    contributions = RadioField(
        _l("What happens to what you wrote and answered?"),
        choices=[("keep", _l("Keep it without my name: answers and comments stay, anonymous")),
                 ("remove", _l("Delete it: my answers, comments and registrations are removed"))],
        validators=[DataRequired(message=_l("Choose what happens to what you wrote."))])
    password = PasswordField(
        _l("Your password, to confirm"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"})

    def validate_password(self, field):
        from flask_login import current_user

        if not current_user.check_password(field.data or ""):
            raise ValidationError(_l("This password is not right. Try again."))


class InviteForm(BaseForm, LanguageChoiceMixin):
    email = email_field(_l("E-mail address of the person to invite"))
    role = SelectField(_l("Role"))
    language = SelectField(_l("Language of the invitation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(r.value, role_label(r)) for r in Role if r is not Role.PARTICIPANT]
        self.set_language_choices(self.language)


class RoleForm(BaseForm):
    role = SelectField(_l("Role"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(r.value, role_label(r)) for r in Role]


class AcceptInvitationForm(BaseForm):
    """For an invited person who has no account yet."""

    display_name = StringField(
        _l("Name shown to others"),
        validators=[DataRequired(message=_l("Enter a name.")), Length(max=80)],
    )
    password = PasswordField(_l("Password"), validators=PASSWORD_RULES,
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


def consent_scope_label(scope: str):
    return {
        "participation": _l("Taking part"),
        "research": _l("Use by the researchers, under a pseudonym"),
        "quotes": _l("Quotes without my name"),
        "audio": _l("Audio recording"),
    }.get(scope, scope)
