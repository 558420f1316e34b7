"""Qualitative coding for a lab's researchers: the codebook, the sources and their
text units, codings and memos, the per-code view and inter-coder agreement.

Research only: every route needs ``Permission.RESEARCH`` in the lab's
municipality, which only a researcher membership gives (site admins do not hold
it). Each view loads the lab through its municipality, then its objects through
the lab (another lab's id is a 404), then acts through ``research.coding``.
Forms post and redirect back, so every page works without JavaScript.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from cocreate.core.forms import ConfirmForm
from cocreate.core.http import commit_or_flash, safe_next_url
from cocreate.core.i18n import current_language, localize
from cocreate.core.permissions import Permission, requires
from cocreate.extensions import db
from cocreate.labs.queries import get_lab_or_404
from cocreate.research import agreement, bp, coding, units
from cocreate.research import coding_queries as queries
from cocreate.research.coding_forms import (
    AgreementForm,
    CodeForm,
    CodingForm,
    ImportTemplateForm,
    MemoForm,
    SaveTemplateForm,
    as_id,
    code_choices,
)
from cocreate.research.models import UnitKind

LAB = "/m/<slug:municipality_slug>/manage/labs/<slug:lab_slug>/coding"
PAGE_SIZE = 50


def _ids(lab) -> dict:
    return dict(municipality_slug=lab.municipality.slug, lab_slug=lab.slug)


def _to(endpoint, lab, **kwargs):
    return redirect(url_for(f"research.{endpoint}", **_ids(lab), **kwargs))


def _back(lab, anchor: str = ""):
    """Back to the coding page the form was sent from (its ``next`` field), else the overview."""
    base = url_for("research.manage_coding", **_ids(lab))
    target = safe_next_url(request.form.get("next"))
    if not target or "/.." in target or not (target == base or target.startswith((base + "/", base + "?"))):
        target = base
    return redirect(target.split("#", 1)[0] + anchor)


def _page(total: int) -> tuple[int, int]:
    """The requested page (1-based, clamped to what exists) and the number of pages."""
    pages = max(1, -(-total // PAGE_SIZE))
    raw = request.args.get("page", "")
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1
    return min(max(page, 1), pages), pages


def _flash_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(str(error), "error")


def _group_name(labels: dict, lab):
    """Group codes → their label in the page language (the lab's language as fallback)."""

    def name(code: str) -> str:
        if not code:
            return _("Group not known")
        return localize(labels[code], default=lab.default_language).text if code in labels else code

    return name


# -- Overview and codebook -----------------------------------------------------------------------


@bp.route(LAB)
@requires(Permission.RESEARCH)
def manage_coding(municipality, lab_slug):
    lab = get_lab_or_404(municipality, lab_slug)
    return render_template("research/coding.html", lab=lab, municipality=municipality,
                           sources=units.sources(lab), entries=queries.codebook(lab),
                           usage=queries.code_usage(lab), coders=queries.coders(lab),
                           memos=queries.general_memos(lab))


@bp.route(LAB + "/codebook", methods=["GET", "POST"])
@requires(Permission.RESEARCH)
def manage_codebook(municipality, lab_slug):
    lab = get_lab_or_404(municipality, lab_slug)
    entries = queries.codebook(lab)
    form = CodeForm(entries=entries)
    status = 200
    if form.validate_on_submit():
        if commit_or_flash(lambda: coding.create_code(
                current_user, lab, name=form.name.data, description=form.description.data,
                color=form.color.data, parent_id=form.parent_id()), _("The code is added.")):
            return _to("manage_codebook", lab)
        status = 400
    elif form.errors:
        status = 400
    templates = queries.templates_for(municipality)
    return render_template("research/codebook.html", lab=lab, municipality=municipality, form=form,
                           entries=entries, usage=queries.code_usage(lab), templates=templates,
                           import_form=ImportTemplateForm(formdata=None, templates=templates,
                                                          language=current_language()),
                           template_form=SaveTemplateForm(formdata=None)), status


@bp.route(LAB + "/codebook/import", methods=["POST"])
@requires(Permission.RESEARCH)
def manage_codebook_import(municipality, lab_slug):
    lab = get_lab_or_404(municipality, lab_slug)
    form = ImportTemplateForm(templates=queries.templates_for(municipality))
    if not form.validate_on_submit():
        _flash_errors(form)
        return _to("manage_codebook", lab)
    template = queries.get_template_or_none(municipality, as_id(form.template.data))
    if template is None:
        flash(_("Choose one of the templates offered here."), "error")
        return _to("manage_codebook", lab)
    try:
        added = coding.import_template(current_user, lab, template)
    except coding.CodingError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(ngettext("%(num)d code was added from the template.",
                       "%(num)d codes were added from the template.", added) if added
              else _("Every code of this template is already in the codebook."), "success")
    return _to("manage_codebook", lab)


@bp.route(LAB + "/codebook/template", methods=["POST"])
@requires(Permission.RESEARCH)
def manage_codebook_template(municipality, lab_slug):
    lab = get_lab_or_404(municipality, lab_slug)
    form = SaveTemplateForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: coding.save_as_template(current_user, lab, slug=form.slug.data,
                                                        title=form.title.data, language=current_language()),
                        _("The codebook is saved as a template for %(town)s.", town=municipality.name))
    else:
        _flash_errors(form)
    return _to("manage_codebook", lab)


