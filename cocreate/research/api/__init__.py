"""The read-only JSON API for researchers, authenticated by personal API tokens.

Everything under ``/api/v1`` answers JSON — also errors, also for URLs that
match no route — and never reads the session cookie: a browser that is signed
in gets a 401 like anyone without a token. That is also why the API needs no
CSRF token: it changes nothing and trusts only the ``Authorization`` header.
"""

from flask import Blueprint, current_app

from cocreate.extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from cocreate.research.api import auth, errors, views  # noqa: E402,F401

# Per token (per address without one), read when each request comes in so that a
# changed setting holds at once.
limiter.limit(lambda: current_app.config["RATELIMIT_API"], key_func=auth.rate_limit_key)(bp)
