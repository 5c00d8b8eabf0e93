"""A disqualified contact leaves every sequence at once."""

from __future__ import annotations

from sqlalchemy.orm import Session

from techwin.pipeline.enums import LifecycleStage
from techwin.pipeline.events import ContactChange, on_contact_change
from techwin.pipeline.models import Contact
from techwin.scoring.nurture.service import stop_for_contact

LEAVES_NURTURE = (
    LifecycleStage.DISQUALIFIED,
    LifecycleStage.SAL,
    LifecycleStage.SQL,
    LifecycleStage.OPPORTUNITY,
    LifecycleStage.CUSTOMER,
)


def stop_on_exit(session: Session, contact: Contact, change: ContactChange) -> None:
    """Disqualified contacts get nothing more; contacts handed to sales leave sequences."""
    if change is ContactChange.TRANSITIONED and contact.lifecycle_stage in LEAVES_NURTURE:
        reason = (
            "disqualified"
            if contact.lifecycle_stage is LifecycleStage.DISQUALIFIED
            else f"moved to {contact.lifecycle_stage.value}"
        )
        stop_for_contact(session, contact.id, reason=reason)


on_contact_change(stop_on_exit)
