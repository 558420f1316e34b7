from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cocreate.core.forms import ConfirmForm
from cocreate.core.http import commit_or_flash
from cocreate.core.permissions import Permission, public, requires
from cocreate.extensions import db
from cocreate.labs import bp, sections, service
from cocreate.labs.forms import StatusForm, lab_form, phase_form
from cocreate.labs.models import Phase
from cocreate.labs.permissions import can_view_lab
from cocreate.labs.queries import get_lab_or_404
from cocreate.municipalities.queries import get_municipality_or_404


@bp.route("/m/<slug:municipality_slug>/labs/<slug:lab_slug>/")
@public
def display_lab(municipality_slug, lab_slug):
    municipality = get_municipality_or_404(municipality_slug)
    lab = get_lab_or_404(municipality, lab_slug)
    if not can_view_lab(current_user, lab):
        abort(404)
    return render_template("labs/display.html", municipality=municipality, lab=lab,
                           sections=sections.render_data(lab, current_user, manage=False))


@bp.route("/m/<slug:municipality_slug>/manage/labs/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_LABS)
def manage_new_lab(municipality):
    form = lab_form(municipality, new=True)
    if not form.is_submitted():
        form.default_language.data = municipality.default_language
        form.languages.data = municipality.content_languages
    if form.validate_on_submit():
        try:
            lab = service.create_lab(
                current_user, municipality, slug=form.slug.data,
                title=form.locale_map("title"), description=form.locale_map("description"),
                default_language=form.default_language.data, languages=form.languages.data)
        except service.LabError as exc:
            db.session.rollback()
            form.slug.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The lab is created as a draft."), "success")
            return redirect(url_for("labs.manage_lab", municipality_slug=municipality.slug,
                                    lab_slug=lab.slug))
    return render_template("labs/edit.html", municipality=municipality, lab=None, form=form)


def _edit_form(municipality, lab, **kwargs):
    """The edit form; thresholds missing from a post keep the lab's current values."""
    return lab_form(municipality, new=False, disclosure_k=lab.disclosure_k,
                    disclosure_k_sensitive=lab.disclosure_k_sensitive, **kwargs)


@bp.route("/m/<slug:municipality_slug>/manage/labs/<slug:lab_slug>", methods=["GET", "POST"])
@requires(Permission.MANAGE_LABS)
def manage_lab(municipality, lab_slug):
    lab = get_lab_or_404(municipality, lab_slug)
    form = _edit_form(municipality, lab)
    if not form.is_submitted():
        form.default_language.data = lab.default_language
        form.languages.data = lab.content_languages
        form.fill_locale_map("title", lab.title)
        form.fill_locale_map("description", lab.description)
    if form.validate_on_submit():
        try:
            service.update_lab(current_user, lab, title=form.locale_map("title"),
                               description=form.locale_map("description"),
                               default_language=form.default_language.data,
                               languages=form.languages.data)
            service.set_disclosure(current_user, lab, k=form.disclosure_k.data,
                                   k_sensitive=form.disclosure_k_sensitive.data)
        except service.LabError as exc:
            db.session.rollback()
            form.default_language.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The lab is saved."), "success")
            return redirect(url_for("labs.manage_lab", municipality_slug=municipality.slug,
                                    lab_slug=lab.slug))
    return render_template("labs/edit.html", municipality=municipality, lab=lab, form=form,
                           phase_form=phase_form(lab, formdata=None), status_form=StatusForm(),
                           sections=sections.render_data(lab, current_user, manage=True))


@bp.route("/m/<slug:municipality_slug>/manage/labs/<slug:lab_slug>/status", methods=["POST"])
@requires(Permission.MANAGE_LABS)
def manage_lab_status(municipality, lab_slug):
    lab = get_lab_or_404(municipality, lab_slug)
    form = StatusForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: service.change_status(current_user, lab, form.target.data),
                        _("The status of the lab is changed."))
    else:
        flash(_("This change of status is not possible."), "error")
    return redirect(url_for("labs.manage_lab", municipality_slug=municipality.slug,
                            lab_slug=lab.slug))


@bp.route("/m/<slug:municipality_slug>/manage/labs/<slug:lab_slug>/phases", methods=["POST"])
@requires(Permission.MANAGE_LABS)
def manage_add_phase(municipality, lab_slug):
    lab = get_lab_or_404(municipality, lab_slug)
    form = phase_form(lab)
    if form.validate_on_submit():
        service.add_phase(current_user, lab, title=form.locale_map("title"),
                          starts_on=form.starts_on.data, ends_on=form.ends_on.data)
        db.session.commit()
        flash(_("The phase is added."), "success")
        return redirect(url_for("labs.manage_lab", municipality_slug=municipality.slug,
                                lab_slug=lab.slug))
    edit = _edit_form(municipality, lab, formdata=None)
    edit.default_language.data = lab.default_language
    edit.languages.data = lab.content_languages
    edit.fill_locale_map("title", lab.title)
    edit.fill_locale_map("description", lab.description)
    return render_template("labs/edit.html", municipality=municipality, lab=lab, form=edit,
                           phase_form=form, status_form=StatusForm(),
                           sections=sections.render_data(lab, current_user, manage=True)), 400


@bp.route("/m/<slug:municipality_slug>/manage/labs/<slug:lab_slug>/phases/<int:phase_id>/delete",
          methods=["POST"])
@requires(Permission.MANAGE_LABS)
def manage_delete_phase(municipality, lab_slug, phase_id):
    lab = get_lab_or_404(municipality, lab_slug)
    phase = db.session.get(Phase, phase_id)
    if phase is None or phase.lab_id != lab.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        service.delete_phase(current_user, lab, phase)
        db.session.commit()
        flash(_("The phase is deleted."), "success")
    return redirect(url_for("labs.manage_lab", municipality_slug=municipality.slug,
                            lab_slug=lab.slug))

