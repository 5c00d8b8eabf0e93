"""Change notifications: later domains react to contact changes without pipeline knowing them.

Scoring re-scores a contact when it changes; nurturing stops sequences when a contact is
disqualified. Listeners run inside the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


Progress = Callable[[str, int, int], None]  # (what, done, total)
ImportListener = Callable[[Session, Sequence[int], Progress | None], None]

_import_listeners: list[ImportListener] = []


def on_contacts_imported(listener: ImportListener) -> None:
    """Register ``listener`` (once) to hear which contacts a bulk import created or changed."""
    if listener not in _import_listeners:
        _import_listeners.append(listener)


def contacts_imported(
    session: Session, contact_ids: Sequence[int], progress: Progress | None = None
) -> None:
    """Tell every listener that a bulk import created or changed ``contact_ids``."""
    for listener in list(_import_listeners):
        listener(session, contact_ids, progress)
