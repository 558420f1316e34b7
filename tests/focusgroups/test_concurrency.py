"""Never over capacity: many people take the last seats at the same moment."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.focusgroups.models import FocusSession, Registration


def test_twenty_people_race_for_three_seats(live_app):
    with live_app.app_context():
        session = db.session.scalars(sa.select(FocusSession).where(
            FocusSession.format == "online")).one()  # 8 places, nobody registered
        session.capacity = 3
        db.session.commit()
        url = (f"/en/m/ninove/labs/samen-leven-ninove/sessions/{session.id}/")
    barrier = threading.Barrier(20)
    results = []

    def register(index):
        client = live_app.test_client()
        token = client.csrf_token()
        barrier.wait()
        response = client.post(url, data={"guest_name": f"P{index}",
                                          "guest_email": f"p{index}@example.org",
                                          "consent_participation": "y", "csrf_token": token})
        results.append(response.status_code)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results.count(302) == 20, results
    with live_app.app_context():
        rows = db.session.execute(sa.select(Registration.status, sa.func.count())
                                  .where(Registration.session_id == session.id)
                                  .group_by(Registration.status)).all()
        assert dict(rows) == {"confirmed": 3, "waitlisted": 17}
