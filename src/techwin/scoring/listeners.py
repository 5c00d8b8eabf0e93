"""Keep scores current: re-score a contact whenever it is created, edited or imported."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from techwin.pipeline.events import (
    ContactChange,
    Progress,
    on_contact_change,
    on_contacts_imported,
)
from techwin.pipeline.models import Account, Contact
from techwin.scoring.models import LeadScore
from techwin.scoring.service import BATCH, score_contacts


def rescore_on_change(session: Session, contact: Contact, change: ContactChange) -> None:
    """Creation and edits can change fit; a lifecycle move does not."""
    if change in (ContactChange.CREATED, ContactChange.UPDATED):
        score_contacts(session, [contact.id])


on_contact_change(rescore_on_change)


def score_imported(
    session: Session, contact_ids: Sequence[int], progress: Progress | None = None
) -> None:
    """Imported contacts get their scores at once. No MQL moves: an import records the stages
    the source system had, and the next edit or event applies the threshold as usual."""
    for start in range(0, len(contact_ids), BATCH):
        score_contacts(session, contact_ids[start : start + BATCH], automate=False)
        for instance in list(session.identity_map.values()):  # memory stays flat on big files
            if isinstance(instance, Contact | Account | LeadScore):
                session.expunge(instance)
        if progress is not None:
            progress("Scoring", min(start + BATCH, len(contact_ids)), len(contact_ids))


on_contacts_imported(score_imported)
