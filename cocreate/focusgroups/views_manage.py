"""Moderators: schedule, edit, publish, cancel; registrations; roster; transcripts; report."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cocreate.core.forms import ConfirmForm
from cocreate.core.http import commit_or_flash
from cocreate.core.i18n import language_name, localize
from cocreate.core.permissions import Permission, requires
from cocreate.extensions import db
from cocreate.focusgroups import bp, queries, scheduling, screening, service, transcribing
from cocreate.focusgroups.forms import TranscriptForm, WalkInForm, session_form
from cocreate.labs.queries import get_lab_or_404
from cocreate.municipalities.forms import CONTENT_LANGUAGES

LAB = "/<lang:lang_code>/m/<slug:municipality_slug>/manage/labs/<slug:lab_slug>/sessions"
SESSION = LAB + "/<int:session_id>"
MAX_UPLOAD = 2_000_000


def _load(municipality, lab_slug, session_id=None):
    lab = get_lab_or_404(municipality, lab_slug)
    if session_id is None:
        return lab, None
    return lab, queries.get_session_or_404(lab, session_id)


def _back(session, endpoint="focusgroups.manage_session", anchor=""):
    lab = session.lab
    return redirect(url_for(endpoint, municipality_slug=lab.municipality.slug, lab_slug=lab.slug,
                            session_id=session.id) + anchor)


def _values(form) -> dict:
    return dict(
        topic=form.locale_map("topic"), description=form.locale_map("description"),
        accessibility=form.locale_map("accessibility"), starts_at=form.utc(form.starts_at),
        ends_at=form.utc(form.ends_at), registration_deadline=form.utc(form.registration_deadline),
        format=form.format.data, address=form.address.data or "", room=form.room.data or "",
        online_link=form.online_link.data or "", working_language=form.working_language.data,
        interpretation=form.interpretation.data, capacity=int(form.capacity.data),
        requires_approval=form.requires_approval.data, use_quota=form.use_quota.data,
        newcomer_share=int(form.newcomer_share.data or 0),
        long_term_share=int(form.long_term_share.data or 0))


@bp.route(LAB + "/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_SESSIONS)
def manage_new_session(municipality, lab_slug):
    lab, _none = _load(municipality, lab_slug)
    form = session_form(lab)
    if not form.is_submitted():
        form.working_language.data = lab.default_language
        form.capacity.data = "12"
    if form.validate_on_submit():
        session = scheduling.create_session(current_user, lab, **_values(form))
        db.session.commit()
        flash(_("The session is created as a draft."), "success")
        return _back(session)
    return render_template("focusgroups/manage_edit.html", lab=lab, municipality=municipality,
                           session=None, form=form), 400 if form.errors else 200


@bp.route(SESSION, methods=["GET", "POST"])
@requires(Permission.MANAGE_SESSIONS)
def manage_session(municipality, lab_slug, session_id):
    lab, session = _load(municipality, lab_slug, session_id)
    form = session_form(lab)
    zone = ZoneInfo(municipality.timezone)
    if not form.is_submitted():
        for name in ("topic", "description", "accessibility"):
            form.fill_locale_map(name, getattr(session, name))
        for name in ("starts_at", "ends_at", "registration_deadline"):
            value = getattr(session, name)
            getattr(form, name).data = value.astimezone(zone).replace(tzinfo=None) if value else None
        for name in ("format", "address", "room", "online_link", "working_language",
                     "interpretation", "requires_approval"):
            getattr(form, name).data = getattr(session, name)
        form.capacity.data = str(session.capacity)
        minimum = (session.quotas or {}).get("minimum") or {}
        form.use_quota.data = bool(session.quotas)
        form.newcomer_share.data = str(minimum.get(screening.NEWCOMER, "") or "")
        form.long_term_share.data = str(minimum.get(screening.LONG_TERM, "") or "")
    if form.validate_on_submit():
        if commit_or_flash(lambda: scheduling.update_session(current_user, session, **_values(form)),
                           _("The session is saved.")):
            return _back(session)
    return render_template("focusgroups/manage_edit.html", lab=lab, municipality=municipality,
                           session=session, form=form, summary=service.needs_summary(session),
                           pseudonyms=queries.pseudonyms(session),
                           waitlist=service.waitlist(session)), 400 if form.errors else 200


@bp.route(SESSION + "/<any(publish, cancel):action>", methods=["POST"])
@requires(Permission.MANAGE_SESSIONS)
def manage_session_status(municipality, lab_slug, session_id, action):
    _lab, session = _load(municipality, lab_slug, session_id)
    if ConfirmForm().validate_on_submit():
        if action == "publish":
            commit_or_flash(lambda: scheduling.publish(current_user, session),
                            _("The session is published."))
        else:
            commit_or_flash(lambda: scheduling.cancel_session(current_user, session),
                            _("The session is cancelled and everyone registered is told."))
    return _back(session)


@bp.route(SESSION + "/registrations/<int:registration_id>/<any(approve, decline, cancel, present, absent):action>",
          methods=["POST"])
@requires(Permission.MANAGE_SESSIONS)
def manage_registration(municipality, lab_slug, session_id, registration_id, action):
    _lab, session = _load(municipality, lab_slug, session_id)
    registration = queries.get_registration_or_404(session, registration_id)
    actions = {
        "approve": lambda: service.decide(current_user, registration, True),
        "decline": lambda: service.decide(current_user, registration, False),
        "cancel": lambda: service.cancel(registration, actor=current_user),
        "present": lambda: scheduling.set_attendance(current_user, registration, True),
        "absent": lambda: scheduling.set_attendance(current_user, registration, False),
    }
    if ConfirmForm().validate_on_submit():
        commit_or_flash(actions[action], _("The change is saved."))
    if request.form.get("next") == "roster":
        return _back(session, "focusgroups.manage_roster", f"#r{registration.id}")
    return _back(session, anchor="#registrations")


def _walk_in_form(session, **kwargs):
    form = WalkInForm(**kwargs)
    groups = [(o["code"], o["label"].get(session.lab.default_language) or o["code"])
              for q in session.screening for o in q["options"]]
    form.group_code.choices = [("", _("(no group)"))] + groups
    form.language.choices = [(c, language_name(c)) for c in CONTENT_LANGUAGES]
    return form


@bp.route(SESSION + "/roster", methods=["GET", "POST"])
@requires(Permission.MANAGE_SESSIONS)
def manage_roster(municipality, lab_slug, session_id):
    """The phone-friendly list for the day: check in, no-shows, walk-ins."""
    lab, session = _load(municipality, lab_slug, session_id)
    form = _walk_in_form(session)
    if not form.is_submitted():
        form.language.data = session.working_language
    if form.validate_on_submit():
        if commit_or_flash(lambda: scheduling.add_walk_in(
                current_user, session, name=form.guest_name.data, group_code=form.group_code.data,
                language=form.language.data), _("The walk-in is added and checked in.")):
            return _back(session, "focusgroups.manage_roster")
    return render_template("focusgroups/roster.html", lab=lab, municipality=municipality,
                           session=session, form=form, pseudonyms=queries.pseudonyms(session)), \
        400 if form.errors else 200


@bp.route(SESSION + "/sign-in-sheet")
@requires(Permission.MANAGE_SESSIONS)
def manage_sign_in_sheet(municipality, lab_slug, session_id):
    lab, session = _load(municipality, lab_slug, session_id)
    return render_template("focusgroups/sign_in_sheet.html", lab=lab, municipality=municipality,
                           session=session)


@bp.route(SESSION + "/transcripts", methods=["GET", "POST"])
@requires(Permission.MANAGE_SESSIONS)
def manage_transcripts(municipality, lab_slug, session_id):
    lab, session = _load(municipality, lab_slug, session_id)
    form = TranscriptForm()
    form.language.choices = [(c, language_name(c)) for c in CONTENT_LANGUAGES]
    error = None
    if not form.is_submitted():
        form.language.data = session.working_language
    if form.validate_on_submit():
        upload = request.files.get("file")
        if form.source.data == "notes":
            data, filename = (form.notes.data or "").encode("utf-8"), ""
        elif upload is None or not upload.filename:
            data, filename = None, ""
            error = _("Choose a file to upload.")
        else:
            data, filename = upload.read(MAX_UPLOAD + 1), upload.filename
        if data is not None:
            if len(data) > MAX_UPLOAD:
                error = _("The file is larger than %(size)s MB.", size=2)
            else:
                try:
                    transcript = transcribing.add_transcript(
                        current_user, session, source=form.source.data, data=data,
                        filename=filename, language=form.language.data)
                except service.SessionError as exc:
                    db.session.rollback()
                    error = str(exc.message)
                else:
                    db.session.commit()
                    flash(_("The transcript is saved."), "success")
                    return redirect(url_for("focusgroups.manage_transcript",
                                            municipality_slug=municipality.slug,
                                            lab_slug=lab.slug, session_id=session.id,
                                            transcript_id=transcript.id))
    return render_template("focusgroups/transcripts.html", lab=lab, municipality=municipality,
                           session=session, form=form, error=error,
                           transcripts=queries.transcripts_of(session),
                           may_record=transcribing.may_keep_recordings(session)), \
        400 if error or form.errors else 200


@bp.route(SESSION + "/transcripts/<int:transcript_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_SESSIONS)
def manage_transcript(municipality, lab_slug, session_id, transcript_id):
    lab, session = _load(municipality, lab_slug, session_id)
    transcript = queries.get_transcript_or_404(session, transcript_id)
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        if request.form.get("action") == "map":
            registration = request.form.get("registration_id", "")
            commit_or_flash(lambda: transcribing.map_speaker(
                current_user, transcript, request.form.get("label", ""),
                request.form.get("kind", ""), int(registration) if registration.isdigit() else None),
                _("The speaker is set."))
        elif request.form.get("action") == "edit":
            turn = request.form.get("turn_id", "")
            language = request.form.get("language", "")
            if language not in CONTENT_LANGUAGES or not turn.isdigit():
                abort(400)
            commit_or_flash(lambda: transcribing.edit_turn(
                current_user, transcript, int(turn), (request.form.get("text") or "")[:20_000],
                language), _("The turn is saved."))
        else:
            abort(400)
        return redirect(request.path)
    labels = sorted({t.speaker_label for t in transcript.turns})
    return render_template("focusgroups/transcript.html", lab=lab, municipality=municipality,
                           session=session, transcript=transcript, labels=labels,
                           pseudonyms=queries.pseudonyms(session),
                           languages=CONTENT_LANGUAGES)


@bp.route(SESSION + "/report")
@requires(Permission.MANAGE_SESSIONS)
def manage_report(municipality, lab_slug, session_id):
    lab, session = _load(municipality, lab_slug, session_id)
    group_labels = {option["code"]: str(localize(option["label"], default=lab.default_language))
                    for question in session.screening for option in question["options"]}
    return render_template("focusgroups/report.html", lab=lab, municipality=municipality,
                           session=session, report=service.session_report(session),
                           group_labels=group_labels)
