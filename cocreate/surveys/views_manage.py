"""Building surveys: settings, pages, questions, status, templates, preview."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cocreate.core import audit
from cocreate.core.forms import ConfirmForm
from cocreate.core.http import commit_or_flash
from cocreate.core.i18n import language_name
from cocreate.core.permissions import Permission, requires
from cocreate.extensions import db
from cocreate.labs.queries import get_lab_or_404
from cocreate.surveys import authoring, bp, queries, service
from cocreate.surveys.forms import (
    FromTemplateForm,
    InvitationEmailsForm,
    InvitationLinksForm,
    TemplateForm,
    question_form,
    section_form,
    survey_form,
    type_label,
)
from cocreate.surveys.library import BLOCKS
from cocreate.surveys.models import OptionKind, QuestionType
from cocreate.surveys.service import SurveyError

LAB = "/m/<slug:municipality_slug>/manage/labs/<slug:lab_slug>/surveys"
SURVEY = LAB + "/<slug:survey_slug>"
MAX_OPTIONS = 60


def _load(municipality, lab_slug, survey_slug=None):
    """lab → survey of this municipality (another municipality's is a 404)."""
    lab = get_lab_or_404(municipality, lab_slug)
    if survey_slug is None:
        return lab, None
    return lab, queries.get_survey_or_404(lab, survey_slug)


def _back(survey, anchor=""):
    return redirect(url_for("surveys.manage_survey", municipality_slug=survey.lab.municipality.slug,
                            lab_slug=survey.lab.slug, survey_slug=survey.slug) + anchor)


def _settings_kwargs(form):
    return dict(title=form.locale_map("title"), intro=form.locale_map("intro"),
                thanks=form.locale_map("thanks"), consent_text=form.locale_map("consent_text"),
                mode=form.mode.data, opens_at=form.utc(form.opens_at),
                closes_at=form.utc(form.closes_at), default_language=form.default_language.data,
                languages=form.languages.data, invitation_only=form.invitation_only.data)


@bp.route(LAB + "/new", methods=["GET", "POST"])
@requires(Permission.AUTHOR_SURVEYS)
def manage_new_survey(municipality, lab_slug):
    lab, _survey = _load(municipality, lab_slug)
    form = survey_form(lab, new=True)
    if not form.is_submitted():
        form.default_language.data = lab.default_language
        form.languages.data = lab.content_languages
    if form.validate_on_submit():
        try:
            survey = authoring.create_survey(current_user, lab, slug=form.slug.data,
                                             **_settings_kwargs(form))
            authoring.add_section(current_user, survey, title=form.locale_map("title"))
        except SurveyError as exc:
            db.session.rollback()
            form.slug.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The survey is created as a draft. Add questions next."), "success")
            return _back(survey)
    templates = queries.templates_for(municipality)
    return render_template("surveys/manage_new.html", lab=lab, municipality=municipality,
                           form=form, templates=templates, from_form=_from_template_form(
                               templates, formdata=None))


def _from_template_form(templates, **kwargs):
    form = FromTemplateForm(**kwargs)
    form.template.choices = [(str(t.id), t.title.get("en") or t.slug) for t in templates]
    return form


@bp.route(LAB + "/from-template", methods=["POST"])
@requires(Permission.AUTHOR_SURVEYS)
def manage_from_template(municipality, lab_slug):
    lab, _survey = _load(municipality, lab_slug)
    templates = queries.templates_for(municipality)
    form = _from_template_form(templates)
    if form.validate_on_submit():
        template = queries.get_template_or_404(municipality, int(form.template.data))
        try:
            survey = authoring.create_from_template(current_user, lab, template.definition,
                                                    slug=form.slug.data, template_id=template.id)
        except SurveyError as exc:
            db.session.rollback()
            form.slug.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The survey is created from the template. Adapt the wording if needed."),
                  "success")
            return _back(survey)
    new = survey_form(lab, new=True, formdata=None)
    new.default_language.data = lab.default_language
    return render_template("surveys/manage_new.html", lab=lab, municipality=municipality,
                           form=new, templates=templates, from_form=form), 400


