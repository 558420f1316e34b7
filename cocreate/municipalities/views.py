from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cocreate.core.models import OutboxMessage
from cocreate.core.permissions import Permission, public, requires
from cocreate.extensions import db
from cocreate.labs import queries as lab_queries
from cocreate.municipalities import bp, service
from cocreate.municipalities.forms import MunicipalitySettingsForm, NewMunicipalityForm
from cocreate.municipalities.queries import all_municipalities, get_municipality_or_404


@bp.route("/m/<slug:municipality_slug>/")
@public
def display_municipality(municipality_slug):
    municipality = get_municipality_or_404(municipality_slug)
    labs = lab_queries.public_labs(municipality)
    return render_template("municipalities/display.html", municipality=municipality, labs=labs)


@bp.route("/m/<slug:municipality_slug>/manage/")
@requires(Permission.VIEW_STAFF_AREA)
def manage_home(municipality):
    labs = lab_queries.all_labs(municipality)
    return render_template("municipalities/manage_home.html", municipality=municipality, labs=labs)


@bp.route("/m/<slug:municipality_slug>/manage/settings", methods=["GET", "POST"])
@requires(Permission.MANAGE_MUNICIPALITY)
def manage_settings(municipality):
    form = MunicipalitySettingsForm(obj=municipality)
    if form.validate_on_submit():
        service.update_settings(current_user, municipality, name=form.name.data,
                                country=form.country.data, timezone=form.timezone.data,
                                default_language=form.default_language.data,
                                languages=form.languages.data)
        db.session.commit()
        flash(_("The settings are saved."), "success")
        return redirect(url_for("municipalities.manage_settings",
                                municipality_slug=municipality.slug))
    return render_template("municipalities/settings.html", municipality=municipality, form=form)


@bp.route("/m/<slug:municipality_slug>/manage/outbox")
@requires(Permission.READ_OUTBOX)
def manage_outbox(municipality):
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.municipality_id == municipality.id)
        .order_by(OutboxMessage.id.desc()).limit(200)
    ).all()
    return render_template("core/outbox.html", messages=messages, municipality=municipality)


@bp.route("/admin/municipalities", methods=["GET", "POST"])
@requires(Permission.SITE_ADMIN)
def admin_municipalities():
    form = NewMunicipalityForm()
    if form.validate_on_submit():
        try:
            municipality = service.create_municipality(
                current_user, slug=form.slug.data, name=form.name.data,
                country=form.country.data, timezone=form.timezone.data,
                default_language=form.default_language.data, languages=form.languages.data)
        except service.MunicipalityError as exc:
            form.slug.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The municipality is created."), "success")
            return redirect(url_for("municipalities.manage_home",
                                    municipality_slug=municipality.slug))
    return render_template("municipalities/admin_list.html", form=form,
                           municipalities=all_municipalities())
