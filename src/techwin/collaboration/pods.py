"""Pods (AE/SE pairings), the SE:AE ratio per team, and SE profiles for assignment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from techwin.auth.audit import record_audit, record_update
from techwin.auth.enums import Role
from techwin.auth.models import Team, User
from techwin.collaboration.access import require_team_manager
from techwin.collaboration.enums import PodSide
from techwin.collaboration.models import Pod, PodMember, SEProfile
from techwin.collaboration.schemas import PodIn, PodMemberIn, SEProfileIn, SEProfileOut
from techwin.core.concurrency import check_version
from techwin.errors import Conflict, InvalidInput, NotFound

SE_ROLES = (Role.SE, Role.MANAGER)
AE_ROLES = (Role.AE, Role.MANAGER)


def ratio_text(se_count: int, ae_count: int) -> str:
    """``1:3`` style SE:AE ratio (``—`` without AEs)."""
    if ae_count == 0:
        return f"{se_count}:0" if se_count else "—"
    if se_count == 0:
        return f"0:{ae_count}"
    simple = Fraction(se_count, ae_count)
    if simple.numerator == 1 or simple.denominator == 1:
        return f"{simple.numerator}:{simple.denominator}"
    return f"1:{ae_count / se_count:.1f}"


_POD_OPTIONS = (selectinload(Pod.members).joinedload(PodMember.user), joinedload(Pod.team))


def get_pod(session: Session, pod_id: int) -> Pod:
    """A pod with its members and team, or NotFound."""
    pod = session.scalar(select(Pod).options(*_POD_OPTIONS).where(Pod.id == pod_id))
    if pod is None:
        raise NotFound(f"pod {pod_id} does not exist", field="pod_id")
    return pod


def list_pods(session: Session, *, team_id: int | None = None) -> list[Pod]:
    """Pods by name (optionally one team's), members loaded."""
    query = select(Pod).options(*_POD_OPTIONS).order_by(Pod.name)
    if team_id is not None:
        query = query.where(Pod.team_id == team_id)
    return list(session.scalars(query))


def pod_of_user(session: Session, user_id: int | None) -> Pod | None:
    """The pod an AE (or else an SE) belongs to, members loaded."""
    if user_id is None:
        return None
    rows = session.execute(
        select(PodMember.pod_id, PodMember.side)
        .where(PodMember.user_id == user_id)
        .order_by(PodMember.side, PodMember.pod_id)
    ).all()
    if not rows:
        return None
    return get_pod(session, rows[0][0])


def _members(
    session: Session, members: Sequence[PodMemberIn], pod_id: int | None
) -> list[PodMember]:
    seen: set[int] = set()
    result = []
    for member in members:
        if member.user_id in seen:
            raise InvalidInput("a person can be in a pod only once", field="members")
        seen.add(member.user_id)
        user = session.get(User, member.user_id)
        if user is None or not user.is_active:
            raise InvalidInput(f"user {member.user_id} does not exist", field="members")
        allowed = SE_ROLES if member.side is PodSide.SE else AE_ROLES
        if user.role not in allowed:
            side = "solutions engineer" if member.side is PodSide.SE else "account executive"
            raise InvalidInput(
                f"{user.full_name} is a {user.role.value}, not a {side}", field="members"
            )
        if member.side is PodSide.AE:
            other = session.scalar(
                select(Pod.name)
                .join(PodMember, PodMember.pod_id == Pod.id)
                .where(
                    PodMember.user_id == user.id,
                    PodMember.side == PodSide.AE,
                    Pod.id != (pod_id or 0),
                )
            )
            if other is not None:
                raise Conflict(
                    f"{user.full_name} is already the AE of pod {other}; an AE has one pod",
                    field="members",
                )
        result.append(PodMember(user_id=user.id, side=member.side))
    return result


def _check_team(session: Session, team_id: int | None) -> None:
    if team_id is not None and session.get(Team, team_id) is None:
        raise InvalidInput(f"team {team_id} does not exist", field="team_id")


def _check_name(session: Session, name: str, pod_id: int | None) -> None:
    clash = session.scalar(select(Pod.id).where(Pod.name == name, Pod.id != (pod_id or 0)))
    if clash is not None:
        raise Conflict(f"a pod named {name!r} exists", field="name")


def _snapshot(pod: Pod) -> dict[str, object]:
    return {
        "name": pod.name,
        "team_id": pod.team_id,
        "members": sorted(f"{m.side.value}:{m.user_id}" for m in pod.members),
        "version": pod.version,
    }


def create_pod(session: Session, *, actor: User | None, data: PodIn) -> Pod:
    """Pair AEs and SEs in a new pod (managers of the team, admins)."""
    require_team_manager(session, actor, data.team_id)
    _check_team(session, data.team_id)
    _check_name(session, data.name, None)
    pod = Pod(name=data.name, team_id=data.team_id)
    pod.members = _members(session, data.members, None)
    session.add(pod)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="pod.create",
        entity_type="pod",
        entity_id=pod.id,
        summary=f"created pod {pod.name}",
        after=_snapshot(pod),
    )
    return get_pod(session, pod.id)


