from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, url_for

from cocreate.core.i18n import negotiate_language
from cocreate.core.models import OutboxMessage
from cocreate.core.permissions import Permission, public, requires
from cocreate.extensions import db
from cocreate.municipalities.queries import all_municipalities

bp = Blueprint("core", __name__, template_folder="templates")


@bp.route("/")
@public
def root():
    """Send the visitor to the home page in their language."""
    return redirect(url_for("core.home", lang_code=negotiate_language()))


@bp.route("/<lang:lang_code>/")
@public
def home():
    return render_template("core/home.html", municipalities=all_municipalities())


@bp.route("/healthz")
@public
def health():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.route("/<lang:lang_code>/admin/outbox")
@requires(Permission.SITE_ADMIN)
def admin_outbox():
    messages = db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)
    ).all()
    return render_template("core/outbox.html", messages=messages, municipality=None)
