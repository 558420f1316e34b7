"""Answering a survey: start, one section per page, resume, review, submit, thanks.

Everything works without JavaScript. The person's place is kept on the server
(a draft); the browser only holds the resume code in its session cookie.
"""

from __future__ import annotations

import base64
import io

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cocreate.core.permissions import public
from cocreate.extensions import db, limiter
from cocreate.labs.queries import get_visible_lab_or_404
from cocreate.surveys import answers as rules
from cocreate.surveys import bp, service
from cocreate.surveys.forms import ResumeEmailForm, ResumeForm, StartForm
from cocreate.surveys.instrument import instrument_of
from cocreate.surveys.permissions import (
    can_enter_assisted,
    can_view_survey,
    must_sign_in_to_answer,
)
from cocreate.surveys.queries import get_survey_or_404

BASE = "/m/<slug:municipality_slug>/labs/<slug:lab_slug>/surveys/<slug:survey_slug>"


def load_survey(municipality_slug, lab_slug, survey_slug, *, with_instrument=True):
    """municipality → lab → survey, each visible to this person, else 404."""
    lab = get_visible_lab_or_404(municipality_slug, lab_slug, current_user)
    survey = get_survey_or_404(lab, survey_slug, with_instrument=with_instrument)
    if not can_view_survey(current_user, survey):
        abort(404)
    return survey


def _urls(survey):
    return dict(municipality_slug=survey.lab.municipality.slug, lab_slug=survey.lab.slug,
                survey_slug=survey.slug)


def _codes() -> dict:
    return session.get("surveys") or {}


def _remember(survey_id: int, code: str | None) -> None:
    codes = dict(_codes())
    if code:
        codes[str(survey_id)] = code
    else:
        codes.pop(str(survey_id), None)
    session["surveys"] = codes


def _current_draft(survey):
    code = _codes().get(str(survey.id))
    draft = service.find_draft(survey, code) if code else None
    if draft is None:
        draft = service.find_user_draft(survey, current_user)
        code = None
    return draft, code


def _language():
    from cocreate.core.i18n import current_language

    return current_language()


def _invitation_token(survey) -> str | None:
    """An invitation link's token, kept in the session until the person starts."""
    invitations = dict(session.get("survey_invitations") or {})
    token = request.args.get("invitation")
    if token and service.find_invitation(survey, token) is not None:
        invitations[str(survey.id)] = token
        session["survey_invitations"] = invitations
    token = invitations.get(str(survey.id))
    return token if service.find_invitation(survey, token) is not None else None


@bp.route(BASE + "/", methods=["GET", "POST"])
@public
def display_survey(**slugs):
    survey = load_survey(**slugs)
    draft, code = _current_draft(survey)
    form = StartForm(assisted=can_enter_assisted(current_user, survey))
    invitation = _invitation_token(survey)
    if form.validate_on_submit():
        if must_sign_in_to_answer(current_user, survey, invitation is not None) \
                and not form.assisted_language.data:
            return redirect(url_for("accounts.login", next=request.path))
        try:
            draft, code = service.start_draft(
                survey, language=_language(), user=current_user,
                consent={"participation": form.participation.data,
                         "research": form.research.data, "quotes": form.quotes.data},
                assisted_language=form.assisted_language.data or None,
                invitation_token=invitation)
        except service.SurveyError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            survey_id, urls = survey.id, _urls(survey)  # read before the commit expires them
            db.session.commit()
            _remember(survey_id, code)
            return redirect(url_for("surveys.answer_page", page=0, **urls))
    return render_template("surveys/start.html", survey=survey, form=form, draft=draft,
                           needs_login=must_sign_in_to_answer(current_user, survey,
                                                              invitation is not None),
                           answered=service.has_answered(survey, current_user),
                           needs_invitation=survey.invitation_only and invitation is None)


@bp.route(BASE + "/page/<int:page>", methods=["GET", "POST"])
@public
def answer_page(page, **slugs):
    survey = load_survey(**slugs)
    draft, code = _current_draft(survey)
    if draft is None:
        flash(_("Start the survey first, or continue with your resume code."), "error")
        return redirect(url_for("surveys.display_survey", **_urls(survey)))
    if not survey.is_accepting():
        return render_template("surveys/closed.html", survey=survey), 409
    sections = rules.visible_sections(survey, draft.answers or {})
    if not sections:
        return redirect(url_for("surveys.review", **_urls(survey)))
    if page >= len(sections):
        return redirect(url_for("surveys.answer_page", page=min(draft.page, len(sections) - 1),
                                **_urls(survey)))
    section = sections[page]
    errors, values = {}, {}
    if request.method == "POST":
        action = request.form.get("action", "next")
        moving_on = action == "next"
        result = rules.parse_page(section, request.form, _language(), draft.answers or {},
                                  enforce_required=moving_on)
        errors = result.errors
        target = page + 1 if moving_on and not errors else page - 1 if action == "back" else page
        try:
            service.save_page(survey, draft, page, result, section, next_page=max(target, 0),
                              language=_language())
        except service.SurveyError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(url_for("surveys.display_survey", **_urls(survey)))
        db.session.commit()
        if action.startswith("lang:"):
            language = action.split(":", 1)[1]
            if language in current_app.config["LANGUAGES"]:
                return redirect(url_for("surveys.answer_page", page=page, lang_code=language,
                                        **_urls(survey)))
        if action == "later":
            return redirect(url_for("surveys.later", **_urls(survey)))
        if not errors or action == "back":
            sections = rules.visible_sections(survey, draft.answers or {})
            if action == "back":
                return redirect(url_for("surveys.answer_page", page=max(page - 1, 0),
                                        **_urls(survey)))
            if page + 1 >= len(sections):
                return redirect(url_for("surveys.review", **_urls(survey)))
            return redirect(url_for("surveys.answer_page", page=page + 1, **_urls(survey)))
        values = request.form
    return render_template(
        "surveys/page.html", survey=survey, section=section, page=page, pages=len(sections),
        questions=rules.display_questions(section, draft.answers or {}),
        answers=draft.answers or {}, errors=errors, values=values, code=code,
    ), (400 if errors else 200)


