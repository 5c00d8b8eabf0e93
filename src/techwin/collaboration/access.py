"""Who may do what in two in a box (checked by the services, whichever adapter calls them)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.auth.enums import Role
from techwin.auth.models import Team, User
from techwin.errors import PermissionDenied


def require_manager(actor: User | None, doing: str) -> None:
    """Managers and admins (and the operator's CLI, ``actor=None``) only."""
    if actor is not None and not actor.is_manager_or_admin:
        raise PermissionDenied(f"only a manager or an admin can {doing}")


def managed_team_ids(session: Session, actor: User | None) -> set[int] | None:
    """The teams a manager looks after (their own and those they lead); None means every team."""
    if actor is None or actor.role is Role.ADMIN:
        return None
    if actor.role is not Role.MANAGER:
        return set()
    led = set(session.scalars(select(Team.id).where(Team.manager_id == actor.id)))
    return led | ({actor.team_id} if actor.team_id is not None else set())


def require_team_manager(session: Session, actor: User | None, team_id: int | None) -> None:
    """Raise unless ``actor`` is an admin or manages ``team_id`` (no team: any manager)."""
    require_manager(actor, "change this team's pods, charter or SE profiles")
    teams = managed_team_ids(session, actor)
    if teams is None or team_id is None:
        return
    if team_id not in teams:
        raise PermissionDenied("a manager can only change the pods and charter of their own team")
