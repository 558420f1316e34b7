"""Canary names, e-mail addresses and phone numbers never reach a research file or a log.

The demo world is seeded, then every person in it gets a canary identity: accounts
(names and addresses), guests and walk-ins of focus groups (names, addresses, phones),
and the speaker labels a moderator typed into transcripts. Then every export of every
kind and format is written, the researcher API is read, pages are opened — and all
bytes (unzipped where the format is a zip) and every log line are searched.
"""

from __future__ import annotations

import io
import logging
import zipfile

import pytest
import sqlalchemy as sa

from cocreate.accounts.models import User
from cocreate.extensions import db
from cocreate.focusgroups.models import Registration, Turn
from cocreate.labs.models import Lab
from cocreate.plans.models import Plan
from cocreate.research.exports.service import FORMATS, export_to_path
from cocreate.surveys.models import Survey
from seeds import run_demo

MARK = "zqxcanary"


def _canaries() -> list[str]:
    """Give everybody a canary identity; returns the strings to look for."""
    for user in db.session.scalars(sa.select(User)):
        user.display_name = f"Zqxcanary Person{user.id}"
        user.email = f"{MARK}.user{user.id}@example.org"
    for registration in db.session.scalars(sa.select(Registration)):
        if registration.user_id is None:
            registration.guest_name = f"Zqxcanary Guest{registration.id}"
            if registration.guest_email or not registration.is_walk_in:
                registration.guest_email = f"{MARK}.guest{registration.id}@example.org"
            registration.guest_phone = f"+32 470 {registration.id:02d} 77 01"
    for turn in db.session.scalars(sa.select(Turn).where(Turn.registration_id.is_not(None))):
        turn.speaker_label = f"Zqxcanary Speaker{turn.registration_id}"
    db.session.flush()
    phones = [p for (p,) in db.session.execute(sa.select(Registration.guest_phone)) if p]
    return [MARK, *phones]


def _bytes_of(path) -> list[bytes]:
    data = path.read_bytes()
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [data, *(archive.read(name) for name in archive.namelist())]
    return [data]


def _found(blobs: list[bytes], needles: list[str]) -> list[str]:
    hits = []
    for blob in blobs:
        for variant in (blob.lower(),):
            for needle in needles:
                for encoded in (needle.lower().encode(), needle.lower().encode("utf-16-le")):
                    if encoded in variant:
                        hits.append(needle)
    return sorted(set(hits))


@pytest.fixture
def canaries(app):
    run_demo(responses=30)
    return _canaries()


def test_no_research_export_holds_a_canary(app, canaries, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    references = {
        "survey": [f"{s.lab.municipality.slug}/{s.lab.slug}/{s.slug}"
                   for s in db.session.scalars(sa.select(Survey))],
        "plan": [f"{p.lab.municipality.slug}/{p.lab.slug}/{p.slug}"
                 for p in db.session.scalars(sa.select(Plan))],
        "lab": [f"{lab.municipality.slug}/{lab.slug}" for lab in db.session.scalars(sa.select(Lab))],
        "template": [str(t_id) for (t_id,) in db.session.execute(
            sa.text("SELECT id FROM survey_template"))],
    }
    written = []
    with app.test_request_context():
        for target_type, refs in references.items():
            for reference in refs:
                for fmt in FORMATS[target_type]:
                    path = tmp_path / f"{target_type}-{len(written)}.{fmt}"
                    export_to_path(target_type, reference, fmt, str(path))
                    written.append(path)
    assert len(written) > 20
    # The speaker labels and guests really are in the data the exports read from.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Turn).where(
        Turn.speaker_label.like("Zqxcanary%"))) > 0
    hits = {str(path.name): _found(_bytes_of(path), canaries) for path in written}
    assert {name: found for name, found in hits.items() if found} == {}
    assert _found([caplog.text.encode()], canaries) == []


def test_the_research_api_holds_no_canary(app, client, canaries, caplog):
    from cocreate.accounts.models import Membership
    from cocreate.research import tokens

    caplog.set_level(logging.DEBUG)
    researcher = db.session.scalar(sa.select(User).join(Membership).where(
        Membership.role == "researcher"))
    _record, token = tokens.create_token(researcher, name="canary", expires_in_days=1)
    db.session.flush()
    headers = {"Authorization": f"Bearer {token}"}
    towns = [m.municipality_id for m in researcher.memberships if m.role == "researcher"]
    paths = ["/api/v1/me", "/api/v1/municipalities"]
    for lab in db.session.scalars(sa.select(Lab).where(Lab.municipality_id.in_(towns))):
        paths += [f"/api/v1/labs/{lab.id}{end}" for end in ("", "/surveys", "/comments",
                                                           "/codes", "/codings")]
        for survey in db.session.scalars(sa.select(Survey).where(Survey.lab_id == lab.id)):
            paths += [f"/api/v1/surveys/{survey.id}{end}" for end in ("", "/responses", "/counts")]
    answers = [client.get(path, headers=headers) for path in paths]
    assert [a.status_code for a in answers] == [200] * len(paths)
    assert len(answers) > 10
    # /me describes the caller, who may see their own name; nobody else's.
    me = answers[0].get_data(as_text=True).lower()
    for own in (researcher.email, researcher.display_name):
        me = me.replace(own.lower(), "")
    assert MARK not in me
    assert {p: _found([a.data], canaries) for p, a in zip(paths[1:], answers[1:], strict=True)
            if _found([a.data], canaries)} == {}
    assert _found([caplog.text.encode()], canaries) == []