@bp.route(BASE + "/review")
@public
def review(**slugs):
    survey = load_survey(**slugs)
    draft, code = _current_draft(survey)
    if draft is None:
        return redirect(url_for("surveys.display_survey", **_urls(survey)))
    answers = rules.prune_hidden(survey, draft.answers or {})
    missing = rules.check_complete(survey, answers)
    return render_template("surveys/review.html", survey=survey, draft=draft, answers=answers,
                           questions=rules.all_visible_questions(survey, answers),
                           missing=missing, sections=rules.visible_sections(survey, draft.answers or {}))


@bp.route(BASE + "/submit", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SURVEY_SUBMIT"])
@public
def submit(**slugs):
    # The instrument comes from this process's checked copy, not from the database.
    survey = load_survey(**slugs, with_instrument=False)
    # Read before the commit (or rollback) expires the survey: touching it afterwards
    # would reload the whole instrument in a second transaction — on SQLite a second
    # wait for the write lock on the busiest path.
    survey_id, urls = survey.id, _urls(survey)
    draft, _code = _current_draft(survey)
    token = request.form.get("submission_token", "")
    try:
        service.submit(survey, draft, token, instrument=instrument_of(survey))
        db.session.commit()
    except service.SurveyError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        if draft is not None:
            return redirect(url_for("surveys.review", **urls))
        return redirect(url_for("surveys.display_survey", **urls))
    _remember(survey_id, None)
    return redirect(url_for("surveys.thanks", **urls))


@bp.route(BASE + "/thanks")
@public
def thanks(**slugs):
    survey = load_survey(**slugs)
    return render_template("surveys/thanks.html", survey=survey)


@bp.route(BASE + "/resume", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
@public
def resume(**slugs):
    survey = load_survey(**slugs)
    form = ResumeForm()
    if form.validate_on_submit():
        return _resume_with(survey, form.code.data, form)
    return render_template("surveys/resume.html", survey=survey, form=form)


@bp.route(BASE + "/resume/<code>")
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"])
@public
def resume_link(code, **slugs):
    survey = load_survey(**slugs)
    return _resume_with(survey, code, ResumeForm(formdata=None))


def _resume_with(survey, code, form):
    draft = service.find_draft(survey, code)
    if draft is None:
        form.code.errors = [*form.code.errors, _("This code is not known. Check it and try again.")]
        return render_template("surveys/resume.html", survey=survey, form=form), 404
    _remember(survey.id, service.normalise_code(code))
    flash(_("Welcome back. Your answers are restored."), "success")
    return redirect(url_for("surveys.answer_page", page=draft.page, **_urls(survey)))


@bp.route(BASE + "/later", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD_RESET"], methods=["POST"])
@public
def later(**slugs):
    survey = load_survey(**slugs)
    draft, code = _current_draft(survey)
    if draft is None or code is None:
        return redirect(url_for("surveys.display_survey", **_urls(survey)))
    form = ResumeEmailForm()
    if form.validate_on_submit():
        service.email_resume_link(survey, draft, code, form.email.data, _language())
        db.session.commit()
        flash(_("We have sent the link. You can close this page."), "success")
        return redirect(url_for("surveys.later", **_urls(survey)))
    link = current_app.config["BASE_URL"] + url_for("surveys.resume_link", code=code,
                                                    **_urls(survey))
    return render_template("surveys/later.html", survey=survey, code=code, link=link, form=form,
                           page=draft.page)


@bp.route(BASE + "/print")
@public
def paper(**slugs):
    survey = load_survey(**slugs)
    return render_template("surveys/paper.html", survey=survey)


@bp.route(BASE + "/poster")
@public
def poster(**slugs):
    import qrcode
    import qrcode.image.svg

    survey = load_survey(**slugs)
    link = current_app.config["BASE_URL"] + url_for("surveys.display_survey", **_urls(survey))
    image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = io.BytesIO()
    image.save(buffer)
    data_uri = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
    return render_template("surveys/poster.html", survey=survey, link=link, qr=data_uri)
