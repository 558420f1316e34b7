"""The read-only JSON API for researchers (personal API tokens)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