@bp.route(LAB + "/codes/<int:code_id>/edit", methods=["GET", "POST"])
@requires(Permission.RESEARCH)
def manage_code_edit(municipality, lab_slug, code_id):
    lab = get_lab_or_404(municipality, lab_slug)
    code = queries.get_code_or_404(lab, code_id)
    form = CodeForm(entries=queries.codebook(lab), exclude=code.id)
    if not form.is_submitted():
        form.name.data, form.description.data, form.color.data = code.name, code.description, code.color
        form.parent.data = str(code.parent_id or "")
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit() and commit_or_flash(lambda: coding.update_code(
            current_user, lab, code, name=form.name.data, description=form.description.data,
            color=form.color.data, parent_id=form.parent_id()), _("The code is saved.")):
        return _to("manage_codebook", lab)
    return render_template("research/codebook_edit.html", lab=lab, municipality=municipality, code=code,
                           form=form), status


@bp.route(LAB + "/codes/<int:code_id>/delete", methods=["GET", "POST"])
@requires(Permission.RESEARCH)
def manage_code_delete(municipality, lab_slug, code_id):
    lab = get_lab_or_404(municipality, lab_slug)
    code = queries.get_code_or_404(lab, code_id)
    ids = queries.subtree_ids(code)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = code.name
        removed = coding.delete_code(current_user, lab, code)
        db.session.commit()
        flash(ngettext("The code “%(name)s” is deleted, with %(num)d coding.",
                       "The code “%(name)s” is deleted, with %(num)d codings.", removed, name=name),
              "success")
        return _to("manage_codebook", lab)
    return render_template("research/codebook_delete.html", lab=lab, municipality=municipality, code=code,
                           form=form, subcodes=len(ids) - 1, codings=queries.coding_count(ids))


# -- Sources, codings and memos ------------------------------------------------------------------


