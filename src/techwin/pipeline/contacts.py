"""Contacts and leads, and their moves through the lifecycle."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from techwin.auth.audit import record_audit, record_update
from techwin.auth.models import User
from techwin.auth.permissions import require_edit_record, require_override, require_writer
from techwin.core.concurrency import check_version
from techwin.core.pagination import Page, PageRequest
from techwin.core.time import as_utc, start_of_day, utcnow
from techwin.db.keyset import paged
from techwin.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation
from techwin.pipeline import funnel_stats, gates, rules
from techwin.pipeline.common import require_user_ref, snapshot
from techwin.pipeline.custom_fields import parse_filters
from techwin.pipeline.enums import LIFECYCLE_LABELS, CustomEntity, LifecycleStage
from techwin.pipeline.events import ContactChange, contact_changed
from techwin.pipeline.models import Account, Contact, LifecycleTransition
from techwin.pipeline.schemas import ContactIn, ContactOut, ContactPatch


@dataclass(frozen=True)
class ContactFilter:
    """What a contact/lead list is narrowed to."""

    stage: LifecycleStage | None = None
    owner_id: int | None = None
    source: str | None = None
    account_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    q: str | None = None
    custom: tuple[str, ...] = ()


CONTACT_SORTS = {
    "-created": (Contact.created_at.desc(), Contact.id.desc()),
    "created": (Contact.created_at.asc(), Contact.id.asc()),
    "name": (Contact.last_name.asc(), Contact.first_name.asc(), Contact.id.asc()),
    "stage": (Contact.lifecycle_stage.asc(), Contact.id.asc()),
    "-stage_entered": (Contact.stage_entered_at.desc(), Contact.id.desc()),
}


def get_contact(session: Session, contact_id: int) -> Contact:
    """The contact with owner and account loaded, or NotFound."""
    contact = session.get(
        Contact, contact_id, options=[joinedload(Contact.owner), joinedload(Contact.account)]
    )
    if contact is None:
        raise NotFound(f"contact {contact_id} does not exist", field="contact_id")
    return contact


def _check_unique_email(
    session: Session, *, email: str | None, account_id: int | None, exclude_id: int | None = None
) -> None:
    if not email:
        return
    query = select(Contact.id).where(
        func.lower(Contact.email) == email.lower(),
        Contact.account_id.is_(None) if account_id is None else Contact.account_id == account_id,
    )
    if exclude_id is not None:
        query = query.where(Contact.id != exclude_id)
    if session.scalar(query.limit(1)) is not None:
        raise Conflict(
            f"a contact with email {email} already exists in this account", field="email"
        )


def _require_account(session: Session, account_id: int | None) -> None:
    if account_id is not None and session.get(Account, account_id) is None:
        raise InvalidInput(f"account {account_id} does not exist", field="account_id")


def create_contact(
    session: Session,
    *,
    actor: User | None,
    data: ContactIn,
    stage: LifecycleStage = LifecycleStage.LEAD,
) -> Contact:
    """Add a contact (a lead unless another entry stage is given); the entry is a transition."""
    require_writer(actor)
    _require_account(session, data.account_id)
    require_user_ref(session, data.owner_id, field="owner_id")
    email = str(data.email).lower() if data.email else None
    _check_unique_email(session, email=email, account_id=data.account_id)
    if data.external_id and session.scalar(
        select(Contact.id).where(Contact.external_id == data.external_id)
    ):
        raise Conflict(f"a contact with external id {data.external_id} exists", field="external_id")
    now = utcnow()
    owner_id = data.owner_id if data.owner_id is not None else (actor.id if actor else None)
    contact = Contact(
        **data.model_dump(exclude={"email", "owner_id"}),
        email=email,
        owner_id=owner_id,
        lifecycle_stage=stage,
        stage_entered_at=now,
        furthest_rank=rules.stage_rank(stage) or 0,
        created_at=now,
    )
    session.add(contact)
    session.flush()
    session.add(
        LifecycleTransition(
            contact_id=contact.id,
            from_stage=None,
            to_stage=stage,
            at=now,
            actor_id=actor.id if actor else None,
            reason="created",
        )
    )
    session.flush()
    contact_changed(session, contact, ContactChange.CREATED)
    return contact


def update_contact(
    session: Session, *, actor: User | None, contact: Contact, data: ContactPatch
) -> Contact:
    """Change a contact's fields (owner, manager or admin); stale versions are refused."""
    require_edit_record(actor, owner_id=contact.owner_id, what="contact")
    before = snapshot(ContactOut, contact)
    check_version(contact.version, data.version, what="contact", values=before)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "email" in changes and changes["email"] is not None:
        changes["email"] = str(changes["email"]).lower()
    if "first_name" in changes and changes["first_name"] is None:
        changes["first_name"] = ""  # a first name is optional; clearing it leaves it blank
    if "last_name" in changes and changes["last_name"] is None:
        raise InvalidInput("last name cannot be empty", field="last_name")
    if "account_id" in changes:
        _require_account(session, changes["account_id"])
    if "owner_id" in changes:
        require_user_ref(session, changes["owner_id"], field="owner_id")
    _check_unique_email(
        session,
        email=changes.get("email", contact.email),
        account_id=changes.get("account_id", contact.account_id),
        exclude_id=contact.id,
    )
    for field, value in changes.items():
        setattr(contact, field, value)
    session.flush()
    if record_update(
        session,
        actor=actor,
        entity_type="contact",
        entity_id=contact.id,
        before=before,
        after=snapshot(ContactOut, contact),
    ):
        contact_changed(session, contact, ContactChange.UPDATED)
    return contact


