"""Keep scores current: re-score a contact whenever it is created or edited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from techwin.pipeline.events import ContactChange, on_contact_change
from techwin.pipeline.models import Contact
from techwin.scoring.service import score_contacts


def rescore_on_change(session: Session, contact: Contact, change: ContactChange) -> None:
    """Creation and edits can change fit; a lifecycle move does not."""
    if change in (ContactChange.CREATED, ContactChange.UPDATED):
        score_contacts(session, [contact.id])


on_contact_change(rescore_on_change)