@bp.route(LAB + "/sources/<source_key>")
@requires(Permission.RESEARCH)
def manage_coding_source(municipality, lab_slug, source_key):
    lab = get_lab_or_404(municipality, lab_slug)
    source = units.get_source(lab, source_key)
    if source is None:
        abort(404)
    page, pages = _page(source.unit_count)
    shown = units.source_units(lab, source, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    refs = [unit.ref for unit in shown]
    entries = queries.codebook(lab)
    return render_template("research/coding_source.html", lab=lab, municipality=municipality,
                           source=source, units=shown, page=page, pages=pages,
                           first=(page - 1) * PAGE_SIZE + 1,
                           codings=queries.codings_on(lab, refs), memos=queries.memos_on(lab, refs),
                           choices=code_choices(entries), group_name=_group_name(units.group_labels(lab), lab))


@bp.route(LAB + "/codings", methods=["POST"])
@requires(Permission.RESEARCH)
def manage_coding_add(municipality, lab_slug):
    lab = get_lab_or_404(municipality, lab_slug)
    form = CodingForm(entries=queries.codebook(lab))
    if form.validate_on_submit():
        commit_or_flash(lambda: coding.add_coding(
            current_user, lab, code_id=as_id(form.code.data), unit_kind=form.unit_kind.data or "",
            unit_id=as_id(form.unit_id.data), start=form.start.data, end=form.end.data,
            memo=form.memo.data), _("The coding is saved."))
    else:
        _flash_errors(form)
    unit_id = as_id(request.form.get("unit_id"))
    kind = request.form.get("unit_kind", "")
    anchor = f"#unit-{kind}-{unit_id}" if unit_id and kind in {k.value for k in UnitKind} else ""
    return _back(lab, anchor)


@bp.route(LAB + "/codings/<int:coding_id>/delete", methods=["POST"])
@requires(Permission.RESEARCH)
def manage_coding_delete(municipality, lab_slug, coding_id):
    lab = get_lab_or_404(municipality, lab_slug)
    found = queries.get_coding_or_404(lab, coding_id)
    anchor = f"#unit-{found.unit_kind}-{found.unit_id}"
    if ConfirmForm().validate_on_submit():
        commit_or_flash(lambda: coding.remove_coding(current_user, lab, found), _("The coding is removed."))
    return _back(lab, anchor)


@bp.route(LAB + "/memos", methods=["POST"])
@requires(Permission.RESEARCH)
def manage_memo_add(municipality, lab_slug):
    lab = get_lab_or_404(municipality, lab_slug)
    form = MemoForm()
    if form.validate_on_submit():
        raw_code, raw_unit = form.code_id.data or "", form.unit_id.data or ""
        commit_or_flash(lambda: coding.add_memo(
            current_user, lab, text=form.text.data,
            code_id=(as_id(raw_code) or raw_code) if raw_code else None,
            unit_kind=form.unit_kind.data or None,
            unit_id=(as_id(raw_unit) or raw_unit) if raw_unit else None), _("The memo is saved."))
    else:
        _flash_errors(form)
    return _back(lab)


@bp.route(LAB + "/memos/<int:memo_id>/delete", methods=["POST"])
@requires(Permission.RESEARCH)
def manage_memo_delete(municipality, lab_slug, memo_id):
    lab = get_lab_or_404(municipality, lab_slug)
    memo = queries.get_memo_or_404(lab, memo_id)
    if ConfirmForm().validate_on_submit():
        commit_or_flash(lambda: coding.delete_memo(current_user, lab, memo), _("The memo is deleted."))
    return _back(lab)


# -- Reading the coding ----------------------------------------------------------------------------


@bp.route(LAB + "/codes/<int:code_id>")
@requires(Permission.RESEARCH)
def manage_code_segments(municipality, lab_slug, code_id):
    """Every segment coded with a code (and, on request, its sub-codes), as pseudonymous
    quotes with counts by group. Research only: counts are not protected for small groups."""
    lab = get_lab_or_404(municipality, lab_slug)
    code = queries.get_code_or_404(lab, code_id)
    with_children = request.args.get("children") == "1"
    ids = queries.subtree_ids(code) if with_children else [code.id]
    found = queries.segments(lab, ids)
    page, pages = _page(len(found))
    return render_template("research/coding_code.html", lab=lab, municipality=municipality, code=code,
                           with_children=with_children, has_children=len(queries.subtree_ids(code)) > 1,
                           segments=found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], total=len(found),
                           page=page, pages=pages, first=(page - 1) * PAGE_SIZE + 1,
                           counts=queries.group_counts(found),
                           sources={s.key: s for s in units.sources(lab)},
                           group_name=_group_name(units.group_labels(lab), lab),
                           memos=queries.code_memos(lab, [code.id]))


@bp.route(LAB + "/agreement")
@requires(Permission.RESEARCH)
def manage_coding_agreement(municipality, lab_slug):
    """Cohen's kappa per code for two coders, over the units both of them coded."""
    lab = get_lab_or_404(municipality, lab_slug)
    form = AgreementForm(formdata=request.args if request.args else None, coders=queries.coders(lab))
    rows, shared = None, 0
    if request.args and form.validate():
        first = queries.coder_units(lab, int(form.a.data))
        second = queries.coder_units(lab, int(form.b.data))
        shared = sum(1 for unit in first if unit in second)
        entries = queries.codebook(lab)
        table = agreement.per_code(first, second, [code.id for code, _depth in entries])
        rows = [(code, depth, table[code.id]) for code, depth in entries]
    return render_template("research/coding_agreement.html", lab=lab, municipality=municipality,
                           form=form, rows=rows, shared=shared,
                           bands=_bands(), reasons=_reasons(), percent=format_percent,
                           decimal=lambda value: format_decimal(value, format="0.00")), \
        400 if form.errors else 200


def _bands() -> dict[str, str]:
    return {"poor": _("Poor: less agreement than chance"), "slight": _("Slight agreement"),
            "fair": _("Fair agreement"), "moderate": _("Moderate agreement"),
            "substantial": _("Substantial agreement"), "almost_perfect": _("Almost perfect agreement")}


def _reasons() -> dict[str, str]:
    return {"no_units": _("The two coders have no coded text in common."),
            "no_variation": _("Both coders made the same choice on every shared text (the code was used "
                              "everywhere or nowhere), so there is nothing to compare with chance.")}
