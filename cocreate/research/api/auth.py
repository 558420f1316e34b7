"""Who is calling the API, and what their token reaches.

Every API view but the OpenAPI document is wrapped in :func:`research_api`: no
valid bearer token is a 401. The token does not carry rights of its own; each
object is loaded through its municipality and checked against the owner's
research permission *there*, so another town's lab or survey is a 404 — the same
answer as for an id that does not exist.
"""

from __future__ import annotations

import functools

from flask import abort, g, request
from flask_limiter.util import get_remote_address

from cocreate.accounts.models import token_hash
from cocreate.core.permissions import Permission
from cocreate.extensions import db
from cocreate.labs.models import Lab
from cocreate.municipalities.queries import get_municipality_or_404
from cocreate.research import tokens
from cocreate.research.permissions import can_export
from cocreate.surveys.models import Survey


def research_api(view):
    """Declare and enforce the API's permission: a valid personal token, whose owner's
    research permission is then checked per municipality by the loaders below."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = tokens.authenticate(request.headers.get("Authorization"))
        if token is None:
            abort(401)
        g.api_token = token
        return view(*args, **kwargs)

    wrapper.__permission__ = Permission.RESEARCH
    return wrapper


def current_token():
    """The token this request came with (set by :func:`research_api`)."""
    return g.api_token


def caller():
    """The owner of the token of this request."""
    return g.api_token.user


def rate_limit_key() -> str:
    """Requests are counted per token (by its hash), and per address without one."""
    secret = tokens.bearer_secret(request.headers.get("Authorization"))
    if secret is None:
        return "api-address:" + (get_remote_address() or "")
    return "api-token:" + token_hash(secret)


# -- Loading through the municipality -------------------------------------------------


def municipality_or_404(slug: str):
    """A municipality where the caller is a researcher; any other is a 404."""
    municipality = get_municipality_or_404(slug)
    if not can_export(caller(), municipality):
        abort(404)
    return municipality


def lab_or_404(lab_id: int) -> Lab:
    """A lab of a municipality where the caller is a researcher; any other is a 404."""
    lab = db.session.get(Lab, lab_id)
    if lab is None or not can_export(caller(), lab.municipality):
        abort(404)
    return lab


def survey_or_404(survey_id: int) -> Survey:
    """A survey in a lab of a municipality where the caller is a researcher; else 404."""
    survey = db.session.get(Survey, survey_id)
    if survey is None or not can_export(caller(), survey.lab.municipality):
        abort(404)
    return survey
