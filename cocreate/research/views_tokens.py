"""A researcher's personal API tokens: list, create (secret shown once), revoke.

The pages sit under the profile because a token belongs to a person, not to a
municipality: what it reaches is decided per request by the owner's researcher
memberships (see :mod:`cocreate.research.api.auth`).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from cocreate.core.base import utcnow
from cocreate.core.forms import BaseForm, ConfirmForm
from cocreate.core.http import commit_or_flash
from cocreate.core.permissions import signed_in
from cocreate.extensions import db
from cocreate.research import bp, tokens
from cocreate.research.models import ApiToken
from cocreate.research.permissions import can_export
from cocreate.research.tokens import DEFAULT_DAYS, MAX_DAYS, NAME_MAX


class ApiTokenForm(BaseForm):
    name = StringField(
        _l("Name"), description=_l("What the token is for, for example the project or the computer."),
        validators=[DataRequired(message=_l("Give the token a name.")),
                    Length(max=NAME_MAX, message=_l("Use at most %(max)s characters.", max=NAME_MAX))],
        render_kw={"maxlength": NAME_MAX, "autocomplete": "off"})
    expires_in_days = IntegerField(
        _l("Valid for (days)"),
        description=_l("From 1 to %(max)s days. Leave it empty for %(default)s days.",
                       max=MAX_DAYS, default=DEFAULT_DAYS),
        validators=[Optional(), NumberRange(min=1, max=MAX_DAYS,
                                            message=_l("Choose from 1 to %(max)s days.", max=MAX_DAYS))],
        render_kw={"min": 1, "max": MAX_DAYS, "inputmode": "numeric"})


@bp.app_context_processor
def _api_token_link():
    """Lets the profile page offer the token page only to people who can use it."""
    return {"holds_research_anywhere": lambda: tokens.holds_research_anywhere(current_user)}


def _require_researcher() -> None:
    """403 for signed-in people who are a researcher nowhere (site admins included)."""
    if not tokens.holds_research_anywhere(current_user):
        abort(403)


def _own_token_or_404(token_id: int) -> ApiToken:
    """One of the visitor's own tokens; anyone else's (or none) is a 404."""
    token = tokens.get_own_token(current_user, token_id)
    if token is None:
        abort(404)
    return token


def _zone() -> str:
    """Times are shown in the zone of a municipality where the person does research."""
    for membership in current_user.memberships:
        if can_export(current_user, membership.municipality):
            return membership.municipality.timezone
    return "UTC"


@bp.route("/profile/api-tokens", methods=["GET", "POST"])
@signed_in
def manage_api_tokens():
    _require_researcher()
    form = ApiTokenForm()
    secret = None
    status = 200
    if form.validate_on_submit():
        try:
            _token, secret = tokens.create_token(current_user, name=form.name.data,
                                                 expires_in_days=form.expires_in_days.data)
        except tokens.TokenError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            status = 400
        else:
            db.session.commit()
            form = ApiTokenForm(formdata=None)
    elif form.is_submitted():
        status = 400
    # The secret is on this response only: it is never stored, so it cannot be shown again.
    return render_template("research/api_tokens.html", form=form, secret=secret,
                           tokens=tokens.tokens_of(current_user), zone=_zone(),
                           confirm_form=ConfirmForm(), now=utcnow()), status


@bp.route("/profile/api-tokens/<int:token_id>/revoke", methods=["POST"])
@signed_in
def revoke_api_token(token_id):
    _require_researcher()
    token = _own_token_or_404(token_id)
    if ConfirmForm().validate_on_submit():
        commit_or_flash(lambda: tokens.revoke_token(current_user, token),
                        _("The token %(name)s is revoked. Programs that use it no longer get data.",
                          name=token.name))
    return redirect(url_for("research.manage_api_tokens"))
