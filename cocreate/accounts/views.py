from __future__ import annotations

import json

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from cocreate.accounts import bp, personal_data, queries, service
from cocreate.accounts import consents as consent_service
from cocreate.accounts.forms import (
    AcceptInvitationForm,
    ConfirmForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    RoleForm,
)
from cocreate.accounts.models import Membership
from cocreate.accounts.permissions import can_accept_invitation
from cocreate.core.errors import DomainError
from cocreate.core.http import commit_or_flash, safe_next_url
from cocreate.core.permissions import Permission, public, requires, signed_in
from cocreate.extensions import db, limiter


def _limit(key):
    return lambda: current_app.config[key]


def _sign_in(user):
    service.start_session(user)
    db.session.commit()
    session.clear()
    login_user(user)
    session["lang"] = user.preferred_language


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_LOGIN"), methods=["POST"])
@public
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The e-mail address or password is not right."))
        else:
            _sign_in(user)
            flash(_("You are signed in."), "success")
            target = safe_next_url(request.args.get("next"))
            return redirect(target or url_for("core.home", lang_code=user.preferred_language))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        service.end_session(current_user.get_id())
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You are signed out."), "success")
    return redirect(url_for("core.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_REGISTER"), methods=["POST"])
@public
def register():
    form = RegisterForm()
    if request.method == "GET":
        from cocreate.core.i18n import current_language

        form.preferred_language.data = current_language()
    if form.validate_on_submit():
        try:
            user = service.register_user(form.email.data, form.password.data,
                                         form.display_name.data, form.preferred_language.data)
        except service.AccountError as exc:
            form.email.errors.append(exc.message)
        else:
            _sign_in(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("core.home", lang_code=user.preferred_language))
    return render_template("accounts/register.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        service.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
@public
def reset_password(token):
    if service.find_password_reset(token) is None:
        return render_template("accounts/link_expired.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        service.reset_password(token, form.password.data)
        db.session.commit()
        flash(_("Your password is changed. Sign in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@signed_in
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        service.update_profile(current_user, form.display_name.data, form.preferred_language.data)
        db.session.commit()
        session["lang"] = current_user.preferred_language
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile", lang_code=current_user.preferred_language))
    return _profile_page(form, DeleteAccountForm())


def _profile_page(form, delete_form):
    """The profile page: details, consents, my data, deleting the account."""
    consents = consent_service.active_consents(current_user)
    return render_template("accounts/profile.html", form=form, consents=consents,
                           consent_titles=consent_service.context_titles([c.context for c in consents]),
                           withdraw_form=ConfirmForm(), delete_form=delete_form)


@bp.route("/profile/my-data.json")
@signed_in
def download_my_data():
    """Everything held about the signed-in person, as one JSON file."""
    body = json.dumps(personal_data.collect(current_user), ensure_ascii=False, indent=2)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="cocreate-my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/profile/delete", methods=["POST"])
@signed_in
@limiter.limit(_limit("RATELIMIT_LOGIN"))
def delete_account():
    """Delete one's own account, after the password; contributions kept anonymised or removed."""
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _profile_page(ProfileForm(obj=current_user), form), 400
    try:
        personal_data.delete_account(current_user, form.contributions.data)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("accounts.profile") + "#delete")
    db.session.commit()
    logout_user()
    session.clear()  # before the message: clearing the session would drop it
    flash(_("Your account is deleted."), "success")
    return redirect(url_for("core.home"))


@bp.route("/profile/consents/<int:record_id>/withdraw", methods=["POST"])
@signed_in
def withdraw_consent(record_id):
    """Withdraw one of one's own consents; someone else's record is refused like a missing one."""
    if ConfirmForm().validate_on_submit():
        commit_or_flash(lambda: consent_service.withdraw(current_user, record_id),
                        _("Your consent is withdrawn. Later exports and results leave you out."))
    return redirect(url_for("accounts.profile") + "#consents")


# -- Invitations -------------------------------------------------------------------


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_REGISTER"), methods=["POST"])
@public
def accept_invitation(token):
    invitation = service.find_invitation(token)
    if invitation is None:
        return render_template("accounts/link_expired.html"), 410
    existing = service.find_user_by_email(invitation.email)
    if current_user.is_authenticated:
        if not can_accept_invitation(current_user, invitation):
            return render_template("accounts/invitation_other_account.html",
                                   invitation=invitation), 403
        form = ConfirmForm()
        if form.validate_on_submit():
            service.accept_invitation(token, current_user)
            db.session.commit()
            flash(_("Welcome to the team."), "success")
            return redirect(url_for("municipalities.manage_home",
                                    municipality_slug=invitation.municipality.slug))
        return render_template("accounts/invitation.html", invitation=invitation, form=form)
    if existing is not None:
        return render_template("accounts/invitation.html", invitation=invitation, form=None,
                               login_url=url_for("accounts.login", next=request.path))
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        user = service.register_user(invitation.email, form.password.data,
                                     form.display_name.data, invitation.language)
        service.accept_invitation(token, user)
        _sign_in(user)
        flash(_("Welcome to the team."), "success")
        return redirect(url_for("municipalities.manage_home",
                                municipality_slug=invitation.municipality.slug))
    return render_template("accounts/invitation.html", invitation=invitation, form=form,
                           new_account=True)


# -- Members of a municipality --------------------------------------------------------


def _membership_or_404(municipality, membership_id) -> Membership:
    """A membership of this municipality; another municipality's is a 404."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.municipality_id != municipality.id:
        abort(404)
    return membership


@bp.route("/m/<slug:municipality_slug>/manage/members", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEMBERS)
def manage_members(municipality):
    form = InviteForm()
    if form.validate_on_submit():
        service.invite(current_user, municipality, form.email.data, form.role.data,
                       form.language.data)
        db.session.commit()
        flash(_("The invitation is sent."), "success")
        return redirect(url_for("accounts.manage_members", municipality_slug=municipality.slug))
    members = queries.members_of(municipality)
    invitations = queries.open_invitations(municipality)
    return render_template("accounts/manage_members.html", municipality=municipality,
                           members=members, invitations=invitations, form=form,
                           role_form=RoleForm(), confirm_form=ConfirmForm())


@bp.route("/m/<slug:municipality_slug>/manage/members/<int:membership_id>/role",
          methods=["POST"])
@requires(Permission.MANAGE_MEMBERS)
def manage_change_role(municipality, membership_id):
    membership = _membership_or_404(municipality, membership_id)
    form = RoleForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: service.change_role(current_user, membership, form.role.data),
                        _("The role is changed."))
    else:
        flash(_("Choose one of the roles in the list."), "error")
    return redirect(url_for("accounts.manage_members", municipality_slug=municipality.slug))


@bp.route("/m/<slug:municipality_slug>/manage/members/<int:membership_id>/remove",
          methods=["POST"])
@requires(Permission.MANAGE_MEMBERS)
def manage_remove_member(municipality, membership_id):
    membership = _membership_or_404(municipality, membership_id)
    if ConfirmForm().validate_on_submit():
        commit_or_flash(lambda: service.remove_membership(current_user, membership),
                        _("The role is removed."))
    return redirect(url_for("accounts.manage_members", municipality_slug=municipality.slug))


@bp.route("/m/<slug:municipality_slug>/manage/invitations/<int:invitation_id>/revoke",
          methods=["POST"])
@requires(Permission.MANAGE_MEMBERS)
def manage_revoke_invitation(municipality, invitation_id):
    invitation = queries.get_invitation_or_404(municipality, invitation_id)
    if ConfirmForm().validate_on_submit():
        service.revoke_invitation(current_user, invitation)
        db.session.commit()
        flash(_("The invitation is withdrawn."), "success")
    return redirect(url_for("accounts.manage_members", municipality_slug=municipality.slug))
