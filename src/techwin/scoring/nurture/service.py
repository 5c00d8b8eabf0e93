"""Nurturing: put leads in tiers by score, run sequences, hand owners their tasks."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import resources

import yaml
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.auth.permissions import require_admin
from techwin.core.time import as_utc, utcnow
from techwin.db.seeds import apply_once
from techwin.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from techwin.pipeline import contacts as contact_service
from techwin.pipeline.enums import LifecycleStage
from techwin.pipeline.models import Contact
from techwin.scoring.models import LeadScore
from techwin.scoring.nurture import rules
from techwin.scoring.nurture.enums import EnrollmentStatus, TaskStatus, TierAction
from techwin.scoring.nurture.models import (
    Enrollment,
    NurtureTier,
    Sequence,
    SequenceStep,
    Task,
    Unsubscribe,
)
from techwin.scoring.nurture.schemas import NurturePlaybook, RunReport, SequenceSpec, TierSpec

NURTURED_STAGES = (LifecycleStage.LEAD, LifecycleStage.MQL, LifecycleStage.NURTURE)
HOT_TASK = "hot_lead"


def load_nurture_playbook() -> NurturePlaybook:
    """The shipped tiers and sequences, validated."""
    text = resources.files("techwin.playbook").joinpath("nurture.yaml").read_text("utf-8")
    return NurturePlaybook.model_validate(yaml.safe_load(text))


def seed_nurture(session: Session) -> None:
    """Insert the shipped tiers and sequences the first time only."""
    if not apply_once(session, "nurture.defaults.v1"):
        return
    playbook = load_nurture_playbook()
    for spec in playbook.sequences:
        _write_sequence(session, spec)
    _write_tiers(session, playbook.tiers)


def _write_sequence(session: Session, spec: SequenceSpec) -> Sequence:
    sequence = session.scalar(
        select(Sequence).options(selectinload(Sequence.steps)).where(Sequence.key == spec.key)
    )
    if sequence is None:
        sequence = Sequence(key=spec.key, name=spec.name, description=spec.description)
        session.add(sequence)
    else:
        sequence.name, sequence.description = spec.name, spec.description
        sequence.steps.clear()
        session.flush()
    sequence.steps.extend(
        SequenceStep(
            position=i, kind=s.kind, wait_days=s.wait_days, title=s.title, template=s.template
        )
        for i, s in enumerate(spec.steps)
    )
    session.flush()
    return sequence


def _write_tiers(session: Session, tiers: list[TierSpec]) -> None:
    sequences = {s.key: s.id for s in session.scalars(select(Sequence))}
    for index, tier in enumerate(tiers):
        if tier.sequence and tier.sequence not in sequences:
            raise InvalidInput(
                f"tier {tier.key!r} names unknown sequence {tier.sequence!r}",
                field="sequence",
                extra={"index": index},
            )
    for existing in session.scalars(select(NurtureTier)):
        session.delete(existing)
    session.flush()
    for tier in tiers:
        session.add(
            NurtureTier(
                key=tier.key,
                name=tier.name,
                min_score=tier.min_score,
                action=tier.action,
                sequence_id=sequences.get(tier.sequence or ""),
                due_business_days=tier.due_business_days,
            )
        )
    session.flush()


def list_tiers(session: Session) -> list[tuple[NurtureTier, str | None]]:
    """Tiers from the highest minimum down, each with its sequence key."""
    keys = {s.id: s.key for s in session.scalars(select(Sequence))}
    tiers = session.scalars(select(NurtureTier).order_by(NurtureTier.min_score.desc()))
    return [(t, keys.get(t.sequence_id or 0)) for t in tiers]


def check_ladder(tiers: list[TierSpec]) -> None:
    """Tiers run from the highest minimum score down; keys and minimums are each used once.

    A refusal names the field and, as ``extra["index"]``, the position of the tier at fault.
    """
    keys: set[str] = set()
    for index, tier in enumerate(tiers):
        if tier.key in keys:
            raise InvalidInput(
                f"two tiers use the key {tier.key!r}", field="key", extra={"index": index}
            )
        keys.add(tier.key)
        above = tiers[index - 1] if index else None
        if above is not None and tier.min_score >= above.min_score:
            message = (
                f"{above.name} already starts at {above.min_score:g}; each tier needs its own "
                "minimum score"
                if tier.min_score == above.min_score
                else f"tiers go from the highest minimum down: {tier.name} must start below "
                f"{above.name} ({above.min_score:g})"
            )
            raise InvalidInput(message, field="min_score", extra={"index": index})


def _tier_record(tier: NurtureTier, sequence: str | None) -> dict[str, object]:
    return {
        "key": tier.key,
        "name": tier.name,
        "min_score": tier.min_score,
        "action": tier.action.value,
        "sequence": sequence,
        "due_business_days": tier.due_business_days,
    }


def save_tiers(session: Session, *, actor: User | None, tiers: list[TierSpec]) -> None:
    """Replace the tiers at once (admins), given from the highest minimum score down."""
    require_admin(actor)
    check_ladder(tiers)
    before = [_tier_record(t, seq) for t, seq in list_tiers(session)]
    _write_tiers(session, tiers)
    record_audit(
        session,
        actor=actor,
        action="nurture.tiers",
        entity_type="nurture_tier",
        entity_id=0,
        summary=f"replaced nurture tiers ({', '.join(t.name for t in tiers) or 'none'})",
        before={"tiers": before},
        after={"tiers": [t.model_dump(mode="json") for t in tiers]},
    )


def list_sequences(session: Session) -> list[Sequence]:
    """Sequences with their steps."""
    return list(
        session.scalars(
            select(Sequence).options(selectinload(Sequence.steps)).order_by(Sequence.name)
        )
    )


def get_sequence(session: Session, key: str) -> Sequence:
    """A sequence by key, with steps, or NotFound."""
    sequence = session.scalar(
        select(Sequence).options(selectinload(Sequence.steps)).where(Sequence.key == key)
    )
    if sequence is None:
        raise NotFound(f"no sequence {key!r}", field="sequence")
    return sequence


def _sequence_record(sequence: Sequence) -> dict[str, object]:
    return {
        "name": sequence.name,
        "description": sequence.description,
        "is_active": sequence.is_active,
        "steps": [
            {
                "kind": s.kind.value,
                "wait_days": s.wait_days,
                "title": s.title,
                "template": s.template,
            }
            for s in sequence.steps
        ],
    }


def save_sequence(
    session: Session, *, actor: User | None, spec: SequenceSpec, now: datetime | None = None
) -> Sequence:
    """Create a sequence or replace its steps (admins).

    Contacts already in it keep their place by step number and the date of their next step;
    those whose place is now past the last step have finished it.
    """
    require_admin(actor)
    existing = session.scalar(
        select(Sequence).options(selectinload(Sequence.steps)).where(Sequence.key == spec.key)
    )
    before = _sequence_record(existing) if existing is not None else None
    sequence = _write_sequence(session, spec)
    finished = session.execute(  # type: ignore[attr-defined]
        update(Enrollment)
        .where(
            Enrollment.sequence_id == sequence.id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Enrollment.next_position >= len(spec.steps),
        )
        .values(status=EnrollmentStatus.COMPLETED, next_due_at=None, finished_at=now or utcnow())
    ).rowcount
    note = f"; {finished} contacts past its new end finished it" if finished else ""
    record_audit(
        session,
        actor=actor,
        action="nurture.sequence",
        entity_type="nurture_sequence",
        entity_id=sequence.id,
        summary=f"saved sequence {spec.key!r} ({len(spec.steps)} steps){note}",
        before=before,
        after=_sequence_record(sequence),
    )
    session.flush()
    return sequence


def create_sequence(session: Session, *, actor: User | None, spec: SequenceSpec) -> Sequence:
    """Add a new sequence (admins); refuses a key already in use rather than replacing it."""
    require_admin(actor)
    if session.scalar(select(Sequence.id).where(Sequence.key == spec.key)) is not None:
        raise Conflict(f"a sequence with the key {spec.key!r} already exists", field="key")
    return save_sequence(session, actor=actor, spec=spec)


def enrollment_counts(session: Session) -> dict[int, tuple[int, int]]:
    """Per sequence id: contacts in it now, and contacts ever enrolled in it."""
    active = func.sum(case((Enrollment.status == EnrollmentStatus.ACTIVE, 1), else_=0))
    rows = session.execute(
        select(Enrollment.sequence_id, active, func.count()).group_by(Enrollment.sequence_id)
    )
    return {int(seq): (int(now or 0), int(ever)) for seq, now, ever in rows}


def set_sequence_active(
    session: Session, *, actor: User | None, key: str, active: bool
) -> Sequence:
    """Switch a sequence on or off (admins): off, nobody new joins; contacts in it finish it."""
    require_admin(actor)
    sequence = get_sequence(session, key)
    if sequence.is_active != active:
        sequence.is_active = active
        record_audit(
            session,
            actor=actor,
            action="nurture.sequence",
            entity_type="nurture_sequence",
            entity_id=sequence.id,
            summary=f"switched sequence {key!r} {'on' if active else 'off'}",
            before={"is_active": not active},
            after={"is_active": active},
        )
        session.flush()
    return sequence


def delete_sequence(session: Session, *, actor: User | None, key: str) -> None:
    """Remove a sequence no tier uses and nobody was ever enrolled in (admins)."""
    require_admin(actor)
    sequence = get_sequence(session, key)
    users = list(
        session.scalars(select(NurtureTier.name).where(NurtureTier.sequence_id == sequence.id))
    )
    if users:
        raise InvalidState(
            f"the {', '.join(users)} tier uses {sequence.name}; give it another action first",
            field="sequence",
        )
    enrolled = enrollment_counts(session).get(sequence.id, (0, 0))[1]
    if enrolled:
        raise InvalidState(
            f"{enrolled} contacts have been in {sequence.name}; deleting it would erase their "
            "history, so switch it off instead",
            field="sequence",
        )
    record_audit(
        session,
        actor=actor,
        action="nurture.sequence.delete",
        entity_type="nurture_sequence",
        entity_id=sequence.id,
        summary=f"deleted sequence {key!r}",
        before=_sequence_record(sequence),
    )
    session.delete(sequence)
    session.flush()


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
        "first_name": contact.first_name,
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