def lifecycle_gate(
    session: Session, contact: Contact, to_stage: LifecycleStage
) -> list[rules.CriterionVerdict]:
    """Verdicts of the exit criteria a move of ``contact`` to ``to_stage`` must pass."""
    current, target = rules.stage_rank(contact.lifecycle_stage), rules.stage_rank(to_stage)
    if current is None or target is None or target <= current:
        return []
    verdicts: list[rules.CriterionVerdict] = []
    for stage in rules.MAIN_LINE[current:target]:
        criteria = gates.lifecycle_criteria(session, stage)
        names = {c.id: LIFECYCLE_LABELS[stage] for c in criteria}
        verdicts.extend(gates.evaluate(session, criteria, contact.id, stage_names=names))
    return verdicts


def transition_contact(
    session: Session,
    *,
    actor: User | None,
    contact: Contact,
    to_stage: LifecycleStage,
    reason: str | None = None,
    override: bool = False,
    at: datetime | None = None,
    system: bool = False,
) -> LifecycleTransition:
    """Move a contact along the lifecycle, enforcing the table, reasons and gates.

    ``system`` marks moves the product makes itself (a won deal makes its contacts customers);
    they skip the owner check but never the transition table.
    """
    if not system:
        require_edit_record(actor, owner_id=contact.owner_id, what="contact")
    from_stage = contact.lifecycle_stage
    rules.check_transition(from_stage, to_stage, reason)
    blocked = rules.unmet(lifecycle_gate(session, contact, to_stage))
    if blocked:
        if not override:
            raise RuleViolation(
                rules.gate_message(blocked),
                field="to_stage",
                extra={"unmet": [v.__dict__ for v in blocked]},
            )
        require_override(actor)
        if not (reason and reason.strip()):
            raise InvalidInput("an override needs a reason", field="reason")
    now = at or utcnow()
    seconds = max(0, int((now - as_utc(contact.stage_entered_at)).total_seconds()))
    transition = LifecycleTransition(
        contact_id=contact.id,
        from_stage=from_stage,
        to_stage=to_stage,
        at=now,
        actor_id=actor.id if actor else None,
        reason=reason.strip() if reason else None,
        seconds_in_from_stage=seconds,
        overridden=bool(blocked),
    )
    funnel_stats.record_duration(
        session, created_at=contact.created_at, stage=from_stage, seconds=seconds
    )
    session.add(transition)
    contact.lifecycle_stage = to_stage
    contact.stage_entered_at = now
    contact.furthest_rank = rules.furthest_rank(contact.furthest_rank, to_stage)
    if to_stage is LifecycleStage.DISQUALIFIED:
        contact.disqualified_reason = reason
    elif from_stage is LifecycleStage.DISQUALIFIED:
        contact.disqualified_reason = None
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="contact.override" if blocked else "contact.transition",
        entity_type="contact",
        entity_id=contact.id,
        summary=f"{from_stage.value} → {to_stage.value}"
        + (" (gate overridden)" if blocked else ""),
        before={"lifecycle_stage": from_stage.value},
        after={"lifecycle_stage": to_stage.value},
        reason=reason,
    )
    contact_changed(session, contact, ContactChange.TRANSITIONED)
    return transition


