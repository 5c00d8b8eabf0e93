"""The stakeholder map of a deal: who plays which buying role, how engaged and how they feel,
and how well the deal is multi-threaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from techwin.auth.audit import changed_fields, record_audit
from techwin.auth.models import User
from techwin.collaboration.charter_rules import StakeholderFact
from techwin.collaboration.enums import (
    BUYING_ROLE_LABELS,
    ENGAGEMENT_ORDER,
    KEY_ROLES,
    BuyingRole,
    Engagement,
)
from techwin.collaboration.models import Stakeholder
from techwin.collaboration.schemas import StakeholderIn, StakeholderOut, StakeholderPatch
from techwin.core.concurrency import check_version
from techwin.core.time import utcnow
from techwin.errors import Conflict, InvalidInput, NotFound
from techwin.pipeline import contacts, opportunities
from techwin.pipeline.models import Contact, Opportunity, OpportunityContact
from techwin.pipeline.schemas import ContactIn

ENGAGED = Engagement.ENGAGED


def is_engaged(engagement: Engagement) -> bool:
    """Engaged or driving the evaluation."""
    return ENGAGEMENT_ORDER.index(engagement) >= ENGAGEMENT_ORDER.index(ENGAGED)


@dataclass(frozen=True)
class Coverage:
    """How well a deal is multi-threaded: engaged people and the key buying roles they cover."""

    engaged_people: int
    covered: list[BuyingRole]
    missing: list[BuyingRole]
    has_blocker: bool

    @property
    def ratio(self) -> float:
        """Share of the key roles covered by someone engaged (0.0–1.0)."""
        return len(self.covered) / len(KEY_ROLES)

    @property
    def single_threaded(self) -> bool:
        """Fewer than two engaged people: the deal hangs on one relationship (or none)."""
        return self.engaged_people < 2


def coverage(facts: Sequence[StakeholderFact]) -> Coverage:
    """Multi-threading coverage of a stakeholder map (pure)."""
    engaged = [f for f in facts if is_engaged(f.engagement)]
    roles = {f.role for f in engaged}
    return Coverage(
        engaged_people=len(engaged),
        covered=[r for r in KEY_ROLES if r in roles],
        missing=[r for r in KEY_ROLES if r not in roles],
        has_blocker=any(f.role is BuyingRole.BLOCKER for f in facts),
    )


def list_stakeholders(session: Session, opportunity_id: int) -> list[Stakeholder]:
    """A deal's stakeholders, key roles first, with their contacts loaded."""
    rows = session.scalars(
        select(Stakeholder)
        .options(joinedload(Stakeholder.contact))
        .where(Stakeholder.opportunity_id == opportunity_id)
        .order_by(Stakeholder.id)
    )
    order = list(BuyingRole)
    return sorted(rows, key=lambda s: (order.index(s.role), s.id))


def facts_of(stakeholders: Sequence[Stakeholder]) -> list[StakeholderFact]:
    """Stakeholders as the charter and coverage see them (contacts loaded)."""
    return [
        StakeholderFact(
            name=s.contact.full_name,
            role=s.role,
            engagement=s.engagement,
            seniority=s.contact.seniority,
        )
        for s in stakeholders
    ]


def get_stakeholder(session: Session, stakeholder_id: int) -> Stakeholder:
    """A stakeholder with its contact, or NotFound."""
    stakeholder = session.scalar(
        select(Stakeholder)
        .options(joinedload(Stakeholder.contact))
        .where(Stakeholder.id == stakeholder_id)
    )
    if stakeholder is None:
        raise NotFound(f"stakeholder {stakeholder_id} does not exist", field="stakeholder_id")
    return stakeholder


def stakeholder_out(stakeholder: Stakeholder) -> StakeholderOut:
    """The API shape of a stakeholder (contact loaded)."""
    contact = stakeholder.contact
    return StakeholderOut(
        id=stakeholder.id,
        opportunity_id=stakeholder.opportunity_id,
        contact_id=contact.id,
        name=contact.full_name,
        title=contact.title,
        seniority=contact.seniority,
        role=stakeholder.role,
        engagement=stakeholder.engagement,
        sentiment=stakeholder.sentiment,
        last_touch_at=stakeholder.last_touch_at,
        notes=stakeholder.notes,
        version=stakeholder.version,
    )


