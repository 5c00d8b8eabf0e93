"""Change notifications: later domains react to contact changes without pipeline knowing them.

Scoring re-scores a contact when it changes; nurturing stops sequences when a contact is
disqualified. Listeners run inside the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from sqlalchemy.orm import Session

from techwin.pipeline.models import Contact


class ContactChange(StrEnum):
    """What happened to a contact."""

    CREATED = "created"
    UPDATED = "updated"
    TRANSITIONED = "transitioned"


ContactListener = Callable[[Session, Contact, ContactChange], None]

_listeners: list[ContactListener] = []


def on_contact_change(listener: ContactListener) -> None:
    """Register ``listener`` (once) to hear about every contact change."""
    if listener not in _listeners:
        _listeners.append(listener)


def contact_changed(session: Session, contact: Contact, change: ContactChange) -> None:
    """Tell every listener that ``contact`` changed."""
    for listener in list(_listeners):
        listener(session, contact, change)
