"""The audit log: significant changes with who, when, before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from techwin.auth.models import AuditEvent, User


def record_audit(
    session: Session,
    *,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: int,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Append one audit event (flushed with the change it describes)."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        summary=summary[:300],
        before=before,
        after=after,
        reason=reason,
    )
    session.add(event)
    return event


def list_audit(
    session: Session,
    *,
    entity_type: str | None = None,
    entity_id: int | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """Newest audit events first, optionally for one record."""
    query = select(AuditEvent).options(selectinload(AuditEvent.actor))
    if entity_type is not None:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return list(session.scalars(query))


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose value changed, for compact before/after records."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record_update(
    session: Session,
    *,
    actor: User | None,
    entity_type: str,
    entity_id: int,
    before: dict[str, Any],
    after: dict[str, Any],
) -> bool:
    """Audit an edit with only the fields that changed (the version counter aside).

    Returns whether anything changed, so callers can tell listeners only about real edits.
    """
    old, new = changed_fields(before, after)
    old.pop("version", None)
    new.pop("version", None)
    if not new:
        return False
    record_audit(
        session,
        actor=actor,
        action=f"{entity_type}.update",
        entity_type=entity_type,
        entity_id=entity_id,
        summary="changed " + ", ".join(sorted(new)),
        before=old,
        after=new,
    )
    return True
