"""The audit log (admins see all; everyone sees a record's own timeline)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from techwin.auth.audit import list_audit
from techwin.auth.permissions import require_admin
from techwin.core.types import RecordId
from techwin.deps import ApiUser, SessionDep

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditOut(BaseModel):
    """One audit event."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    action: str
    entity_type: str
    entity_id: int
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


@router.get("", response_model=list[AuditOut])
def audit(
    session: SessionDep,
    user: ApiUser,
    entity_type: str | None = None,
    entity_id: RecordId | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[AuditOut]:
    """Newest first. Without a record named, admins only."""
    if entity_type is None or entity_id is None:
        require_admin(user)
    return [
        AuditOut.model_validate(e)
        for e in list_audit(session, entity_type=entity_type, entity_id=entity_id, limit=limit)
    ]