@bp.route(SURVEY, methods=["GET", "POST"])
@requires(Permission.AUTHOR_SURVEYS)
def manage_survey(municipality, lab_slug, survey_slug):
    lab, survey = _load(municipality, lab_slug, survey_slug)
    form = survey_form(lab, new=False)
    zone = ZoneInfo(municipality.timezone)
    if not form.is_submitted():
        for name in ("title", "intro", "thanks", "consent_text"):
            form.fill_locale_map(name, getattr(survey, name))
        form.mode.data = survey.mode
        form.invitation_only.data = survey.invitation_only
        form.default_language.data = survey.default_language
        form.languages.data = survey.content_languages
        form.opens_at.data = survey.opens_at.astimezone(zone).replace(tzinfo=None) \
            if survey.opens_at else None
        form.closes_at.data = survey.closes_at.astimezone(zone).replace(tzinfo=None) \
            if survey.closes_at else None
    if form.validate_on_submit():
        try:
            authoring.update_survey(current_user, survey, **_settings_kwargs(form))
        except SurveyError as exc:
            db.session.rollback()
            form.mode.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The survey is saved."), "success")
            return _back(survey)
    return render_template(
        "surveys/manage_survey.html", lab=lab, municipality=municipality, survey=survey,
        form=form, new_section=section_form(survey, formdata=None),
        responses=queries.response_count(survey), locked=authoring.has_responses(survey),
        blocks=BLOCKS, template_form=TemplateForm(formdata=None), confirm=ConfirmForm(),
        type_label=type_label)


@bp.route(SURVEY + "/status", methods=["POST"])
@requires(Permission.AUTHOR_SURVEYS)
def manage_survey_status(municipality, lab_slug, survey_slug):
    _lab, survey = _load(municipality, lab_slug, survey_slug)
    if ConfirmForm().validate_on_submit():
        commit_or_flash(
            lambda: authoring.change_status(current_user, survey, request.form.get("target", "")),
            _("The status of the survey is changed."))
    return _back(survey)


@bp.route(SURVEY + "/sections", methods=["POST"])
@requires(Permission.AUTHOR_SURVEYS)
def manage_add_section(municipality, lab_slug, survey_slug):
    _lab, survey = _load(municipality, lab_slug, survey_slug)
    form = section_form(survey)
    if form.validate_on_submit() and form.locale_map("title"):
        authoring.add_section(current_user, survey, title=form.locale_map("title"))
        db.session.commit()
        flash(_("The page is added."), "success")
    else:
        flash(_("Enter a page title in at least one language."), "error")
    return _back(survey, "#structure")


@bp.route(SURVEY + "/sections/<int:section_id>", methods=["GET", "POST"])
@requires(Permission.AUTHOR_SURVEYS)
def manage_edit_section(municipality, lab_slug, survey_slug, section_id):
    lab, survey = _load(municipality, lab_slug, survey_slug)
    section = queries.get_section_or_404(survey, section_id)
    form = section_form(survey)
    if not form.is_submitted():
        form.fill_locale_map("title", section.title)
    error = None
    if form.validate_on_submit():
        condition = _condition_from(request.form)
        try:
            authoring.update_section(current_user, section, title=form.locale_map("title"),
                                     condition=condition)
        except SurveyError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            flash(_("The page is saved."), "success")
            return _back(survey, "#structure")
    return render_template("surveys/manage_section.html", lab=lab, municipality=municipality,
                           survey=survey, section=section, form=form, error=error), \
        (400 if error or form.errors else 200)


def _condition_from(formdata):
    code = (formdata.get("condition_question") or "").strip()
    if not code:
        return None
    return {"question": code,
            "options": [c for c in (formdata.get("condition_options") or "").replace(",", " ")
                        .split() if c][:50]}


