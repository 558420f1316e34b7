"""Exactly-once under real concurrency: parallel POSTs of one submission token.

These tests use their own database (not the rolled-back one) so that every
thread has its own connection, as with several web workers.
"""

from __future__ import annotations

import re
import threading

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.surveys.models import Response


def test_parallel_submissions_of_one_token_store_one_response(live_app):
    base = "/en/m/ninove/labs/samen-leven-ninove/surveys/samenleven-2026"
    client = live_app.test_client()
    client.post_form(base + "/", {"participation": "y"})
    client.post_form(base + "/page/0", {"Q1": "Q1_1"})
    client.post_form(base + "/page/1", {})
    client.post_form(base + "/page/2", {})
    client.post_form(base + "/page/3", {})
    review = client.get(base + "/review").text
    token = re.search(r'name="submission_token" value="([^"]+)"', review).group(1)
    with client.session_transaction() as session:
        cookie_session = dict(session)
    csrf = client._csrf

    statuses = []
    barrier = threading.Barrier(10)

    def post():
        own = live_app.test_client()
        with own.session_transaction() as session:
            session.update(cookie_session)
        barrier.wait()
        response = own.post(base + "/submit", data={"submission_token": token,
                                                    "csrf_token": csrf})
        statuses.append((response.status_code, response.headers.get("Location", "")))

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 10
    assert all(code == 302 and location.endswith("/thanks") for code, location in statuses), \
        statuses
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1
