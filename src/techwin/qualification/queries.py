"""Read-only views of qualification for pages: which exit criteria are rated, not ticked."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.pipeline.enums import GateSubject
from techwin.pipeline.models import ExitCriterion
from techwin.qualification.models import Framework, FrameworkElement


def rated_criteria(session: Session, *, subject: GateSubject) -> dict[str, str]:
    """Exit criteria of contacts or deals met by ratings: criterion key → framework key."""
    rows = session.execute(
        select(ExitCriterion.key, ExitCriterion.config).where(
            ExitCriterion.subject == subject, ExitCriterion.kind == "qualification"
        )
    )
    return {key: str((config or {}).get("framework", "")) for key, config in rows}


def element_names(session: Session) -> dict[str, str]:
    """Element key → name across the current frameworks (shared keys share a name)."""
    rows = session.execute(
        select(FrameworkElement.key, FrameworkElement.name)
        .join(Framework, Framework.id == FrameworkElement.framework_id)
        .where(Framework.is_current.is_(True))
        .order_by(Framework.id, FrameworkElement.position)
    )
    names: dict[str, str] = {}
    for key, name in rows:
        names.setdefault(key, name)
    return names
