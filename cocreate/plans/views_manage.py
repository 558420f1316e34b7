"""Officials publish plans and versions and answer; moderators keep discussions civil."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cocreate.core.forms import ConfirmForm
from cocreate.core.http import commit_or_flash
from cocreate.core.permissions import Permission, requires
from cocreate.extensions import db
from cocreate.labs.queries import get_lab_or_404
from cocreate.plans import bp, queries, service
from cocreate.plans.forms import PeriodForm, plan_form, response_form, version_form

LAB = "/m/<slug:municipality_slug>/manage/labs/<slug:lab_slug>/plans"
PLAN = LAB + "/<slug:plan_slug>"


def _load(municipality, lab_slug, plan_slug=None):
    lab = get_lab_or_404(municipality, lab_slug)
    return lab, (queries.get_plan_or_404(lab, plan_slug) if plan_slug else None)


def _back(plan, endpoint="plans.manage_plan"):
    return redirect(url_for(endpoint, municipality_slug=plan.lab.municipality.slug,
                            lab_slug=plan.lab.slug, plan_slug=plan.slug))


@bp.route(LAB + "/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_LABS)
def manage_new_plan(municipality, lab_slug):
    lab, _none = _load(municipality, lab_slug)
    form = plan_form(lab)
    if not form.is_submitted():
        form.official_language.data = lab.default_language
    if form.validate_on_submit():
        try:
            plan = service.create_plan(current_user, lab, slug=form.slug.data,
                                       title=form.locale_map("title"),
                                       official_language=form.official_language.data)
        except service.PlanError as exc:
            db.session.rollback()
            form.slug.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The plan is created. Publish its first version."), "success")
            return _back(plan)
    return render_template("plans/manage_new.html", lab=lab, municipality=municipality,
                           form=form), 400 if form.errors else 200


def _links(raw: str) -> dict[int, list[int]]:
    """"3: 12 15" lines → {2: [12, 15]} (paragraph numbers start at 1 on screen)."""
    links = {}
    for line in (raw or "").splitlines():
        if not line.strip():
            continue
        match = re.fullmatch(r"\s*(\d{1,4})\s*:\s*((?:\d{1,9}[\s,]*)+)", line)
        if not match:
            raise service.PlanError(_("Write each line as a paragraph number, a colon and "
                                      "comment numbers, like 3: 12 15."))
        links[int(match.group(1)) - 1] = [int(n) for n in re.findall(r"\d+", match.group(2))]
    return links


@bp.route(PLAN, methods=["GET", "POST"])
@requires(Permission.MANAGE_LABS)
def manage_plan(municipality, lab_slug, plan_slug):
    lab, plan = _load(municipality, lab_slug, plan_slug)
    zone = municipality.timezone
    period = PeriodForm(prefix="period")
    version = version_form(plan)
    if request.method == "GET":
        local = ZoneInfo(zone)
        period.opens_at.data = plan.comments_open_at.astimezone(local).replace(tzinfo=None) \
            if plan.comments_open_at else None
        period.closes_at.data = plan.comments_close_at.astimezone(local).replace(tzinfo=None) \
            if plan.comments_close_at else None
        period.pre_moderation.data = plan.pre_moderation
        if plan.current:
            version.text.data = "\n\n".join(p.text for p in plan.current.paragraphs)
            for code in version.translation_codes:
                version[f"translation__{code}"].data = "\n\n".join(
                    p.translations.get(code, "") for p in plan.current.paragraphs
                    if p.translations.get(code))
    action = request.form.get("action")
    status = 200
    if action == "period" and period.validate_on_submit():
        if commit_or_flash(lambda: service.set_period(
                current_user, plan, opens_at=period.utc(period.opens_at, zone),
                closes_at=period.utc(period.closes_at, zone),
                pre_moderation=period.pre_moderation.data), _("The comment period is saved.")):
            return _back(plan)
    elif action == "version" and version.validate_on_submit():
        def publish():
            service.publish_version(
                current_user, plan, text=version.text.data,
                translations={code: version[f"translation__{code}"].data or ""
                              for code in version.translation_codes},
                change_note=version.locale_map("change_note"), links=_links(version.links.data))
        if commit_or_flash(publish, _("The new version is published.")):
            return _back(plan)
        status = 400
    elif action in ("period", "version"):
        status = 400
    elif request.method == "POST":
        abort(400)
    return render_template("plans/manage_plan.html", lab=lab, municipality=municipality,
                           plan=plan, period=period, version=version,
                           comments=queries.comments_of(plan)), status


@bp.route(PLAN + "/moderation", methods=["GET", "POST"])
@requires(Permission.MODERATE)
def manage_moderation(municipality, lab_slug, plan_slug):
    lab, plan = _load(municipality, lab_slug, plan_slug)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        raw = request.form.get("comment_id", "")
        comment = queries.get_comment_or_404(plan, int(raw) if raw.isdigit() and len(raw) < 10 else 0)
        action = request.form.get("action", "")
        reason = request.form.get("reason", "")[:300]
        if action == "block":
            if comment.user_id is None:
                abort(400)
            commit_or_flash(lambda: service.block_person(current_user, municipality,
                                                         comment.user_id, reason),
                            _("The person can no longer comment in this municipality."))
        else:
            commit_or_flash(lambda: service.moderate(current_user, comment, action, reason),
                            _("The change is saved."))
        return redirect(request.path)
    flags = queries.open_flags(plan)
    comments = queries.comments_of(plan)
    queue = [c for c in comments if flags.get(c.id) or c.status == "pending"]
    return render_template("plans/moderation.html", lab=lab, municipality=municipality, plan=plan,
                           queue=queue, flags=flags,
                           hidden=[c for c in comments if c.status == "hidden"])


@bp.route(PLAN + "/responses", methods=["GET", "POST"])
@requires(Permission.MANAGE_LABS)
def manage_responses(municipality, lab_slug, plan_slug):
    lab, plan = _load(municipality, lab_slug, plan_slug)
    form = response_form(plan)
    if form.validate_on_submit():
        raw = request.form.get("comment_id", "")
        comment = queries.get_comment_or_404(plan, int(raw)) if raw.isdigit() and len(raw) < 10 \
            else None
        anchor = None if comment else request.form.get("anchor", "")[:16]
        if commit_or_flash(lambda: service.respond(current_user, plan, status=form.status.data,
                                                   explanation=form.locale_map("explanation"),
                                                   comment=comment, anchor=anchor),
                           _("The response is published.")):
            return redirect(request.path)
    responses = {r.comment_id: r for r in queries.responses_of(plan) if r.comment_id}
    return render_template("plans/responses.html", lab=lab, municipality=municipality, plan=plan,
                           form=form, comments=[c for c in queries.comments_of(plan)
                                                if c.status == "published"],
                           responses=responses), 400 if form.errors else 200
