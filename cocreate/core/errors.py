"""Translated error pages. A database outage is a clear 503, never a bare 500."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from cocreate.extensions import db, login_manager

log = logging.getLogger("cocreate.errors")


class DomainError(Exception):
    """A service's refusal, with a message that is safe to show (a lazy translated string).

    Every domain's error derives from this, so views handle refusals one way.
    """

    def __init__(self, message):
        super().__init__(message)
        self.message = message

MESSAGES = {
    400: (_l("Something in the request was not right"),
          _l("Go back, check what you entered and try again.")),
    403: (_l("You cannot open this page"),
          _l("Your account does not have access to this page. "
             "If you think it should, ask the administrator of your municipality.")),
    404: (_l("Page not found"),
          _l("The page does not exist, or it is not public. Check the address, or start again from the home page.")),
    405: (_l("This action is not possible here"), _l("Go back and use the buttons on the page.")),
    410: (_l("This link no longer works"), _l("The link has expired or was already used.")),
    413: (_l("The upload is too large"), _l("Choose a smaller file and try again.")),
    429: (_l("Too many attempts"),
          _l("Please wait a few minutes before you try again.")),
    500: (_l("Something went wrong on our side"),
          _l("Nothing you did caused this. Please try again in a moment.")),
    503: (_l("The service is busy or under maintenance"),
          _l("Nothing was lost. Please try again in a moment.")),
}


def render_error(code: int, detail=None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code


def _unavailable_page() -> str:
    """The 503 page, also when the database is really gone.

    The rollback expired what the request had loaded — the municipality whose
    languages the language menu offers first, the signed-in person of the account
    menu — and the page reads them again. Without a database that fails inside this
    handler, and the person got a bare 500. Then the page is shown as to a visitor
    (for this answer only: the sign-in is kept).
    """
    try:
        return render_error(503)[0]
    except (sa.exc.OperationalError, sa.exc.InterfaceError):
        db.session.rollback()
    g.pop("municipality", None)
    login_manager._update_request_context_with_user()  # anonymous
    return render_error(503)[0]


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, _l("The form had expired or was sent from another page. "
                                    "Please go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code in (301, 302, 303, 307, 308):
            return exc
        if exc.code == 405 or exc.code in MESSAGES:
            response = render_error(exc.code)
            if exc.code == 429:
                return response[0], 429, {"Retry-After": "60"}
            return response
        return exc

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    def database_unavailable(exc):
        db.session.rollback()
        log.warning("database unavailable on %s: %s", request.path, exc.__class__.__name__)
        return _unavailable_page(), 503, {"Retry-After": "5"}

    @app.errorhandler(Exception)
    def unexpected(exc):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        db.session.rollback()
        log.exception("unhandled error on %s", request.path)
        return render_error(500)
