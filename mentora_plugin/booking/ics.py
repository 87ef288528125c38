"""
Booking's iCalendar (RFC 5545) output, built with the ``icalendar`` library: the invitation attached to an email
(one session, ``METHOD:REQUEST`` or ``METHOD:CANCEL``, RFC 5546) and a user's subscribable feed (many sessions).

Every event of a session carries the same ``UID`` (``<session.uid>@mentora``) in every email and in every feed, and
the session's ``SEQUENCE``, which booking bumps on each change: calendar apps replace the event they hold when a
newer sequence arrives, and remove it on a ``CANCEL``. Times are written in UTC (``...Z``); the apps show them in
their own zone, so no ``VTIMEZONE`` is needed.

This module only formats: callers decide who the organizer and attendees are and pass the translated texts.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vDuration

__all__ = [
    "CANCEL",
    "CANCELLED",
    "CONFIRMED",
    "PRODID",
    "REQUEST",
    "TENTATIVE",
    "Attendee",
    "Person",
    "build_calendar",
    "build_event",
    "location_of",
    "session_uid",
    "url_of",
]

#: Who wrote the calendar (RFC 5545 section 3.7.3).
PRODID = "-//Mentora//Mentora booking//EN"

#: iCalendar methods (RFC 5546): an invitation or its update, and its withdrawal.
REQUEST = "REQUEST"
CANCEL = "CANCEL"

#: Event statuses (RFC 5545 section 3.8.1.11).
CONFIRMED = "CONFIRMED"
TENTATIVE = "TENTATIVE"
CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class Person:
    """Someone named in an event: an organizer or an attendee."""

    name: str
    email: str


@dataclass(frozen=True)
class Attendee(Person):
    """An attendee and their participation status (``ACCEPTED``, ``NEEDS-ACTION``, ``DECLINED``)."""

    partstat: str = "ACCEPTED"


def session_uid(session: Any) -> str:
    """The stable iCalendar UID of a session, the same in every email and feed for the session's whole life."""
    return f"{session.uid}@mentora"


def url_of(session: Any) -> str:
    """The session type's link when its location is a web address, else the empty string."""
    detail = (session.session_type.location_detail or "").strip()
    return detail if detail.lower().startswith(("https://", "http://")) else ""


def location_of(session: Any) -> str:
    """Where the session happens: the session type's address or link, else the kind of location (translated)."""
    session_type = session.session_type
    return (session_type.location_detail or "").strip() or str(session_type.get_location_display())


def _address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["CN"] = person.name
    for name, value in params.items():
        address.params[name] = value
    return address


def build_event(
    session: Any,
    *,
    summary: str,
    organizer: Person,
    attendees: Sequence[Attendee] = (),
    status: str = CONFIRMED,
    description: str = "",
    stamp: datetime | None = None,
) -> Event:
    """
    The ``VEVENT`` of ``session``: UID, SEQUENCE, start and end in UTC, location, link, organizer and attendees.

    Args:
        session: a booking ``Session`` with its ``session_type`` (for the location and the link).
        summary, description: the event's title and text, already in the reader's language.
        organizer: the trainer. attendees: the learners this calendar may show (never other people's learners).
        status: ``CONFIRMED``, ``TENTATIVE`` (a request not yet confirmed) or ``CANCELLED``.
        stamp: the DTSTAMP, now by default.
    """
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", (stamp or timezone.now()).astimezone(UTC))
    event.add("dtstart", session.start.astimezone(UTC))
    event.add("dtend", session.end.astimezone(UTC))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    event.add("location", location_of(session))
    url = url_of(session)
    if url:
        event.add("url", url)
    event.add("status", status)
    event.add("transp", "TRANSPARENT" if status == CANCELLED else "OPAQUE")
    if organizer.email:
        event.add("organizer", _address(organizer))
    for attendee in attendees:
        if attendee.email:
            event.add(
                "attendee",
                _address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT=attendee.partstat, RSVP="FALSE"),
            )
    return event


def build_calendar(
    events: Iterable[Event], *, method: str | None = None, name: str = "", refresh: timedelta | None = None
) -> bytes:
    """
    A ``VCALENDAR`` of ``events``, serialised (UTF-8, CRLF line ends, folded lines).

    Args:
        method: ``REQUEST`` or ``CANCEL`` for an email attachment; None for a subscribed feed (RFC 5545 feeds
            carry no method).
        name: the calendar's display name (``X-WR-CALNAME``, understood by the common calendar apps), for feeds.
        refresh: how often a subscribed app should fetch the feed again (RFC 7986 ``REFRESH-INTERVAL``, and
            ``X-PUBLISHED-TTL`` for the apps that predate it).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    if refresh:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()
