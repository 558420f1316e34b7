"""Core: pages that belong to no domain (home, language choice, health, errors)."""

from flask import Blueprint

bp = Blueprint("core", __name__, template_folder="templates")

from cocreate.core import views  # noqa: E402,F401