def _labels(survey, prefix: str) -> list[dict]:
    """Read option rows ``<prefix>-<i>-<lang>`` from the form, keeping row order."""
    rows = []
    for index in range(MAX_OPTIONS):
        label = {}
        for code in survey.content_languages:
            value = (request.form.get(f"{prefix}-{index}-{code}") or "").strip()
            if value:
                label[code] = value[:300]
        rows.append(label)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _question_page(survey, question, form, error=None, status=200):
    lab = survey.lab
    def option_rows(kind):
        existing = [o for o in (question.options if question else []) if o.kind == kind]
        return existing + [None] * 4
    return render_template("surveys/manage_question.html", lab=lab, municipality=lab.municipality,
                           survey=survey, question=question, form=form, error=error,
                           choice_rows=option_rows(OptionKind.CHOICE),
                           matrix_rows=option_rows(OptionKind.ROW),
                           locked=authoring.has_responses(survey)), status


def _save_question(survey, question, form):
    section = queries.get_section_or_404(survey, int(form.section.data))
    settings = {
        "min_choices": form.integer_value(form.min_choices, 1, MAX_OPTIONS),
        "max_choices": form.integer_value(form.max_choices, 1, MAX_OPTIONS),
        "points": int(form.points.data or 5),
        "min": form.number_value(form.number_min), "max": form.number_value(form.number_max),
        "integer": form.integer.data,
        "max_length": form.integer_value(form.max_length, 1, 20000),
        "low_label": form.locale_map("low_label"), "high_label": form.locale_map("high_label"),
    }
    if any(field.errors for field in form):
        raise SurveyError(_("Check the settings of the question."))
    condition = None
    if form.condition_question.data:
        condition = {"question": form.condition_question.data,
                     "options": (form.condition_options.data or "").replace(",", " ").split()}
    return authoring.save_question(
        current_user, survey, question, section=section, code=form.code.data or None,
        type=form.type.data, text=form.locale_map("text"), help=form.locale_map("help"),
        required=form.required.data, settings=settings, options=_labels(survey, "opt"),
        rows=_labels(survey, "row"), has_other=form.has_other.data,
        other_label=form.locale_map("other_label"), has_prefer_not=form.has_prefer_not.data,
        prefer_not_label=form.locale_map("prefer_not_label"), condition=condition,
        dimension=form.dimension.data)


def _submit_question(survey, question, form, success):
    """Save a valid question form, or show it again with the form's or service's errors."""
    if form.validate_on_submit():
        try:
            _save_question(survey, question, form)
        except SurveyError as exc:
            db.session.rollback()
            return _question_page(survey, question, form, exc.message, 400)
        db.session.commit()
        flash(success, "success")
        return _back(survey, "#structure")
    return _question_page(survey, question, form, status=400 if form.errors else 200)


@bp.route(SURVEY + "/questions/new", methods=["GET", "POST"])
@requires(Permission.AUTHOR_SURVEYS)
def manage_new_question(municipality, lab_slug, survey_slug):
    _lab, survey = _load(municipality, lab_slug, survey_slug)
    if not survey.sections:
        abort(404)
    form = question_form(survey)
    if not form.is_submitted():
        form.code.data = authoring.next_code(survey)
        wanted = request.args.get("section", "")
        form.section.data = wanted if wanted in dict(form.section.choices) else \
            form.section.choices[-1][0]
        form.type.data = request.args.get("type") if request.args.get("type") in \
            {k.value for k in QuestionType} else QuestionType.SINGLE.value
    return _submit_question(survey, None, form, _("The question is added."))


@bp.route(SURVEY + "/questions/<int:question_id>", methods=["GET", "POST"])
@requires(Permission.AUTHOR_SURVEYS)
def manage_edit_question(municipality, lab_slug, survey_slug, question_id):
    _lab, survey = _load(municipality, lab_slug, survey_slug)
    question = queries.get_question_or_404(survey, question_id)
    form = question_form(survey, question)
    if not form.is_submitted():
        form.fill_from(question)
    if form.is_submitted():
        form.code.data = question.code  # codes never change
    return _submit_question(survey, question, form, _("The question is saved."))


@bp.route(SURVEY + "/questions/<int:question_id>/<any(up, down, duplicate, hide, show, delete):action>",
          methods=["POST"])
