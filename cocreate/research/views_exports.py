"""Researchers export data: the exports page, asking for an export, the expiring download.

Research only (``Permission.RESEARCH``, which only a researcher membership
gives). Asking for an export records it and redirects to its link; the link
streams the file to the same person, in the same municipality, until it expires.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, stream_with_context, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response

from cocreate.core.base import utcnow
from cocreate.core.errors import DomainError, render_error
from cocreate.core.permissions import Permission, requires
from cocreate.extensions import db, limiter
from cocreate.research import bp
from cocreate.research.exports import queries, service, targets
from cocreate.research.exports.forms import ExportForm, format_choices
from cocreate.research.exports.targets import ExportError

BASE = "/m/<slug:municipality_slug>/manage/research/exports"


def _per_person() -> str:
    """Exports are limited per person (several researchers may share an office address)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def _page(municipality, form, *, error=None, status: int = 200):
    research_ids = queries.research_municipality_ids(current_user)
    return render_template(
        "research/exports.html", municipality=municipality, form=form, error=error,
        surveys=queries.town_surveys(municipality),
        templates=queries.town_templates(municipality, research_ids),
        plans=queries.town_plans(municipality), labs=queries.town_labs(municipality),
        exports=queries.recent_exports(current_user, municipality), now=utcnow(),
        formats={kind: format_choices(kind, service.formats_for(kind)) for kind in service.FORMATS},
    ), status


@bp.route(BASE)
@requires(Permission.RESEARCH)
def manage_exports(municipality):
    return _page(municipality, ExportForm(formdata=None))


@bp.route(BASE, methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_EXPORT"], key_func=_per_person)
@requires(Permission.RESEARCH)
def manage_create_export(municipality):
    form = ExportForm()
    if not form.validate_on_submit():
        return _page(municipality, form, status=400)
    target_type, object_id = form.target_reference()
    try:
        target = targets.in_municipality(municipality, target_type, object_id)
        _export, token = service.create_export(
            current_user, municipality, target, form.format.data,
            research_municipality_ids=queries.research_municipality_ids(current_user))
    except ExportError as exc:
        db.session.rollback()
        return _page(municipality, form, error=exc.message, status=400)
    db.session.commit()
    return redirect(url_for("research.export_download", municipality_slug=municipality.slug, token=token))


@bp.route(BASE + "/<token>")
@requires(Permission.RESEARCH)
def export_download(municipality, token):
    """404 for an unknown or expired token and for someone else's link."""
    export = service.find_download(current_user, municipality, token)
    if export is None:
        abort(404)
    towns = None
    if export.kind == "pooled":
        # Only towns where the person still does research, of those asked for.
        towns = set(export.filters.get("municipalities") or ()) & queries.research_municipality_ids(current_user)
    try:
        output = service.produce(export, municipality_ids=towns)
    except DomainError as exc:  # the target is gone, or a writer refused
        db.session.rollback()
        return render_error(404, exc.message)
    actor, export_id = current_user._get_current_object(), export.id

    def body():
        # Runs while the response is sent, after the request's session has closed:
        # the rows are read and the completion recorded in the stream's own session.
        yield from output.chunks
        service.record_download(actor, export_id, output.tally)
        db.session.commit()

    response = Response(stream_with_context(body()), content_type=output.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{output.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
