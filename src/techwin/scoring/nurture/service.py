"""Nurturing: put leads in tiers by score, run sequences, hand owners their tasks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.auth.permissions import require_admin
from techwin.core.time import as_utc, utcnow
from techwin.errors import Conflict, InvalidState, NotFound, PermissionDenied
from techwin.pipeline import contacts as contact_service
from techwin.pipeline.enums import LifecycleStage
from techwin.pipeline.models import Contact
from techwin.scoring.models import LeadScore
from techwin.scoring.nurture import rules
from techwin.scoring.nurture.configuration import get_sequence, list_sequences, list_tiers
from techwin.scoring.nurture.enums import EnrollmentStatus, TaskStatus, TierAction
from techwin.scoring.nurture.models import (
    Enrollment,
    NurtureTier,
    Sequence,
    Task,
    Unsubscribe,
)
from techwin.scoring.nurture.schemas import RunReport

NURTURED_STAGES = (LifecycleStage.LEAD, LifecycleStage.MQL, LifecycleStage.NURTURE)
HOT_TASK = "hot_lead"


def is_unsubscribed(session: Session, contact_id: int) -> bool:
    """Whether the contact asked to hear nothing more."""
    return session.get(Unsubscribe, contact_id) is not None


def stop_for_contact(
    session: Session, contact_id: int, *, reason: str, now: datetime | None = None
) -> int:
    """End a contact's active enrollments and cancel its open nurture tasks; returns how many."""
    now = now or utcnow()
    stopped = session.execute(  # type: ignore[attr-defined]
        update(Enrollment)
        .where(Enrollment.contact_id == contact_id, Enrollment.status == EnrollmentStatus.ACTIVE)
        .values(
            status=EnrollmentStatus.STOPPED, stop_reason=reason, finished_at=now, next_due_at=None
        )
    ).rowcount
    session.execute(
        update(Task)
        .where(Task.contact_id == contact_id, Task.status == TaskStatus.OPEN, Task.kind != "manual")
        .values(status=TaskStatus.CANCELLED, completed_at=now)
    )
    session.flush()
    return int(stopped or 0)


def unsubscribe(
    session: Session, *, actor: User | None, contact: Contact, reason: str | None = None
) -> None:
    """The contact leaves every sequence at once and gets nothing more."""
    contact_service.require_contact_edit(actor, contact)
    if not is_unsubscribed(session, contact.id):
        session.add(Unsubscribe(contact_id=contact.id, reason=reason))
    stop_for_contact(session, contact.id, reason="unsubscribed")
    record_audit(
        session,
        actor=actor,
        action="nurture.unsubscribe",
        entity_type="contact",
        entity_id=contact.id,
        summary="unsubscribed from all nurturing",
        reason=reason,
    )


def _check_enrollable(session: Session, contact: Contact) -> None:
    if is_unsubscribed(session, contact.id):
        raise InvalidState("this contact unsubscribed; they get nothing more", field="contact_id")
    if contact.lifecycle_stage is LifecycleStage.DISQUALIFIED:
        raise InvalidState("a disqualified contact is not nurtured", field="contact_id")