def _contact_for(
    session: Session, *, actor: User | None, deal: Opportunity, data: StakeholderIn
) -> Contact:
    if data.new_contact is not None:
        person = data.new_contact
        return contacts.create_contact(
            session,
            actor=actor,
            data=ContactIn(
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                title=person.title,
                seniority=person.seniority,
                account_id=deal.account_id,
                owner_id=deal.owner_id,
                source="deal stakeholder",
            ),
        )
    assert data.contact_id is not None
    contact = session.get(Contact, data.contact_id)
    if contact is None:
        raise InvalidInput(f"contact {data.contact_id} does not exist", field="contact_id")
    if contact.account_id not in (None, deal.account_id):
        raise InvalidInput(
            f"{contact.full_name} works at another account than this deal's", field="contact_id"
        )
    return contact


def add_stakeholder(
    session: Session, *, actor: User | None, deal: Opportunity, data: StakeholderIn
) -> Stakeholder:
    """Put a contact (existing or new) on the deal's stakeholder map."""
    opportunities.require_opportunity_edit(actor, deal)
    if data.contact_id is not None and session.scalar(
        select(Stakeholder.id).where(
            Stakeholder.opportunity_id == deal.id, Stakeholder.contact_id == data.contact_id
        )
    ):
        raise Conflict("this contact is already on the stakeholder map", field="contact_id")
    contact = _contact_for(session, actor=actor, deal=deal, data=data)
    stakeholder = Stakeholder(
        opportunity_id=deal.id,
        contact_id=contact.id,
        role=data.role,
        engagement=data.engagement,
        sentiment=data.sentiment,
        last_touch_at=data.last_touch_at
        or (utcnow() if data.engagement is not Engagement.NONE else None),
        notes=data.notes,
    )
    session.add(stakeholder)
    if session.get(OpportunityContact, (deal.id, contact.id)) is None:
        session.add(OpportunityContact(opportunity_id=deal.id, contact_id=contact.id))
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="stakeholder.added",
        entity_type="opportunity",
        entity_id=deal.id,
        summary=f"{contact.full_name} as {BUYING_ROLE_LABELS[data.role].lower()} "
        f"({data.engagement.value})",
    )
    return get_stakeholder(session, stakeholder.id)


def _snapshot(stakeholder: Stakeholder) -> dict[str, object]:
    return stakeholder_out(stakeholder).model_dump(mode="json")


def update_stakeholder(
    session: Session, *, actor: User | None, stakeholder: Stakeholder, data: StakeholderPatch
) -> Stakeholder:
    """Change a stakeholder's role, engagement, sentiment, last touch or notes."""
    deal = opportunities.get_opportunity(session, stakeholder.opportunity_id)
    opportunities.require_opportunity_edit(actor, deal)
    before = _snapshot(stakeholder)
    check_version(stakeholder.version, data.version, what="stakeholder", values=before)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    for name in ("role", "engagement", "sentiment"):
        if name in changes and changes[name] is None:
            raise InvalidInput(f"{name} cannot be empty", field=name)
    moved = "engagement" in changes and changes["engagement"] != stakeholder.engagement
    if moved and "last_touch_at" not in changes:
        changes["last_touch_at"] = utcnow()
    for name, value in changes.items():
        setattr(stakeholder, name, value)
    session.flush()
    old, new = changed_fields(before, _snapshot(stakeholder))
    old.pop("version", None)
    new.pop("version", None)
    if new:
        record_audit(
            session,
            actor=actor,
            action="stakeholder.updated",
            entity_type="opportunity",
            entity_id=deal.id,
            summary=f"{stakeholder.contact.full_name}: changed {', '.join(sorted(new))}",
            before=old,
            after=new,
        )
    return stakeholder


def remove_stakeholder(session: Session, *, actor: User | None, stakeholder: Stakeholder) -> None:
    """Take a contact off the stakeholder map (the contact itself stays)."""
    deal = opportunities.get_opportunity(session, stakeholder.opportunity_id)
    opportunities.require_opportunity_edit(actor, deal)
    record_audit(
        session,
        actor=actor,
        action="stakeholder.removed",
        entity_type="opportunity",
        entity_id=deal.id,
        summary=stakeholder.contact.full_name,
        before=_snapshot(stakeholder),
    )
    session.delete(stakeholder)
    session.flush()


def account_contacts(session: Session, deal: Opportunity) -> list[Contact]:
    """Contacts at the deal's account not yet on its map, for the 'add stakeholder' picker."""
    mapped = select(Stakeholder.contact_id).where(Stakeholder.opportunity_id == deal.id)
    query = (
        select(Contact)
        .where(Contact.account_id == deal.account_id, Contact.id.not_in(mapped))
        .order_by(Contact.last_name, Contact.first_name)
        .limit(200)
    )
    return list(session.scalars(query))
