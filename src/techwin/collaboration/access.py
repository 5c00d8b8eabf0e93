"""Who may do what in two in a box (checked by the services, whichever adapter calls them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.auth.enums import Role
from techwin.auth.models import Team, User
from techwin.collaboration.models import Pod, PodMember
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


@dataclass(frozen=True)
class PodScope:
    """Whose pods a person sees in the discipline figures.

    ``pod_ids`` None means every pod, and the calls on deals of AEs outside any pod.
    ``every_team`` says the view is the whole organisation's; ``can_widen`` that a manager may
    switch between their own teams and every team.
    """

    pod_ids: frozenset[int] | None
    every_team: bool
    can_widen: bool


def discipline_scope(session: Session, actor: User | None, *, every_team: bool = False) -> PodScope:
    """Admins (and the CLI) see every pod; managers the pods of their teams and pods without a
    team (or every team's when they ask); AEs and SEs the pods they are in; anyone else is
    refused."""
    if actor is None or actor.role is Role.ADMIN:
        return PodScope(None, True, False)
    if actor.role not in (Role.MANAGER, Role.AE, Role.SE):
        raise PermissionDenied(
            "huddle and debrief discipline is for managers, admins and the AEs and SEs of a pod"
        )
    if actor.role is Role.MANAGER:
        teams = managed_team_ids(session, actor) or set()
        if every_team or not teams:
            return PodScope(None, True, bool(teams))
        return PodScope(team_pods(session, teams), False, True)
    member_of = session.scalars(select(PodMember.pod_id).where(PodMember.user_id == actor.id))
    return PodScope(frozenset(member_of), False, False)


def team_pods(session: Session, teams: set[int]) -> frozenset[int]:
    """The pods of ``teams``, and the pods that belong to no team (every manager oversees
    those)."""
    rows = session.execute(select(Pod.id, Pod.team_id))
    return frozenset(pod_id for pod_id, team in rows if team is None or team in teams)