def enroll(
    session: Session,
    *,
    actor: User | None,
    contact: Contact,
    sequence_key: str,
    now: datetime | None = None,
) -> Enrollment:
    """Start a contact on a sequence; its first due step becomes a task at once."""
    contact_service.require_contact_edit(actor, contact)
    _check_enrollable(session, contact)
    sequence = get_sequence(session, sequence_key)
    if not sequence.is_active:
        raise InvalidState(f"sequence {sequence_key!r} is switched off", field="sequence")
    active = session.scalar(
        select(Enrollment.id).where(
            Enrollment.contact_id == contact.id,
            Enrollment.sequence_id == sequence.id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
    )
    if active is not None:
        raise Conflict(f"the contact is already in {sequence.name}", field="sequence")
    now = now or utcnow()
    enrollment = Enrollment(
        contact_id=contact.id,
        sequence_id=sequence.id,
        status=EnrollmentStatus.ACTIVE,
        next_position=0,
        next_due_at=now + timedelta(days=sequence.steps[0].wait_days),
        enrolled_at=now,
    )
    session.add(enrollment)
    session.flush()
    advance_due(session, now=now, enrollment_ids=[enrollment.id])
    return enrollment


def _values(contact: Contact) -> dict[str, str | None]:
    owner = contact.owner
    return {
        "first_name": contact.first_name or contact.full_name,
        "last_name": contact.last_name,
        "full_name": contact.full_name,
        "company": contact.account.name if contact.account else None,
        "title": contact.title,
        "owner_name": owner.full_name if owner else None,
        "owner_email": owner.email if owner else None,
    }


def advance_due(
    session: Session, *, now: datetime | None = None, enrollment_ids: list[int] | None = None
) -> tuple[int, int]:
    """Turn every due step into a task for the contact's owner; returns (tasks, completed)."""
    now = now or utcnow()
    query = (
        select(Enrollment)
        .options(
            joinedload(Enrollment.sequence).selectinload(Sequence.steps),
            joinedload(Enrollment.contact).joinedload(Contact.owner),
            joinedload(Enrollment.contact).joinedload(Contact.account),
        )
        .where(Enrollment.status == EnrollmentStatus.ACTIVE, Enrollment.next_due_at <= now)
    )
    if enrollment_ids is not None:
        query = query.where(Enrollment.id.in_(enrollment_ids))
    tasks = completed = 0
    for enrollment in session.scalars(query).unique():
        steps = enrollment.sequence.steps
        values = _values(enrollment.contact)
        while enrollment.next_due_at is not None and as_utc(enrollment.next_due_at) <= now:
            if enrollment.next_position >= len(steps):  # the sequence was shortened behind it
                _finish(enrollment, now)
                completed += 1
                break
            step = steps[enrollment.next_position]
            session.add(
                Task(
                    owner_id=enrollment.contact.owner_id,
                    contact_id=enrollment.contact_id,
                    enrollment_id=enrollment.id,
                    kind=step.kind.value,
                    title=rules.render(step.title, values)[:200],
                    body=rules.render(step.template, values),
                    due_at=as_utc(enrollment.next_due_at),
                )
            )
            tasks += 1
            enrollment.next_position += 1
            if enrollment.next_position < len(steps):
                following = steps[enrollment.next_position]
                enrollment.next_due_at = as_utc(enrollment.next_due_at) + timedelta(
                    days=following.wait_days
                )
            else:
                _finish(enrollment, now)
                completed += 1
    session.flush()
    return tasks, completed


def _finish(enrollment: Enrollment, now: datetime) -> None:
    enrollment.status, enrollment.next_due_at, enrollment.finished_at = (
        EnrollmentStatus.COMPLETED,
        None,
        now,
    )


def apply_tiers(
    session: Session, *, now: datetime | None = None
) -> tuple[dict[str, int], int, int]:
    """Give every nurtured lead what its tier says.

    Returns the leads per tier, the owner tasks created and the new enrollments.
    """
    now = now or utcnow()
    tiers = list_tiers(session)
    if not tiers:
        return {}, 0, 0
    by_key = {t.key: (t, seq) for t, seq in tiers}
    unsubscribed = set(session.scalars(select(Unsubscribe.contact_id)))
    open_hot = set(
        session.scalars(
            select(Task.contact_id).where(Task.kind == HOT_TASK, Task.status == TaskStatus.OPEN)
        )
    )
    ever_enrolled = {
        (int(a), int(b))
        for a, b in session.execute(select(Enrollment.contact_id, Enrollment.sequence_id))
    }
    sequences = {s.key: s for s in list_sequences(session)}
    rows = session.execute(
        select(Contact.id, Contact.owner_id, LeadScore.total)
        .outerjoin(LeadScore, LeadScore.contact_id == Contact.id)
        .where(Contact.lifecycle_stage.in_(NURTURED_STAGES))
    )
    counts = dict.fromkeys(by_key, 0)
    hot_ids: list[tuple[int, NurtureTier]] = []
    enroll_ids: list[tuple[int, Sequence]] = []
    for contact_id, _owner_id, total in rows:
        if contact_id in unsubscribed:
            continue
        key = rules.choose_tier(total or 0.0, [(t.key, t.min_score) for t, _ in tiers])
        if key is None:
            continue
        counts[key] += 1
        tier, sequence_key = by_key[key]
        if tier.action is TierAction.OWNER_TASK and contact_id not in open_hot:
            hot_ids.append((contact_id, tier))
        elif tier.action is TierAction.SEQUENCE and sequence_key in sequences:
            sequence = sequences[sequence_key]
            if sequence.is_active and (contact_id, sequence.id) not in ever_enrolled:
                enroll_ids.append((contact_id, sequence))
    owner_tasks = _hot_tasks(session, hot_ids, now)
    new_enrollments = [
        Enrollment(
            contact_id=cid,
            sequence_id=seq.id,
            status=EnrollmentStatus.ACTIVE,
            next_position=0,
            next_due_at=now + timedelta(days=seq.steps[0].wait_days),
            enrolled_at=now,
        )
        for cid, seq in enroll_ids
    ]
    session.add_all(new_enrollments)
    session.flush()
    return counts, owner_tasks, len(new_enrollments)


def _hot_tasks(session: Session, hot: list[tuple[int, NurtureTier]], now: datetime) -> int:
    if not hot:
        return 0
    contacts = {
        c.id: c
        for c in session.scalars(
            select(Contact)
            .options(joinedload(Contact.account), joinedload(Contact.owner))
            .where(Contact.id.in_([c for c, _ in hot]))
        )
    }
    for contact_id, tier in hot:
        contact = contacts[contact_id]
        score = session.get(LeadScore, contact_id)
        company = f" ({contact.account.name})" if contact.account else ""
        points = score.total if score else 0
        title = f"Call {contact.full_name}{company}: {tier.name.lower()} lead, score {points:g}"
        session.add(
            Task(
                owner_id=contact.owner_id,
                contact_id=contact_id,
                kind=HOT_TASK,
                title=title[:200],
                body="Reach out while the interest is fresh; read the score's reasons first.",
                due_at=rules.add_business_days(now, tier.due_business_days),
            )
        )
    session.flush()
    return len(hot)


def run_nurture(session: Session, *, actor: User | None, now: datetime | None = None) -> RunReport:
    """The daily job: tier every lead, then turn due sequence steps into tasks."""
    require_admin(actor)
    now = now or utcnow()
    counts, owner_tasks, enrolled = apply_tiers(session, now=now)
    step_tasks, completed = advance_due(session, now=now)
    return RunReport(
        tiered=counts,
        owner_tasks=owner_tasks,
        enrolled=enrolled,
        step_tasks=step_tasks,
        completed=completed,
    )


def list_tasks(
    session: Session, *, owner: User, status: TaskStatus | None = TaskStatus.OPEN, limit: int = 200
) -> list[Task]:
    """A person's tasks, soonest due first, with contacts loaded."""
    query = select(Task).options(joinedload(Task.contact)).where(Task.owner_id == owner.id)
    if status is not None:
        query = query.where(Task.status == status)
    return list(session.scalars(query.order_by(Task.due_at, Task.id).limit(limit)))


def set_task_status(
    session: Session, *, actor: User | None, task_id: int, status: TaskStatus
) -> Task:
    """Close (or reopen) a task: its owner, a manager or an admin."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist", field="task_id")
    if actor is not None and actor.id != task.owner_id and not actor.is_manager_or_admin:
        raise PermissionDenied("only the task's owner, a manager or an admin can change it")
    task.status = status
    task.completed_at = utcnow() if status is not TaskStatus.OPEN else None
    session.flush()
    return task


def enrollments_of(session: Session, contact_id: int) -> list[Enrollment]:
    """A contact's enrollments, newest first, with sequences."""
    query = (
        select(Enrollment)
        .options(joinedload(Enrollment.sequence))
        .where(Enrollment.contact_id == contact_id)
    )
    return list(session.scalars(query.order_by(Enrollment.id.desc())))
