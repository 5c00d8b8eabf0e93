"""Nurturing: tiers, sequences, enrollments, unsubscribes and everyone's tasks."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from techwin.core.types import RecordId
from techwin.deps import ApiUser, SessionDep
from techwin.errors import InvalidInput
from techwin.pipeline import contacts
from techwin.scoring.nurture import configuration as nurture_setup
from techwin.scoring.nurture import service
from techwin.scoring.nurture.enums import TaskStatus
from techwin.scoring.nurture.schemas import (
    EnrollmentOut,
    RunReport,
    SequenceOut,
    SequenceSpec,
    TaskOut,
    TaskPatch,
    TierOut,
    TierSpec,
    UnsubscribeIn,
)

router = APIRouter(tags=["nurture"])


def _tiers(session: SessionDep) -> list[TierOut]:
    return [
        TierOut(
            id=t.id,
            key=t.key,
            name=t.name,
            min_score=t.min_score,
            action=t.action,
            sequence=seq,
            due_business_days=t.due_business_days,
        )
        for t, seq in nurture_setup.list_tiers(session)
    ]


@router.get("/nurture/tiers", response_model=list[TierOut])
def list_tiers(session: SessionDep, user: ApiUser) -> list[TierOut]:
    """Tiers from the highest minimum score down."""
    return _tiers(session)


@router.put("/nurture/tiers", response_model=list[TierOut])
def replace_tiers(body: list[TierSpec], session: SessionDep, user: ApiUser) -> list[TierOut]:
    """Replace every tier (admins)."""
    nurture_setup.save_tiers(session, actor=user, tiers=body)
    return _tiers(session)


@router.get("/nurture/sequences", response_model=list[SequenceOut])
def list_sequences(session: SessionDep, user: ApiUser) -> list[SequenceOut]:
    """Sequences with their steps."""
    return [SequenceOut.model_validate(s) for s in nurture_setup.list_sequences(session)]


@router.put("/nurture/sequences/{key}", response_model=SequenceOut)
def save_sequence(key: str, body: SequenceSpec, session: SessionDep, user: ApiUser) -> SequenceOut:
    """Create a sequence or replace its steps (admins)."""
    if body.key != key:
        raise InvalidInput("the key in the path and the body differ", field="key")
    nurture_setup.save_sequence(session, actor=user, spec=body)
    return SequenceOut.model_validate(nurture_setup.get_sequence(session, key))


@router.post("/nurture/run", response_model=RunReport)
def run(session: SessionDep, user: ApiUser) -> RunReport:
    """Tier every lead and turn due steps into tasks (admins; normally a daily job)."""
    return service.run_nurture(session, actor=user)


@router.get("/contacts/{contact_id}/enrollments", response_model=list[EnrollmentOut])
def enrollments(contact_id: RecordId, session: SessionDep, user: ApiUser) -> list[EnrollmentOut]:
    """A contact's sequences, newest first."""
    contacts.get_contact(session, contact_id)
    return [EnrollmentOut.model_validate(e) for e in service.enrollments_of(session, contact_id)]


@router.post(
    "/contacts/{contact_id}/enrollments/{sequence}",
    response_model=EnrollmentOut,
    status_code=status.HTTP_201_CREATED,
)
def enroll(
    contact_id: RecordId, sequence: str, session: SessionDep, user: ApiUser
) -> EnrollmentOut:
    """Put a contact on a sequence by hand."""
    contact = contacts.get_contact(session, contact_id)
    return EnrollmentOut.model_validate(
        service.enroll(session, actor=user, contact=contact, sequence_key=sequence)
    )


@router.post("/contacts/{contact_id}/unsubscribe", status_code=status.HTTP_204_NO_CONTENT)
def unsubscribe(
    contact_id: RecordId, body: UnsubscribeIn, session: SessionDep, user: ApiUser
) -> Response:
    """The contact leaves every sequence at once and gets nothing more."""
    service.unsubscribe(
        session, actor=user, contact=contacts.get_contact(session, contact_id), reason=body.reason
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me/tasks", response_model=list[TaskOut])
def my_tasks(
    session: SessionDep, user: ApiUser, status: TaskStatus | None = TaskStatus.OPEN
) -> list[TaskOut]:
    """Your tasks, soonest due first (open ones unless ``status`` says otherwise)."""
    return [
        TaskOut.model_validate(t) for t in service.list_tasks(session, owner=user, status=status)
    ]


@router.patch("/tasks/{task_id}", response_model=TaskOut)
def update_task(task_id: RecordId, body: TaskPatch, session: SessionDep, user: ApiUser) -> TaskOut:
    """Mark a task done, cancelled or open again."""
    return TaskOut.model_validate(
        service.set_task_status(session, actor=user, task_id=task_id, status=body.status)
    )
