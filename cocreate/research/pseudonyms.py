"""Pseudonymous participant ids for research exports.

A person's id is a keyed HMAC of the lab and the person, so one person's survey
response, comments and focus-group turns carry the same id within a lab — and a
different id in every other lab. The key comes from configuration
(``COCREATE_PSEUDONYM_KEY``), never from the database: whoever holds a copy of
the database cannot turn ids back into people. Anonymous responses get ids
derived from the response alone, which link to nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app


def _digest(message: str) -> str:
    key = current_app.config["PSEUDONYM_KEY"]
    if not key:
        raise RuntimeError("COCREATE_PSEUDONYM_KEY is not set")
    mac = hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b32encode(mac).decode("ascii")[:12]


def person_id(lab_id: int, *, user_id: int | None = None, email: str | None = None) -> str:
    """The id of a person (account, or a guest by e-mail address) within one lab."""
    if user_id is not None:
        return "P" + _digest(f"lab:{lab_id}:user:{user_id}")
    if email:
        return "P" + _digest(f"lab:{lab_id}:email:{email.strip().lower()}")
    raise ValueError("a person needs a user id or an e-mail address")


def response_id(response_id: int) -> str:
    """The id of an anonymous response: stable across exports, linked to no one."""
    return "R" + _digest(f"response:{response_id}")
