"""Small HTTP helpers: safe redirects, security headers, URL converters."""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.routing import BaseConverter, IntegerConverter

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def commit_or_flash(action, success) -> bool:
    """Run a service call for a button: commit and say ``success``, or roll back and
    show the service's refusal. Returns whether it went through."""
    from flask import flash

    from cocreate.core.errors import DomainError
    from cocreate.extensions import db

    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return False
    db.session.commit()
    flash(str(success), "success")
    return True


def safe_next_url(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target or len(target) > 2000:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def is_web_link(value) -> bool:
    """An absolute http(s) address with a host: the only kind of address people type that
    is ever made a link. Anything else (``javascript:``, ``data:``, a relative path, an
    address with spaces or backslashes, which browsers rewrite) is shown as text only."""
    if not isinstance(value, str) or not value or len(value) > 2000:
        return False
    if any(ord(c) <= 32 or c == "\\" for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


class SlugConverter(BaseConverter):
    """Lower-case letters, digits and inner hyphens: anything else is a 404."""

    regex = r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?"


class IdConverter(IntegerConverter):
    """Integer ids that fit the database's INTEGER: a huge number is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)
