"""iCalendar (RFC 5545) export of meetings, so a call lands in everyone's calendar (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class CalendarPerson:
    """An attendee as a calendar shows them."""

    name: str
    email: str | None


@dataclass(frozen=True)
class CalendarEvent:
    """What one VEVENT needs."""

    uid: str
    title: str
    starts_at: datetime
    duration_minutes: int
    stamp: datetime
    sequence: int = 0
    description: str = ""
    location: str | None = None
    cancelled: bool = False
    organizer: CalendarPerson | None = None
    attendees: Sequence[CalendarPerson] = field(default_factory=tuple)


def escape(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _param(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def fold(line: str) -> str:
    """Fold a content line at 75 octets (continuations start with a space)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts = []
    current = b""
    limit = 75
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
            limit = 74  # the leading space counts
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(event: CalendarEvent) -> list[str]:
    ends = event.starts_at + timedelta(minutes=event.duration_minutes)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_stamp(event.stamp)}",
        f"DTSTART:{_stamp(event.starts_at)}",
        f"DTEND:{_stamp(ends)}",
        f"SEQUENCE:{event.sequence}",
        f"SUMMARY:{escape(event.title)}",
        f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape(event.location)}")
    if event.organizer is not None and event.organizer.email:
        lines.append(f"ORGANIZER;CN={_param(event.organizer.name)}:mailto:{event.organizer.email}")
    for person in event.attendees:
        if person.email:
            lines.append(
                f"ATTENDEE;CN={_param(person.name)};ROLE=REQ-PARTICIPANT:mailto:{person.email}"
            )
    lines.append("END:VEVENT")
    return lines


def calendar(events: Sequence[CalendarEvent]) -> str:
    """A VCALENDAR with ``events``, CRLF line endings, lines folded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Techwin//Two in a box//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for event in events:
        lines.extend(_event(event))
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
