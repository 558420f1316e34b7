"""Storing transcripts and notes as speaker turns, and editing them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from cocreate.core import audit
from cocreate.extensions import db
from cocreate.focusgroups.models import FocusSession, Transcript, Turn
from cocreate.focusgroups.permissions import may_keep_recordings
from cocreate.focusgroups.service import SessionError
from cocreate.focusgroups.transcripts import TranscriptError, parse_transcript

SPEAKER_KINDS = ("participant", "facilitator", "unknown")


def add_transcript(actor, session: FocusSession, *, source: str, data: bytes, filename: str,
                   language: str) -> Transcript:
    """Split an upload (or typed notes) into turns. Recordings need everyone's consent."""
    if source != "notes" and not may_keep_recordings(session):
        raise SessionError(_l("Not every participant agreed to a recording, so only typed notes can be kept."))
    try:
        parsed = parse_transcript(data, "text" if source == "notes" else source)
    except TranscriptError as exc:
        raise SessionError(exc.message) from exc
    transcript = Transcript(session_id=session.id, source=source, filename=filename[:200],
                            language=language, uploaded_by_id=getattr(actor, "id", None))
    labels = _speaker_guesses(session)
    for position, turn in enumerate(parsed):
        kind, registration_id = labels.get(turn.speaker.casefold(), ("unknown", None))
        transcript.turns.append(Turn(
            position=position, speaker_label=turn.speaker[:80], speaker_kind=kind,
            registration_id=registration_id, start_ms=turn.start_ms, end_ms=turn.end_ms,
            text=turn.text, language=turn.language or language))
    db.session.add(transcript)
    audit.record("session.transcript_added", session, actor=actor,
                 municipality=session.lab.municipality, turns=len(parsed), source=source)
    return transcript


def _speaker_guesses(session: FocusSession) -> dict[str, tuple[str, int | None]]:
    """Labels that match a registered person's name map to them; "moderator" and
    "facilitator" map to the facilitator."""
    guesses = {name: ("facilitator", None) for name in ("moderator", "facilitator", "moderatrice",
                                                        "animateur", "animatrice", "begeleider")}
    for registration in session.registrations:
        if registration.status == "confirmed" and registration.display_name:
            guesses[registration.display_name.casefold()] = ("participant", registration.id)
    return guesses


def map_speaker(actor, transcript: Transcript, label: str, kind: str,
                registration_id: int | None) -> int:
    """Give every turn with this speaker label a speaker; returns how many turns changed."""
    if kind not in SPEAKER_KINDS:
        raise SessionError(_l("Choose participant, facilitator or unknown."))
    session_registrations = {r.id for r in db.session.get(FocusSession, transcript.session_id)
                             .registrations if r.status == "confirmed"}
    if kind == "participant" and registration_id not in session_registrations:
        raise SessionError(_l("Choose one of the participants of this session."))
    changed = 0
    for turn in transcript.turns:
        if turn.speaker_label == label:
            turn.speaker_kind = kind
            turn.registration_id = registration_id if kind == "participant" else None
            changed += 1
    if not changed:
        raise SessionError(_l("There is no speaker with this name in the transcript."))
    return changed


def edit_turn(actor, transcript: Transcript, turn_id: int, text: str, language: str) -> None:
    turn = next((t for t in transcript.turns if t.id == turn_id), None)
    if turn is None:
        raise SessionError(_l("This turn is not part of the transcript."))
    if not text.strip():
        raise SessionError(_l("A turn cannot be empty."))
    turn.text, turn.language = text.strip(), language
