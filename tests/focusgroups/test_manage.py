"""Moderators: create, publish, edit, roster, walk-ins, transcripts, report."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.focusgroups import screening
from cocreate.focusgroups.models import FocusSession, Registration, Transcript, Turn
from tests.focusgroups.test_registration import register


@pytest.fixture
def moderator(client, make_municipality, make_user, make_lab):
    town = make_municipality()
    lab = make_lab(town)
    client.login_as(make_user(roles=[(town, "moderator")]))
    return town, lab


def base(town, lab, session=None):
    url = f"/en/m/{town.slug}/manage/labs/{lab.slug}/sessions"
    return f"{url}/{session.id}" if session else url


NEW = {"topic__nl": "Wonen", "topic__ar": "السكن", "starts_at": "2030-03-10T19:00",
       "ends_at": "2030-03-10T21:00", "format": "in_person", "address": "Markt 1, Ninove",
       "working_language": "nl", "interpretation": ["ar"], "capacity": "10",
       "use_quota": "y", "newcomer_share": "40", "long_term_share": "40"}


def test_create_publish_and_see_it_on_the_lab_page(client, moderator):
    town, lab = moderator
    response = client.post_form(base(town, lab) + "/new", NEW)
    assert response.status_code == 302
    session = db.session.scalars(sa.select(FocusSession)).one()
    assert session.starts_at.hour == 18  # 19:00 in Brussels in March is 18:00 UTC
    assert session.quotas["minimum"] == {screening.NEWCOMER: 40, screening.LONG_TERM: 40}
    assert "Wonen" not in client.get(f"/nl/m/{town.slug}/labs/{lab.slug}/").text
    client.post_form(base(town, lab, session) + "/publish")
    db.session.refresh(session)
    assert session.status == "published"
    assert "Wonen" in client.get(f"/nl/m/{town.slug}/labs/{lab.slug}/").text
    page = client.get(f"/ar/m/{town.slug}/labs/{lab.slug}/sessions/{session.id}/").text
    assert "السكن" in page and 'name="FG_GROUP"' in page


@pytest.mark.parametrize("change", [
    {"topic__nl": "", "topic__ar": ""}, {"capacity": "0"}, {"capacity": "abc"},
    {"ends_at": "2030-03-10T18:00"}, {"starts_at": "not a date"}, {"format": "teleport"},
    {"format": "online", "online_link": ""}, {"format": "online", "online_link": "javascript:alert(1)"},
    {"address": ""}, {"newcomer_share": "80", "long_term_share": "40"},
    {"registration_deadline": "2030-03-11T10:00"}, {"working_language": "xx"},
])
def test_bad_session_input_changes_nothing(client, moderator, change):
    town, lab = moderator
    response = client.post_form(base(town, lab) + "/new", {**NEW, **change})
    assert response.status_code == 400 and "error-summary" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FocusSession)) == 0


def test_capacity_cannot_drop_below_confirmed(app, client, moderator, make_session):
    town, lab = moderator
    session = make_session(town, lab=lab, capacity=3)
    for index in range(3):
        register(app, session, f"p{index}@example.org")
    response = client.post_form(base(town, lab, session), {**NEW, "capacity": "2"})
    assert response.status_code in (200, 302)
    db.session.refresh(session)
    assert session.capacity == 3


def test_roster_check_in_no_show_and_walk_in(app, client, moderator, make_session):
    town, lab = moderator
    session = make_session(town, lab=lab, quota=(40, 40))
    one = register(app, session, "one@example.org", screening.NEWCOMER)
    two = register(app, session, "two@example.org", screening.LONG_TERM)
    url = base(town, lab, session)
    client.post_form(f"{url}/registrations/{one.id}/present", {"next": "roster"})
    client.post_form(f"{url}/registrations/{two.id}/absent")
    response = client.post_form(f"{url}/roster", {"guest_name": "Sara", "language": "ar",
                                                  "group_code": screening.NEWCOMER})
    assert response.status_code == 302
    db.session.refresh(one), db.session.refresh(two)
    assert (one.attended, two.attended) == (True, False)
    walk_in = db.session.scalar(sa.select(Registration).filter_by(is_walk_in=True))
    assert walk_in.attended and walk_in.group_code == screening.NEWCOMER and walk_in.email is None
    roster = client.get(f"{url}/roster").text
    assert "Sara" in roster and "one" in roster
    assert client.get(f"{url}/sign-in-sheet").status_code == 200
    report = client.get(f"{url}/report").text
    assert "Less than 10 years" in report and "Did not come" in report
    bad = client.post_form(f"{url}/roster", {"guest_name": "", "language": "zz"})
    assert bad.status_code == 400


TRANSCRIPT = "\n".join([
    "[00:00:05] Moderator: Welkom allemaal.",
    "[00:00:20] one: Ik woon hier al lang.",
    "[00:00:40] Amal: أنا هنا منذ سنتين.",
])


def test_transcript_upload_turns_and_speakers(app, client, moderator, make_session):
    town, lab = moderator
    session = make_session(town, lab=lab)
    one = register(app, session, "one@example.org", consent_audio=True)
    url = base(town, lab, session) + "/transcripts"
    response = client.post(url, data={"csrf_token": client.csrf_token(), "source": "text",
                                      "language": "nl",
                                      "file": (io.BytesIO(TRANSCRIPT.encode()), "gesprek.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    transcript = db.session.scalars(sa.select(Transcript)).one()
    turns = transcript.turns
    assert [t.speaker_label for t in turns] == ["Moderator", "one", "Amal"]
    assert [t.speaker_kind for t in turns] == ["facilitator", "participant", "unknown"]
    assert turns[1].registration_id == one.id and turns[0].start_ms == 5000
    assert turns[2].language == "ar" and turns[0].language == "nl"
    page = client.get(response.headers["Location"]).text
    assert "P1" in page
    client.post_form(response.headers["Location"], {"action": "map", "label": "Amal",
                                                    "kind": "facilitator"})
    db.session.refresh(turns[2])
    assert turns[2].speaker_kind == "facilitator"
    client.post_form(response.headers["Location"], {"action": "edit", "turn_id": str(turns[0].id),
                                                    "text": "Welkom!", "language": "nl"})
    db.session.refresh(turns[0])
    assert turns[0].text == "Welkom!"


def test_without_recording_consent_only_notes_are_kept(app, client, moderator, make_session):
    town, lab = moderator
    session = make_session(town, lab=lab)
    register(app, session, "one@example.org", consent_audio=False)
    url = base(town, lab, session) + "/transcripts"
    response = client.post(url, data={"csrf_token": client.csrf_token(), "source": "vtt",
                                      "language": "nl",
                                      "file": (io.BytesIO(b"WEBVTT\n\n00:00.000 --> 00:01.000\nHoi"), "a.vtt")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "only typed notes" in response.text
    response = client.post_form(url, {"source": "notes", "language": "nl",
                                      "notes": "Moderator: samenvatting\nIedereen wil meer ontmoeten."})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Turn)) == 1


@pytest.mark.parametrize("upload", [
    (b"\xff\xfe\x00bad", "bad.txt", "text"), (b"", "empty.txt", "text"),
    (b"not a vtt file", "x.vtt", "vtt"), (b"1\nbroken --> time\nHi", "x.srt", "srt"),
    (b"x" * 2_000_001, "big.txt", "text"),
])
def test_bad_transcripts_are_refused_and_nothing_is_kept(client, moderator, make_session, upload):
    town, lab = moderator
    session = make_session(town, lab=lab)
    data, name, source = upload
    response = client.post(base(town, lab, session) + "/transcripts",
                           data={"csrf_token": client.csrf_token(), "source": source,
                                 "language": "nl", "file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transcript)) == 0


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.test_bad_input import TEXT  # noqa: E402

FUZZ = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(topic=TEXT, start=TEXT, end=TEXT, capacity=TEXT, link=TEXT, share=TEXT, kind=TEXT)
def test_session_form_never_fails_badly(client, moderator, topic, start, end, capacity, link,
                                        share, kind):
    town, lab = moderator
    before = db.session.scalar(sa.select(sa.func.count()).select_from(FocusSession))
    response = client.post_form(base(town, lab) + "/new", {
        **NEW, "topic__nl": topic, "starts_at": start, "ends_at": end, "capacity": capacity,
        "online_link": link, "newcomer_share": share, "format": kind})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FocusSession)) == before


@FUZZ
@given(name=TEXT, email=TEXT, group=TEXT, interp=TEXT, note=TEXT)
def test_registration_form_never_fails_badly(client, make_municipality, make_session, name,
                                             email, group, interp, note):
    town = make_municipality()
    session = make_session(town, quota=(40, 40))
    response = client.post_form(
        f"/en/m/{town.slug}/labs/{session.lab.slug}/sessions/{session.id}/",
        {"guest_name": name, "guest_email": email, screening.GROUP_QUESTION: group,
         "interpretation_language": interp, "note": note, "consent_participation": "y"})
    assert response.status_code in (302, 400, 429)


@FUZZ
@given(label=TEXT, kind=TEXT, who=TEXT, turn=TEXT, text=TEXT, language=TEXT,
       action=st.sampled_from(["map", "edit", "other", ""]))
def test_transcript_editing_never_fails_badly(app, client, moderator, make_session, label, kind,
                                              who, turn, text, language, action):
    town, lab = moderator
    session = make_session(town, lab=lab)
    transcript = Transcript(session_id=session.id, source="notes", language="nl")
    transcript.turns.append(Turn(position=0, speaker_label="A", text="x", language="nl"))
    db.session.add(transcript)
    db.session.flush()
    response = client.post_form(base(town, lab, session) + f"/transcripts/{transcript.id}", {
        "action": action, "label": label, "kind": kind, "registration_id": who,
        "turn_id": turn, "text": text, "language": language})
    assert response.status_code in (302, 400)
