"""Configuration: defaults here, then ``instance/config.py``, then the environment.

Environment variables use the ``COCREATE_`` prefix (``COCREATE_SECRET_KEY``,
``COCREATE_MAIL_SERVER`` …); ``DATABASE_URL`` is read as is because every host
platform sets it that way.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class Defaults:
    # Security ------------------------------------------------------------
    SECRET_KEY: str | None = None
    #: Key for pseudonymous research ids (HMAC). Never stored in the database.
    PSEUDONYM_KEY: str | None = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "cocreate_session"
    REMEMBER_COOKIE_DURATION = 0
    WTF_CSRF_TIME_LIMIT = 3600 * 8
    #: Staff sessions end after this much idle time and after this total age.
    SESSION_IDLE_MINUTES = 30
    SESSION_MAX_HOURS = 12
    PASSWORD_RESET_HOURS = 1
    INVITATION_DAYS = 14

    # Data ----------------------------------------------------------------
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Languages -----------------------------------------------------------
    #: Interface languages, each with a complete catalog in translations/ (see the README's
    #: guide for adding one). The first ones are offered first where a page is not about
    #: one municipality; a municipality's own languages come first on its pages.
    LANGUAGES = ["en", "nl", "fr", "ar", "de", "fa", "ps", "ti", "so", "uk", "ru", "tr", "ro",
                 "pl", "es", "it", "el", "sv"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Mail ----------------------------------------------------------------
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_SENDER = "Cocreate <no-reply@cocreate.local>"
    MAIL_MAX_ATTEMPTS = 5
    MAIL_BATCH_SIZE = 50
    #: A message claimed for sending this long ago (minutes, fractions allowed) belongs to
    #: a sender that stopped while sending it: it is queued again. Longer than one
    #: message's SMTP exchange can take.
    MAIL_CLAIM_MINUTES = 10

    # Rate limits (Flask-Limiter) ----------------------------------------
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute; 50 per hour"
    RATELIMIT_PASSWORD_RESET = "5 per minute; 20 per hour"
    RATELIMIT_REGISTER = "10 per minute; 50 per hour"
    #: Research API calls per token (per address for calls without one).
    RATELIMIT_API = "600 per hour"

    # Surveys -------------------------------------------------------------
    #: Unsubmitted answers are deleted after this many days without change.
    SURVEY_DRAFT_DAYS = 30
    #: Ended sign-in sessions and used or expired password-reset links are deleted after
    #: this many days.
    ACCOUNT_RECORD_DAYS = 30
    RATELIMIT_SURVEY_SUBMIT = "30 per minute; 500 per hour"
    RATELIMIT_COMMENT = "5 per minute; 50 per day"
    #: Groups smaller than this are not shown in public counts.
    SMALL_GROUP_THRESHOLD = 10

    # Research ------------------------------------------------------------
    #: Minutes a research export's download link works (for the person who asked only).
    EXPORT_LINK_MINUTES = 60
    #: Research exports a person may start.
    RATELIMIT_EXPORT = "20 per hour"

    # Focus groups --------------------------------------------------------
    #: Hours before a session when participants are reminded.
    SESSION_REMINDER_HOURS = [48, 3]
    #: A guest's name, address, phone, needs and note are erased this many days after
    #: the session ended (status, group and attendance stay for the counts).
    GUEST_DATA_DAYS = 90

    # Scheduler -----------------------------------------------------------
    SCHEDULER_OUTBOX_SECONDS = 30

    # Modes ---------------------------------------------------------------
    #: Demo mode: demo accounts may be seeded, mail stays in the outbox.
    DEMO = False
    #: Public base URL used in e-mails (links must work outside a request).
    BASE_URL = "http://127.0.0.1:5000"
    #: How many reverse proxies to trust for X-Forwarded-For/-Proto/-Host (rate limits
    #: and secure cookies need the real client address and scheme).
    PROXY_COUNT = 0


def _instance_secret(instance_path: Path, name: str) -> str:
    """Return a random secret kept in the instance folder (demo/dev only)."""
    path = instance_path / name
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


_BOOL = {"1": True, "true": True, "yes": True, "on": True,
         "0": False, "false": False, "no": False, "off": False, "": False}


def load(app, overrides: dict | None = None) -> None:
    """Fill ``app.config`` in the documented order and check what must be set."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("COCREATE")
    for key in ("DEMO", "SESSION_COOKIE_SECURE", "MAIL_USE_TLS", "MAIL_USE_SSL"):
        value = app.config.get(key)
        if isinstance(value, str):
            app.config[key] = _BOOL.get(value.strip().lower(), True)
    if isinstance(app.config.get("SESSION_REMINDER_HOURS"), str):
        app.config["SESSION_REMINDER_HOURS"] = [
            int(h) for h in app.config["SESSION_REMINDER_HOURS"].split(",") if h.strip()]
    if isinstance(app.config.get("LANGUAGES"), str):
        app.config["LANGUAGES"] = [c.strip() for c in app.config["LANGUAGES"].split(",") if c.strip()]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'cocreate.sqlite'}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://") or uri.startswith("postgres://"):
        # psycopg 3 is the driver we ship; accept the common short spelling.
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]

    relaxed = app.config["DEMO"] or app.config.get("TESTING") or app.debug
    for key in ("SECRET_KEY", "PSEUDONYM_KEY"):
        if not app.config.get(key):
            if not relaxed:
                raise RuntimeError(
                    f"COCREATE_{key} must be set in production (see README, Configuration)."
                )
            app.config[key] = _instance_secret(instance, key.lower())
