"""Contacts and leads: CRUD, lifecycle transitions, conversion, exit-criteria checks, export."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import StreamingResponse

from techwin.api.paging import PageOut, page_out
from techwin.core.csvout import csv_lines
from techwin.core.types import RecordId
from techwin.deps import ApiUser, PageDep, SessionDep
from techwin.pipeline import contacts as service
from techwin.pipeline import gates
from techwin.pipeline.enums import GateSubject, LifecycleStage
from techwin.pipeline.opportunities import convert_contact, opportunity_out
from techwin.pipeline.schemas import (
    CheckIn,
    ContactIn,
    ContactOut,
    ContactPatch,
    ConvertIn,
    CriterionOut,
    OpportunityOut,
    TransitionIn,
    TransitionOut,
)

router = APIRouter(prefix="/contacts", tags=["contacts"])


def _filters(
    stage: LifecycleStage | None,
    owner_id: RecordId | None,
    source: str | None,
    account_id: RecordId | None,
    created_from: date | None,
    created_to: date | None,
    q: str | None,
    custom: list[str],
) -> service.ContactFilter:
    return service.ContactFilter(
        custom=tuple(custom),
        stage=stage,
        owner_id=owner_id,
        source=source,
        account_id=account_id,
        created_from=created_from,
        created_to=created_to,
        q=q,
    )


@router.get("", response_model=PageOut[ContactOut])
def list_contacts(
    session: SessionDep,
    user: ApiUser,
    paging: PageDep,
    stage: LifecycleStage | None = None,
    owner_id: RecordId | None = None,
    source: str | None = None,
    account_id: RecordId | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    q: str | None = None,
    sort: str = "-created",
    custom: Annotated[
        list[str],
        Query(description="Custom-field filters, key:op:value (op: eq, gte, lte, contains)."),
    ] = [],  # noqa: B006
) -> dict[str, object]:
    """Contacts and leads, filtered, sorted and paginated."""
    filters = _filters(stage, owner_id, source, account_id, created_from, created_to, q, custom)
    page = service.list_contacts(session, filters=filters, page=paging, sort=sort)
    return page_out(page, [ContactOut.model_validate(c) for c in page.items])


@router.get("/export", response_class=StreamingResponse)
def export_contacts(
    session: SessionDep,
    user: ApiUser,
    stage: LifecycleStage | None = None,
    owner_id: RecordId | None = None,
    source: str | None = None,
    account_id: RecordId | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    q: str | None = None,
    sort: str = "-created",
    custom: Annotated[list[str], Query(description="Custom-field filters, key:op:value.")] = [],  # noqa: B006
) -> StreamingResponse:
    """The filtered list as CSV."""
    filters = _filters(stage, owner_id, source, account_id, created_from, created_to, q, custom)
    rows = list(service.export_rows(session, filters=filters, sort=sort))
    return StreamingResponse(
        csv_lines(service.CONTACT_EXPORT_HEADER, rows),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )


@router.post("", response_model=ContactOut, status_code=status.HTTP_201_CREATED)
def create_contact(body: ContactIn, session: SessionDep, user: ApiUser) -> ContactOut:
    """Add a contact; it starts as a lead."""
    return ContactOut.model_validate(service.create_contact(session, actor=user, data=body))


@router.get("/{contact_id}", response_model=ContactOut)
def get_contact(contact_id: RecordId, session: SessionDep, user: ApiUser) -> ContactOut:
    """One contact."""
    return ContactOut.model_validate(service.get_contact(session, contact_id))


@router.patch("/{contact_id}", response_model=ContactOut)
def update_contact(
    contact_id: RecordId, body: ContactPatch, session: SessionDep, user: ApiUser
) -> ContactOut:
    """Change a contact; send ``version`` to be protected from overwriting someone else's edit."""
    contact = service.get_contact(session, contact_id)
    return ContactOut.model_validate(
        service.update_contact(session, actor=user, contact=contact, data=body)
    )


@router.delete("/{contact_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_contact(contact_id: RecordId, session: SessionDep, user: ApiUser) -> Response:
    """Delete a contact and its history (managers and admins)."""
    service.delete_contact(session, actor=user, contact=service.get_contact(session, contact_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{contact_id}/transitions", response_model=list[TransitionOut])
def list_transitions(
    contact_id: RecordId, session: SessionDep, user: ApiUser
) -> list[TransitionOut]:
    """The contact's lifecycle history, oldest first."""
    service.get_contact(session, contact_id)
    return [TransitionOut.model_validate(t) for t in service.list_transitions(session, contact_id)]


@router.post(
    "/{contact_id}/transitions", response_model=TransitionOut, status_code=status.HTTP_201_CREATED
)
def transition(
    contact_id: RecordId, body: TransitionIn, session: SessionDep, user: ApiUser
) -> TransitionOut:
    """Move the contact to another lifecycle stage (table, reasons and gates enforced)."""
    contact = service.get_contact(session, contact_id)
    moved = service.transition_contact(
        session,
        actor=user,
        contact=contact,
        to_stage=body.to_stage,
        reason=body.reason,
        override=body.override,
    )
    return TransitionOut.model_validate(moved)


@router.get("/{contact_id}/gate", response_model=list[CriterionOut])
def gate(
    contact_id: RecordId, to_stage: LifecycleStage, session: SessionDep, user: ApiUser
) -> list[CriterionOut]:
    """The exit criteria a move to ``to_stage`` must pass, and whether each holds."""
    contact = service.get_contact(session, contact_id)
    return [CriterionOut(**v.__dict__) for v in service.lifecycle_gate(session, contact, to_stage)]


@router.put("/{contact_id}/checks/{criterion_id}", status_code=status.HTTP_204_NO_CONTENT)
def set_check(
    contact_id: RecordId, criterion_id: RecordId, body: CheckIn, session: SessionDep, user: ApiUser
) -> Response:
    """Tick or untick a checklist exit criterion for this contact."""
    contact = service.get_contact(session, contact_id)
    service.require_contact_edit(user, contact)
    gates.set_check(
        session,
        actor=user,
        criterion_id=criterion_id,
        subject=GateSubject.CONTACT,
        subject_id=contact.id,
        met=body.met,
        note=body.note,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{contact_id}/convert", response_model=OpportunityOut, status_code=status.HTTP_201_CREATED
)
def convert(
    contact_id: RecordId, body: ConvertIn, session: SessionDep, user: ApiUser
) -> OpportunityOut:
    """Turn a sales-qualified contact into a deal."""
    contact = service.get_contact(session, contact_id)
    return opportunity_out(convert_contact(session, actor=user, contact=contact, data=body))
