"""Residents: see a session, register (signed in or as a guest), cancel, calendars."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from cocreate.core.forms import ConfirmForm
from cocreate.core.http import commit_or_flash
from cocreate.core.i18n import current_language
from cocreate.core.permissions import public
from cocreate.extensions import db, limiter
from cocreate.focusgroups import bp, queries, screening, service
from cocreate.focusgroups.calendar import session_calendar
from cocreate.focusgroups.forms import RegistrationForm
from cocreate.focusgroups.models import RegistrationStatus
from cocreate.focusgroups.permissions import can_view_session
from cocreate.labs.queries import get_visible_lab_or_404

BASE = "/<lang:lang_code>/m/<slug:municipality_slug>/labs/<slug:lab_slug>/sessions/<int:session_id>"


def load_session(municipality_slug, lab_slug, session_id):
    """municipality → lab → session, each visible to this person, else 404."""
    lab = get_visible_lab_or_404(municipality_slug, lab_slug, current_user)
    session = queries.get_session_or_404(lab, session_id)
    if not can_view_session(current_user, session):
        abort(404)
    return session


def _own_registration(session):
    if not current_user.is_authenticated:
        return None
    return next((r for r in session.registrations if r.user_id == current_user.id
                 and r.status in (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED,
                                  RegistrationStatus.WAITLISTED)), None)


@bp.route(BASE + "/", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"], methods=["POST"])
@public
def display_session(**ids):
    session = load_session(**ids)
    form = RegistrationForm()
    form.setup(session, current_user.is_authenticated)
    questions = screening.questions(session.screening)
    answers, errors = {}, {}
    if form.is_submitted():
        answers, errors = screening.parse(session.screening, request.form, current_language())
    if form.validate_on_submit() and not errors:
        try:
            registration, token = service.register(
                session, user=current_user,
                guest_name=form.guest_name.data if "guest_name" in form else None,
                guest_email=form.guest_email.data if "guest_email" in form else None,
                guest_phone=form.guest_phone.data if "guest_phone" in form else None,
                language=current_language(), screening_answers=answers,
                interpretation_language=form.interpretation_language.data or None,
                needs_childcare=form.needs_childcare.data,
                accessibility_needs=form.accessibility_needs.data or "",
                note=form.note.data or "", consent_audio=form.consent_audio.data,
                consent_quotes=form.consent_quotes.data, consent_research=form.consent_research.data)
        except service.SessionError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            return redirect(url_for("focusgroups.display_registration", token=token))
    status = 400 if form.is_submitted() and (form.errors or errors) else 200
    return render_template(
        "focusgroups/session.html", session=session, form=form, questions=questions,
        screening_errors=errors, values=request.form if form.is_submitted() else MultiDict(),
        own=_own_registration(session), seats_left=service.seats_left(session),
        waiting=len(service.waitlist(session)),
        survey_like=SimpleNamespace(default_language=session.lab.default_language)), status


@bp.route(BASE + "/calendar.ics")
@public
def session_ics(**ids):
    session = load_session(**ids)
    data = session_calendar([session], current_language(), base_url=current_app.config["BASE_URL"],
                            url_for_session=lambda s: service.session_url(s))
    return Response(data, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="session-{session.id}.ics"'})


@bp.route("/<lang:lang_code>/registrations/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
@public
def display_registration(token):
    registration = service.find_by_token(token)
    if registration is None:
        return render_template("accounts/link_expired.html"), 404
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        commit_or_flash(lambda: service.cancel(registration),
                        _("Your registration is cancelled. Thank you for letting us know."))
        return redirect(url_for("focusgroups.display_registration", token=token))
    feed = current_app.config["BASE_URL"] + url_for("focusgroups.calendar_feed", token=token)
    return render_template("focusgroups/registration.html", registration=registration,
                           session=registration.session, feed=feed,
                           position=service.waitlist_position(registration))


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token):
    """A person's own calendar: every session they have a place for (or wait for)."""
    registration = service.find_by_token(token)
    if registration is None:
        abort(404)
    mine = [r for r in queries.registrations_of_person(registration)
            if r.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
                            RegistrationStatus.PENDING)]
    data = session_calendar([r.session for r in mine], registration.language,
                            confirmed_ids={r.session_id for r in mine
                                           if r.status == RegistrationStatus.CONFIRMED},
                            base_url=current_app.config["BASE_URL"],
                            url_for_session=lambda s: service.session_url(s, registration.language))
    return Response(data, mimetype="text/calendar")