@requires(Permission.AUTHOR_SURVEYS)
def manage_question_action(municipality, lab_slug, survey_slug, question_id, action):
    _lab, survey = _load(municipality, lab_slug, survey_slug)
    question = queries.get_question_or_404(survey, question_id)
    actions = {
        "up": lambda: authoring.move_question(current_user, question, -1),
        "down": lambda: authoring.move_question(current_user, question, 1),
        "duplicate": lambda: authoring.duplicate_question(current_user, question),
        "hide": lambda: authoring.set_hidden(current_user, question, True),
        "show": lambda: authoring.set_hidden(current_user, question, False),
        "delete": lambda: authoring.delete_question(current_user, question),
    }
    if ConfirmForm().validate_on_submit():
        commit_or_flash(actions[action], _("The change is saved."))
    return _back(survey, "#structure")


@bp.route(SURVEY + "/blocks", methods=["POST"])
@requires(Permission.AUTHOR_SURVEYS)
def manage_add_block(municipality, lab_slug, survey_slug):
    _lab, survey = _load(municipality, lab_slug, survey_slug)
    block = BLOCKS.get(request.form.get("block", ""))
    if block is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        commit_or_flash(lambda: authoring.add_sections_from(survey, block["definition"]),
                        _("The block is added."))
    return _back(survey, "#structure")


@bp.route(SURVEY + "/template", methods=["POST"])
@requires(Permission.AUTHOR_SURVEYS)
def manage_save_template(municipality, lab_slug, survey_slug):
    _lab, survey = _load(municipality, lab_slug, survey_slug)
    form = TemplateForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: authoring.save_as_template(current_user, survey,
                                                           slug=form.slug.data,
                                                           title=dict(survey.title)),
                        _("The survey is saved as a template."))
    else:
        flash(_("Use 2 to 64 lower-case letters, digits and hyphens."), "error")
    return _back(survey)


@bp.route(SURVEY + "/preview")
@requires(Permission.AUTHOR_SURVEYS)
def manage_preview(municipality, lab_slug, survey_slug):
    lab, survey = _load(municipality, lab_slug, survey_slug)
    return render_template("surveys/preview.html", lab=lab, municipality=municipality,
                           survey=survey)


@bp.route(SURVEY + "/invitations", methods=["GET", "POST"])
@requires(Permission.AUTHOR_SURVEYS)
def manage_invitations(municipality, lab_slug, survey_slug):
    """One-time invitation links: made here and shown once, or mailed to a list."""
    lab, survey = _load(municipality, lab_slug, survey_slug)
    links_form = InvitationLinksForm(prefix="links")
    mail_form = InvitationEmailsForm(prefix="mail")
    mail_form.language.choices = [(c, language_name(c)) for c in survey.content_languages
                                  if c in current_app.config["LANGUAGES"]]
    tokens = []
    status = 200
    if request.method == "POST" and request.form.get("action") == "links":
        count = links_form.number() if links_form.validate() else None
        if count:
            tokens = service.create_invitations(survey, count)
            audit.record("survey.invitations_created", survey, actor=current_user,
                         municipality=municipality, count=count)
            db.session.commit()
        else:
            status = 400
    elif request.method == "POST" and request.form.get("action") == "mail":
        addresses = mail_form.valid_addresses() if mail_form.validate() else None
        if addresses:
            sent = service.send_invitations(survey, addresses, mail_form.language.data)
            audit.record("survey.invitations_sent", survey, actor=current_user,
                         municipality=municipality, count=sent)
            db.session.commit()
            flash(_("The invitations are sent."), "success")
            return redirect(request.path)
        status = 400
    elif request.method == "POST":
        abort(400)
    links = [current_app.config["BASE_URL"] + url_for(
        "surveys.display_survey", municipality_slug=municipality.slug, lab_slug=lab.slug,
        survey_slug=survey.slug, invitation=token) for token in tokens]
    return render_template("surveys/manage_invitations.html", lab=lab, municipality=municipality,
                           survey=survey, links_form=links_form, mail_form=mail_form,
                           links=links, counts=queries.invitation_counts(survey)), status
