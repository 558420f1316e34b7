"""Survey results: the staff page, publishing, the public page, the research home and
the comparison of towns that used the same survey template.

Who sees what: researchers of the municipality see every count and the free texts;
officials and admins see disclosure-controlled counts; the public page is always
disclosure-controlled, for everyone, and never lists free texts.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cocreate.core.http import commit_or_flash
from cocreate.core.i18n import format_pattern
from cocreate.core.permissions import Permission, public, requires
from cocreate.extensions import db
from cocreate.labs.queries import get_lab_or_404
from cocreate.municipalities.queries import get_municipality_or_404
from cocreate.research import bp, publishing, results
from cocreate.research.forms import ResultsPublishForm
from cocreate.research.permissions import can_publish_results, results_are_public, sees_unsuppressed
from cocreate.research.results_tables import Heading, TableBuilder, build_page, ui_label
from cocreate.surveys.models import QuestionType, SurveyTemplate
from cocreate.surveys.queries import get_survey_or_404

MANAGE = "/m/<slug:municipality_slug>/manage/labs/<slug:lab_slug>/surveys/<slug:survey_slug>/results"
PUBLIC = "/m/<slug:municipality_slug>/labs/<slug:lab_slug>/surveys/<slug:survey_slug>/results"
RESEARCH = "/m/<slug:municipality_slug>/manage/research"


@bp.app_context_processor
def _results_helpers():
    return {"results_are_public": results_are_public}


@bp.app_template_filter("percent")
def _percent(value) -> str:
    """A percentage (0–100) with one decimal, in the page language."""
    return format_pattern(value / 100, "#,##0.0%")


@bp.app_template_filter("statistic")
def _statistic(value) -> str:
    return format_pattern(value, "#,##0.0#")


def _slugs(survey) -> dict:
    return dict(municipality_slug=survey.lab.municipality.slug, lab_slug=survey.lab.slug, survey_slug=survey.slug)


@bp.route(MANAGE)
@requires(Permission.VIEW_RESULTS)
def manage_results(municipality, lab_slug, survey_slug):
    """Results for staff. 404: unknown lab or survey of this municipality."""
    lab = get_lab_or_404(municipality, lab_slug)
    survey = get_survey_or_404(lab, survey_slug)
    page = build_page(survey, request.args, unsuppressed=sees_unsuppressed(current_user, municipality))
    return render_template("research/results.html", municipality=municipality, lab=lab, survey=survey, page=page,
                           slugs=_slugs(survey), can_publish=can_publish_results(current_user, survey),
                           publish_form=ResultsPublishForm(formdata=None), endpoint="research.manage_results")


@bp.route(MANAGE + "/publish", methods=["POST"])
@requires(Permission.MANAGE_LABS)
def manage_publish_results(municipality, lab_slug, survey_slug):
    """Publish or withdraw the protected results. 404: unknown lab or survey; 403: not an
    official or admin of the municipality."""
    lab = get_lab_or_404(municipality, lab_slug)
    survey = get_survey_or_404(lab, survey_slug)
    if not can_publish_results(current_user, survey):
        abort(403)
    form = ResultsPublishForm()
    if form.validate_on_submit():
        publish = form.action.data == "publish"
        commit_or_flash(lambda: publishing.set_results_public(current_user, survey, publish),
                        _("The results are public.") if publish else _("The results are no longer public."))
    else:
        flash(_("This change is not possible. Reload the page and try again."), "error")
    return redirect(url_for("research.manage_results", **_slugs(survey)))


@bp.route(PUBLIC)
@public
def display_results(municipality_slug, lab_slug, survey_slug):
    """Published results, disclosure-controlled for everyone. 404 unless published in a public lab."""
    municipality = get_municipality_or_404(municipality_slug)
    lab = get_lab_or_404(municipality, lab_slug)
    survey = get_survey_or_404(lab, survey_slug)
    if not results_are_public(survey):
        abort(404)
    page = build_page(survey, request.args, unsuppressed=False)
    parts, part = _one_part(page, survey)
    view = {key: value for key, value in request.args.items() if key != "part"}
    part_urls = [url_for("research.display_results", part=number, **_slugs(survey), **view)
                 for number in range(1, len(parts) + 1)]
    return render_template("research/results_public.html", municipality=municipality, lab=lab, survey=survey,
                           page=page, slugs=_slugs(survey), endpoint="research.display_results",
                           parts=parts, part=part, part_urls=part_urls)


def _one_part(page, survey) -> tuple[list, int]:
    """The public page shows one part (a page of the survey) at a time: on a phone with
    prepaid data a whole survey's charts and tables at once is too much. Returns the
    parts that have results and the one asked for (``?part=``, from 1); ``page`` keeps
    only that part's questions. The staff page shows everything at once."""
    with_results = {result.question.section_id for result in page.questions}
    parts = [section for section in survey.sections if section.id in with_results]
    if len(parts) < 2:
        return parts, 1
    part = request.args.get("part", default=1, type=int) or 1
    part = min(max(part, 1), len(parts))
    page.questions = [result for result in page.questions
                      if result.question.section_id == parts[part - 1].id]
    return parts, part


@bp.route(RESEARCH + "/")
@requires(Permission.RESEARCH)
def manage_research_home(municipality):
    """The municipality's surveys with their results, and the templates shared with the
    viewer's other research towns."""
    towns = results.research_municipalities(current_user)
    shared = results.shared_templates([town.id for town in towns])
    templates = {t.id: t for t in db.session.scalars(
        sa.select(SurveyTemplate).where(SurveyTemplate.id.in_([template_id for template_id, _n in shared])))}
    return render_template("research/home.html", municipality=municipality,
                           surveys=results.municipality_surveys(municipality),
                           shared=[(templates[template_id], n) for template_id, n in shared])


@bp.route(RESEARCH + "/compare/<int:template_id>")
@requires(Permission.RESEARCH)
def manage_compare(municipality, template_id):
    """One template's surveys side by side, one column per municipality in which the viewer
    is a researcher. 404: unknown template, or another municipality's own template."""
    towns = results.research_municipalities(current_user)
    ids = [town.id for town in towns]
    template = db.session.get(SurveyTemplate, template_id)
    if template is None or (template.municipality_id is not None and template.municipality_id not in ids):
        abort(404)
    surveys = results.template_surveys(template_id, ids)
    used = {survey.lab.municipality_id for survey in surveys}
    towns = sorted((town for town in towns if town.id in used), key=lambda town: (town.id != municipality.id,
                                                                                 town.name))
    reference = next((s for s in surveys if s.lab.municipality_id == municipality.id), surveys[0] if surveys else None)
    questions = [q for q in results.visible_questions(reference) if q.kind not in (
        QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT, QuestionType.DATE)] if reference else []
    aggregates = results.compare_aggregates(template_id, [town.id for town in towns], [q.code for q in questions])
    builder = TableBuilder(aggregates, [Heading(str(town.id), ui_label(town.name)) for town in towns],
                           reference.default_language if reference else municipality.default_language)
    return render_template("research/results_compare.html", municipality=municipality, template=template,
                           towns=towns, surveys=surveys, questions=[builder.question(q, None) for q in questions])
