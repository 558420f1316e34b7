"""Calendar files (RFC 5545) for sessions, made with the icalendar library."""

from __future__ import annotations

from icalendar import Calendar, Event

from cocreate.core.i18n import localize

PRODID = "-//Cocreate//Community-policy labs//EN"


def _event(session, language: str, *, confirmed: bool, base_url: str, url: str) -> Event:
    event = Event()
    event.add("uid", f"focus-session-{session.id}@cocreate")
    event.add("sequence", session.sequence)
    event.add("dtstamp", session.updated_at)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", str(localize(session.topic, language, session.lab.default_language)))
    if session.is_online:
        event.add("location", "Online")
    else:
        event.add("location", ", ".join(p for p in (session.room, session.address) if p))
    details = [str(localize(session.description, language, session.lab.default_language))]
    if session.is_online and confirmed and session.online_link:
        details.append(session.online_link)
    details.append(base_url + url)
    event.add("description", "\n\n".join(d for d in details if d))
    event.add("url", base_url + url)
    event.add("status", "CANCELLED" if session.status == "cancelled" else "CONFIRMED")
    return event


def session_calendar(sessions, language: str, *, confirmed_ids=frozenset(), base_url: str,
                     url_for_session) -> bytes:
    """One calendar with an event per session; METHOD:CANCEL when all are cancelled."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    sessions = list(sessions)
    cancelled = sessions and all(s.status == "cancelled" for s in sessions)
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    for session in sessions:
        calendar.add_component(_event(session, language, confirmed=session.id in confirmed_ids,
                                      base_url=base_url, url=url_for_session(session)))
    return calendar.to_ical()
