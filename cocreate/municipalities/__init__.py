"""Municipalities (tenants): public page, staff area, settings."""

from flask import Blueprint

bp = Blueprint("municipalities", __name__, url_prefix="/<lang:lang_code>",
               template_folder="templates")

from cocreate.municipalities import views  # noqa: E402,F401