def list_transitions(session: Session, contact_id: int) -> list[LifecycleTransition]:
    """A contact's lifecycle history, oldest first, with actors."""
    query = (
        select(LifecycleTransition)
        .options(joinedload(LifecycleTransition.actor))
        .where(LifecycleTransition.contact_id == contact_id)
        .order_by(LifecycleTransition.at, LifecycleTransition.id)
    )
    return list(session.scalars(query))


def filtered_contacts(filters: ContactFilter, session: Session | None = None) -> Select[Contact]:
    """The SELECT for contacts matching ``filters`` (shared by the list and CSV export).

    Custom-field filters (``key:op:value``) need the session to know each field's type.
    """
    query = select(Contact)
    if filters.custom:
        if session is None:
            raise InvalidInput("custom-field filters need a session", field="custom")
        query = query.where(*parse_filters(session, CustomEntity.CONTACT, list(filters.custom)))
    if filters.stage is not None:
        query = query.where(Contact.lifecycle_stage == filters.stage)
    if filters.owner_id is not None:
        query = query.where(Contact.owner_id == filters.owner_id)
    if filters.source:
        query = query.where(Contact.source == filters.source)
    if filters.account_id is not None:
        query = query.where(Contact.account_id == filters.account_id)
    if filters.created_from is not None:
        query = query.where(Contact.created_at >= start_of_day(filters.created_from))
    if filters.created_to is not None:
        query = query.where(
            Contact.created_at < start_of_day(filters.created_to) + timedelta(days=1)
        )
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(
            or_(
                func.lower(Contact.first_name).like(like),
                func.lower(Contact.last_name).like(like),
                func.lower(Contact.email).like(like),
            )
        )
    return query


def list_contacts(
    session: Session, *, filters: ContactFilter, page: PageRequest, sort: str = "-created"
) -> Page[Contact]:
    """Contacts matching ``filters``, one page, with owner and account loaded."""
    if filters.created_from and filters.created_to and filters.created_from > filters.created_to:
        raise InvalidInput("'created from' is after 'created to'", field="created_from")
    return paged(
        session,
        filtered_contacts(filters, session),
        CONTACT_SORTS.get(sort, CONTACT_SORTS["-created"]),
        page,
        options=(joinedload(Contact.owner), joinedload(Contact.account)),
    )


def distinct_sources(session: Session) -> list[str]:
    """Lead sources in use, for filter menus."""
    rows = session.scalars(
        select(Contact.source)
        .where(Contact.source.is_not(None))
        .distinct()
        .order_by(Contact.source)
    )
    return [s for s in rows if s]


def delete_contact(session: Session, *, actor: User | None, contact: Contact) -> None:
    """Remove a contact and its history (managers and admins)."""
    require_writer(actor)
    if actor is not None and not actor.is_manager_or_admin:
        raise PermissionDenied("only a manager or an admin can delete a contact")
    record_audit(
        session,
        actor=actor,
        action="contact.delete",
        entity_type="contact",
        entity_id=contact.id,
        summary=f"deleted {contact.full_name}",
        before=snapshot(ContactOut, contact),
    )
    funnel_stats.forget_contact(session, contact)
    session.delete(contact)
    session.flush()


CONTACT_EXPORT_HEADER = (
    "id",
    "first_name",
    "last_name",
    "email",
    "title",
    "seniority",
    "department",
    "source",
    "lifecycle_stage",
    "account",
    "owner",
    "created_at",
)


def export_rows(
    session: Session, *, filters: ContactFilter, sort: str = "-created"
) -> Iterator[tuple[object, ...]]:
    """Rows for the CSV export of a filtered contact list, streamed in batches."""
    query = (
        filtered_contacts(filters, session)
        .options(joinedload(Contact.owner), joinedload(Contact.account))
        .order_by(*CONTACT_SORTS.get(sort, CONTACT_SORTS["-created"]))
        .execution_options(yield_per=1000)
    )
    for c in session.scalars(query):
        yield (
            c.id,
            c.first_name,
            c.last_name,
            c.email,
            c.title,
            c.seniority.value if c.seniority else None,
            c.department,
            c.source,
            c.lifecycle_stage.value,
            c.account.name if c.account else None,
            c.owner.email if c.owner else None,
            c.created_at.isoformat(),
        )


def require_contact_edit(actor: User | None, contact: Contact) -> None:
    """Raise unless ``actor`` may change this contact."""
    require_edit_record(actor, owner_id=contact.owner_id, what="contact")
