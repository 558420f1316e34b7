"""JSON errors for the API: ``{"error": {"code": …, "message": …}}``, never an HTML page.

The blueprint's handlers cover what its views raise. A request that matches no
route (an unknown path, a method other than GET, an id that is not a number)
never reaches a view, so a hook that runs for every request answers those
under ``/api/v1`` before the application's HTML error pages would.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from cocreate.extensions import db
from cocreate.research.api import bp

log = logging.getLogger("cocreate.research.api")

#: Machine-readable codes and the message for each status.
ERRORS = {
    400: ("bad_request", _l("The request is not valid.")),
    401: ("unauthorized", _l("Send a valid API token in the Authorization header: Bearer and the token.")),
    403: ("forbidden", _l("Your token does not give access to this.")),
    404: ("not_found", _l("There is nothing here, or your token does not give access to it.")),
    405: ("method_not_allowed", _l("The API only reads data: use GET.")),
    429: ("rate_limited", _l("Too many requests with this token. Wait a while and try again.")),
    500: ("server_error", _l("Something went wrong on our side. Please try again in a moment.")),
    503: ("unavailable", _l("The service is busy or under maintenance. Please try again in a moment.")),
}


class ApiError(HTTPException):
    """An API refusal with its own message (e.g. which parameter is wrong)."""

    def __init__(self, status: int, message, headers: dict | None = None):
        super().__init__()
        self.code = status
        self.message = message
        self.extra_headers = headers


def error_response(status: int, message=None, headers: dict | None = None):
    code, default = ERRORS.get(status, ERRORS[500] if status >= 500 else ERRORS[400])
    response = jsonify(error={"code": code, "message": str(message or default)})
    response.status_code = status
    if status == 401:
        # RFC 6750: say which scheme, and that the presented token did not work.
        response.headers["WWW-Authenticate"] = (
            'Bearer realm="cocreate", error="invalid_token"'
            if request.headers.get("Authorization") else 'Bearer realm="cocreate"')
    response.headers.update(headers or {})
    return response


def is_api_path(path: str) -> bool:
    return path == bp.url_prefix or path.startswith(bp.url_prefix + "/")


@bp.before_app_request
def _api_request():
    """For every API path: choose the message language without the session, and answer
    requests that matched no route in JSON."""
    if not is_api_path(request.path):
        return None
    # Messages follow Accept-Language; the session (and its saved language) is never read.
    g.lang = (request.accept_languages.best_match(current_app.config["LANGUAGES"])
              or current_app.config["BABEL_DEFAULT_LOCALE"])
    exc = request.routing_exception
    if exc is None or getattr(exc, "code", 500) < 400:
        return None
    if exc.code == 405:
        return error_response(405, headers={"Allow": "GET, HEAD"})
    if exc.code == 404 and _malformed_id():
        return error_response(400, _("Ids in the address are whole numbers from 0 to %(max)s.",
                                     max=2**31 - 1))
    return error_response(exc.code)


def _malformed_id() -> bool:
    """Would the path match an API route if its ids could be any text? Then an id is
    malformed (``/labs/abc``, ``/labs/-1``), which is a bad request rather than a miss."""
    relaxed = Map([Rule(rule.rule.replace("<int:", "<"), endpoint=rule.endpoint)
                   for rule in current_app.url_map.iter_rules()
                   if rule.endpoint.startswith(bp.name + ".") and "<int:" in rule.rule])
    try:
        relaxed.bind("localhost").match(request.path, method="GET")
    except HTTPException:
        return False
    return True


@bp.errorhandler(HTTPException)
def _http_error(exc):
    if isinstance(exc, ApiError):
        return error_response(exc.code, exc.message, exc.extra_headers)
    if exc.code is None or exc.code < 400:
        return exc
    headers = {"Allow": "GET, HEAD"} if exc.code == 405 else None
    return error_response(exc.code, headers=headers)


@bp.errorhandler(sa.exc.OperationalError)
@bp.errorhandler(sa.exc.InterfaceError)
def _database_unavailable(exc):
    db.session.rollback()
    log.warning("database unavailable on %s: %s", request.path, exc.__class__.__name__)
    return error_response(503, headers={"Retry-After": "5"})


@bp.errorhandler(Exception)
def _unexpected(exc):
    db.session.rollback()
    log.exception("unhandled error on %s", request.path)
    return error_response(500)