def update_pod(session: Session, *, actor: User | None, pod: Pod, data: PodIn) -> Pod:
    """Rename a pod, move it to a team, or change its members (stale versions refused)."""
    require_team_manager(session, actor, pod.team_id)
    if data.team_id != pod.team_id:
        require_team_manager(session, actor, data.team_id)
    before = _snapshot(pod)
    check_version(pod.version, data.version, what="pod", values=before)
    _check_team(session, data.team_id)
    _check_name(session, data.name, pod.id)
    members = _members(session, data.members, pod.id)
    version = pod.version
    pod.members.clear()
    session.flush()
    pod.name, pod.team_id = data.name, data.team_id
    pod.members.extend(members)
    pod.version = version + 1  # members live in another table; the pod changed all the same
    session.flush()
    record_update(
        session,
        actor=actor,
        entity_type="pod",
        entity_id=pod.id,
        before=before,
        after=_snapshot(pod),
    )
    return get_pod(session, pod.id)


def delete_pod(session: Session, *, actor: User | None, pod: Pod) -> None:
    """Dissolve a pod (its charter override goes with it)."""
    require_team_manager(session, actor, pod.team_id)
    record_audit(
        session,
        actor=actor,
        action="pod.delete",
        entity_type="pod",
        entity_id=pod.id,
        summary=f"dissolved pod {pod.name}",
        before=_snapshot(pod),
    )
    session.delete(pod)
    session.flush()


@dataclass(frozen=True)
class PodCounts:
    """How many SEs and AEs a pod has."""

    se_count: int
    ae_count: int

    @property
    def ratio(self) -> str:
        """The SE:AE ratio as text."""
        return ratio_text(self.se_count, self.ae_count)


def pod_counts(pod: Pod) -> PodCounts:
    """SE and AE head-counts of a pod (members loaded)."""
    return PodCounts(
        se_count=sum(m.side is PodSide.SE for m in pod.members),
        ae_count=sum(m.side is PodSide.AE for m in pod.members),
    )


@dataclass(frozen=True)
class TeamCoverage:
    """A team's SE:AE ratio (people in the team by role) and its pods."""

    team: Team
    se_count: int
    ae_count: int
    pods: list[Pod]

    @property
    def ratio(self) -> str:
        """The SE:AE ratio as text."""
        return ratio_text(self.se_count, self.ae_count)


def team_coverage(session: Session) -> list[TeamCoverage]:
    """Every team with its SE and AE head-counts and its pods (three queries)."""
    teams = list(session.scalars(select(Team).order_by(Team.name)))
    people = session.execute(
        select(User.team_id, User.role).where(
            User.is_active.is_(True), User.team_id.is_not(None), User.role.in_((Role.SE, Role.AE))
        )
    ).all()
    pods = list_pods(session)
    result = []
    for team in teams:
        roles = [role for team_id, role in people if team_id == team.id]
        result.append(
            TeamCoverage(
                team=team,
                se_count=roles.count(Role.SE),
                ae_count=roles.count(Role.AE),
                pods=[p for p in pods if p.team_id == team.id],
            )
        )
    return result


# ---------- SE profiles ----------


def get_profile(session: Session, user_id: int) -> SEProfile | None:
    """An SE's profile, if one was recorded."""
    return session.get(SEProfile, user_id)


def profile_out(user_id: int, profile: SEProfile | None) -> SEProfileOut:
    """The API shape of a profile (defaults when none was recorded)."""
    if profile is None:
        return SEProfileOut(
            user_id=user_id, skills=[], territories=[], weekly_capacity_hours=30, version=0
        )
    return SEProfileOut.model_validate(profile)


def list_profiles(session: Session) -> list[tuple[User, SEProfile | None]]:
    """Every active SE with their profile (two queries)."""
    users = list(
        session.scalars(
            select(User)
            .where(User.role == Role.SE, User.is_active.is_(True))
            .order_by(User.full_name)
        )
    )
    profiles = {
        p.user_id: p
        for p in session.scalars(
            select(SEProfile).where(SEProfile.user_id.in_([u.id for u in users]))
        )
    }
    return [(u, profiles.get(u.id)) for u in users]


def save_profile(
    session: Session, *, actor: User | None, user_id: int, data: SEProfileIn
) -> SEProfile:
    """Record an SE's skills, territories and weekly capacity (their team's manager, admins)."""
    user = session.get(User, user_id)
    if user is None or user.role not in SE_ROLES:
        raise NotFound(f"user {user_id} is not a solutions engineer", field="user_id")
    require_team_manager(session, actor, user.team_id)
    profile = session.get(SEProfile, user_id)
    before = profile_out(user_id, profile).model_dump(mode="json")
    if profile is None:
        if data.version not in (None, 0):
            check_version(0, data.version, what="SE profile", values=before)
        profile = SEProfile(user_id=user_id)
        session.add(profile)
    else:
        check_version(profile.version, data.version, what="SE profile", values=before)
    profile.skills = data.skills
    profile.territories = data.territories
    profile.weekly_capacity_hours = data.weekly_capacity_hours
    session.flush()
    record_update(
        session,
        actor=actor,
        entity_type="se_profile",
        entity_id=user_id,
        before=before,
        after=profile_out(user_id, profile).model_dump(mode="json"),
    )
    return profile
