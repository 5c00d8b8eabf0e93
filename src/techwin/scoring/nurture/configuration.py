"""The nurture set-up: the shipped tiers and sequences, and the admins' edits of them (the tier
ladder by score, sequences and their steps), every change audited."""

from __future__ import annotations

from datetime import datetime
from importlib import resources

import yaml
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, selectinload

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.auth.permissions import require_admin
from techwin.core.time import utcnow
from techwin.db.seeds import apply_once
from techwin.errors import Conflict, InvalidInput, InvalidState, NotFound
from techwin.scoring.nurture.enums import EnrollmentStatus
from techwin.scoring.nurture.models import (
    Enrollment,
    NurtureTier,
    Sequence,
    SequenceStep,
)
from techwin.scoring.nurture.schemas import NurturePlaybook, SequenceSpec, TierSpec


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
