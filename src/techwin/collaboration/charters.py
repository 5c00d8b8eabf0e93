"""Rules of Engagement charters: which one applies where, new revisions, acknowledgements.

The organisation's default comes from the playbook; a team may adopt its own, and a pod may
override its team's. Editing publishes a new revision (the old one is kept), and everyone who
works under it is asked to acknowledge it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from techwin.auth.audit import record_audit
from techwin.auth.enums import Role
from techwin.auth.models import Team, User
from techwin.collaboration.access import require_team_manager
from techwin.collaboration.charter_rules import (
    QualificationThreshold,
    Threshold,
    dump_thresholds,
    parse_thresholds,
)
from techwin.collaboration.enums import PodSide
from techwin.collaboration.models import Charter, CharterAcknowledgement, Pod, PodMember
from techwin.collaboration.playbook import charter_from_spec
from techwin.collaboration.pods import get_pod, pod_of_user
from techwin.collaboration.schemas import (
    AcknowledgementOut,
    CharterEdit,
    CharterOut,
    CharterScopeIn,
    CharterSpec,
)
from techwin.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from techwin.pipeline.models import Opportunity
from techwin.qualification.frameworks import list_frameworks

ACK_ROLES = (Role.AE, Role.SE, Role.MANAGER)


def get_charter(session: Session, charter_id: int) -> Charter:
    """A charter revision with its team and pod, or NotFound."""
    charter = session.scalar(
        select(Charter)
        .options(joinedload(Charter.team), joinedload(Charter.pod))
        .where(Charter.id == charter_id)
    )
    if charter is None:
        raise NotFound(f"charter {charter_id} does not exist", field="charter_id")
    return charter


def current_charter(session: Session, *, team_id: int | None, pod_id: int | None) -> Charter | None:
    """The current revision of exactly this scope's charter, if it has its own."""
    query = select(Charter).where(Charter.is_current.is_(True))
    query = query.where(
        Charter.team_id.is_(None) if team_id is None else Charter.team_id == team_id,
        Charter.pod_id.is_(None) if pod_id is None else Charter.pod_id == pod_id,
    )
    return session.scalar(query.options(joinedload(Charter.team), joinedload(Charter.pod)))


def default_charter(session: Session) -> Charter:
    """The organisation's default charter (seeded from the playbook)."""
    charter = current_charter(session, team_id=None, pod_id=None)
    if charter is None:
        raise InvalidState("no default charter exists; run 'techwin db upgrade'", field="charter")
    return charter


@dataclass(frozen=True)
class AppliedCharter:
    """The charter that governs someone's deals, and why that one."""

    charter: Charter
    pod: Pod | None
    team_id: int | None
    source: str  # "pod", "team" or "default"


def charter_for_owner(session: Session, owner: User | None) -> AppliedCharter:
    """The charter that applies to an AE's deals: their pod's override, their team's, or the
    organisation's default."""
    pod = pod_of_user(session, owner.id) if owner else None
    team_id = pod.team_id if pod and pod.team_id else (owner.team_id if owner else None)
    if pod is not None:
        own = current_charter(session, team_id=None, pod_id=pod.id)
        if own is not None:
            return AppliedCharter(own, pod, team_id, "pod")
    if team_id is not None:
        team_charter = current_charter(session, team_id=team_id, pod_id=None)
        if team_charter is not None:
            return AppliedCharter(team_charter, pod, team_id, "team")
    return AppliedCharter(default_charter(session), pod, team_id, "default")


def charter_for_deal(session: Session, deal: Opportunity) -> AppliedCharter:
    """The charter that applies to a deal (through its AE; owner must be loaded)."""
    return charter_for_owner(session, deal.owner)


def thresholds_of(charter: Charter) -> list[Threshold]:
    """A stored charter's thresholds, validated."""
    return parse_thresholds(charter.thresholds)


def spec_of(charter: Charter) -> CharterSpec:
    """A stored charter's content as an editable spec."""
    return CharterSpec(
        name=charter.name,
        rescue_phrase=charter.rescue_phrase,
        prep_lead_hours=charter.prep_lead_hours,
        prep_minutes=charter.prep_minutes,
        pricing_with_ae=charter.pricing_with_ae,
        commitments=list(charter.commitments),
        thresholds=thresholds_of(charter),
    )


def scope_label(charter: Charter) -> str:
    """``Pod Alex + Priya``, ``Team Enterprise East`` or ``Organisation default``."""
    if charter.pod is not None:
        return f"Pod {charter.pod.name}"
    if charter.team is not None:
        return f"Team {charter.team.name}"
    return "Organisation default"


def _scope_team(session: Session, charter: Charter) -> int | None:
    if charter.pod_id is not None:
        return get_pod(session, charter.pod_id).team_id
    return charter.team_id


def _require_editor(session: Session, actor: User | None, charter: Charter) -> None:
    if charter.team_id is None and charter.pod_id is None:
        if actor is not None and actor.role is not Role.ADMIN:
            raise PermissionDenied("only an admin can change the organisation's default charter")
        return
    require_team_manager(session, actor, _scope_team(session, charter))


def check_thresholds(session: Session, thresholds: list[Threshold]) -> None:
    """Refuse qualification thresholds that name an unknown framework or element."""
    frameworks = {f.key: f for f in list_frameworks(session)}
    for index, threshold in enumerate(thresholds):
        if not isinstance(threshold, QualificationThreshold):
            continue
        framework = frameworks.get(threshold.framework)
        if framework is None:
            known = ", ".join(sorted(frameworks))
            raise InvalidInput(
                f"threshold {threshold.label!r} names unknown framework "
                f"{threshold.framework!r}; known: {known}",
                field=f"thresholds.{index}.framework",
            )
        keys = [e.key for e in framework.elements]
        missing = [e for e in threshold.elements if e not in keys]
        if missing:
            raise InvalidInput(
                f"{framework.name} has no element {missing[0]!r}; its elements: {', '.join(keys)}",
                field=f"thresholds.{index}.elements",
            )


def _summary(charter: Charter) -> dict[str, object]:
    return {
        "revision": charter.revision,
        "name": charter.name,
        "rescue_phrase": charter.rescue_phrase,
        "prep_lead_hours": charter.prep_lead_hours,
        "prep_minutes": charter.prep_minutes,
        "pricing_with_ae": charter.pricing_with_ae,
        "thresholds": [t["key"] for t in charter.thresholds],
    }


def start_charter(session: Session, *, actor: User | None, scope: CharterScopeIn) -> Charter:
    """Give a team (or a pod) its own charter, starting from the one that applies there now."""
    if scope.pod_id is not None:
        pod = get_pod(session, scope.pod_id)
        require_team_manager(session, actor, pod.team_id)
        if current_charter(session, team_id=None, pod_id=pod.id) is not None:
            raise Conflict(f"pod {pod.name} has its own charter; edit it", field="pod_id")
        team_charter = (
            current_charter(session, team_id=pod.team_id, pod_id=None) if pod.team_id else None
        )
        base = team_charter or default_charter(session)
        team_id, pod_id, where = None, pod.id, f"pod {pod.name}"
    else:
        team = session.get(Team, scope.team_id)
        if team is None:
            raise NotFound(f"team {scope.team_id} does not exist", field="team_id")
        require_team_manager(session, actor, team.id)
        if current_charter(session, team_id=team.id, pod_id=None) is not None:
            raise Conflict(f"team {team.name} has its own charter; edit it", field="team_id")
        base = default_charter(session)
        team_id, pod_id, where = team.id, None, f"team {team.name}"
    charter = charter_from_spec(
        spec_of(base),
        team_id=team_id,
        pod_id=pod_id,
        revision=1,
        author_id=actor.id if actor else None,
        change_note=f"adopted from {scope_label(base).lower()} revision {base.revision}",
    )
    session.add(charter)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="charter.create",
        entity_type="charter",
        entity_id=charter.id,
        summary=f"{where} adopted its own charter",
        after=_summary(charter),
    )
    return get_charter(session, charter.id)


def edit_charter(
    session: Session, *, actor: User | None, charter: Charter, data: CharterEdit
) -> Charter:
    """Publish a new revision; everyone under it is asked to acknowledge again."""
    _require_editor(session, actor, charter)
    if not charter.is_current:
        raise InvalidState(
            f"revision {charter.revision} is not the current one; edit the current revision",
            field="based_on",
        )
    if data.based_on is not None and data.based_on != charter.revision:
        raise Conflict(
            f"the charter was changed by someone else (you edited revision {data.based_on}, "
            f"it is now at revision {charter.revision}); reload and apply your change again",
            field="based_on",
        )
    check_thresholds(session, list(data.thresholds))
    charter.is_current = False
    session.flush()
    fresh = charter_from_spec(
        data,
        team_id=charter.team_id,
        pod_id=charter.pod_id,
        revision=charter.revision + 1,
        author_id=actor.id if actor else None,
        change_note=data.change_note,
    )
    fresh.thresholds = dump_thresholds(data.thresholds)
    session.add(fresh)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="charter.edit",
        entity_type="charter",
        entity_id=fresh.id,
        summary=f"{scope_label(charter)} charter revision {fresh.revision} published",
        before=_summary(charter),
        after=_summary(fresh),
        reason=data.change_note,
    )
    return get_charter(session, fresh.id)


def acknowledge(session: Session, *, actor: User, charter: Charter) -> CharterAcknowledgement:
    """Record that ``actor`` agrees to this charter revision (idempotent)."""
    if actor.role not in ACK_ROLES:
        raise PermissionDenied("charters are acknowledged by AEs, SEs and their managers")
    if not charter.is_current:
        raise InvalidState(
            f"revision {charter.revision} was replaced; acknowledge the current revision",
            field="charter_id",
        )
    existing = session.get(CharterAcknowledgement, (charter.id, actor.id))
    if existing is not None:
        return existing
    ack = CharterAcknowledgement(charter_id=charter.id, user_id=actor.id)
    session.add(ack)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="charter.acknowledge",
        entity_type="charter",
        entity_id=charter.id,
        summary=f"acknowledged {scope_label(charter)} charter revision {charter.revision}",
    )
    return ack


@dataclass(frozen=True)
class AckRow:
    """One person expected to acknowledge a charter, and whether (and when) they did."""

    user: User
    side: str
    at: datetime | None


def _people_in_scope(session: Session, charter: Charter) -> list[tuple[User, str]]:
    if charter.pod_id is not None:
        pod = get_pod(session, charter.pod_id)
        return [(m.user, m.side.value) for m in pod.members]
    query = (
        select(User)
        .where(User.is_active.is_(True), User.role.in_((Role.AE, Role.SE)))
        .order_by(User.role, User.full_name)
    )
    if charter.team_id is not None:
        query = query.where(User.team_id == charter.team_id)
    else:
        own = select(Charter.team_id).where(
            Charter.is_current.is_(True), Charter.team_id.is_not(None)
        )
        query = query.where((User.team_id.is_(None)) | (User.team_id.not_in(own)))
    users = list(session.scalars(query))
    if charter.team_id is None and charter.pod_id is None:
        overridden = select(PodMember.user_id).where(
            PodMember.pod_id.in_(
                select(Charter.pod_id).where(
                    Charter.is_current.is_(True), Charter.pod_id.is_not(None)
                )
            )
        )
        skip = set(session.scalars(overridden))
        users = [u for u in users if u.id not in skip]
    return [(u, PodSide.SE.value if u.role is Role.SE else PodSide.AE.value) for u in users]


def acknowledgements(session: Session, charter: Charter) -> list[AckRow]:
    """Everyone who works under this charter, with their acknowledgement of this revision."""
    people = _people_in_scope(session, charter)
    done = {
        ack.user_id: ack.at
        for ack in session.scalars(
            select(CharterAcknowledgement).where(CharterAcknowledgement.charter_id == charter.id)
        )
    }
    return [AckRow(user, side, done.get(user.id)) for user, side in people]


def has_acknowledged(session: Session, *, user_id: int, charter_id: int) -> bool:
    """Whether a person acknowledged this revision."""
    return session.get(CharterAcknowledgement, (charter_id, user_id)) is not None


def list_current_charters(session: Session) -> list[Charter]:
    """The current revision of every charter: the default, then teams, then pods."""
    query = (
        select(Charter)
        .options(joinedload(Charter.team), joinedload(Charter.pod))
        .where(Charter.is_current.is_(True))
        .order_by(Charter.pod_id.is_not(None), Charter.team_id.is_not(None), Charter.id)
    )
    return list(session.scalars(query))


def revisions(session: Session, charter: Charter) -> list[Charter]:
    """Every revision of this charter's scope, newest first."""
    query = select(Charter).options(joinedload(Charter.created_by))
    query = query.where(
        Charter.team_id.is_(None)
        if charter.team_id is None
        else Charter.team_id == charter.team_id,
        Charter.pod_id.is_(None) if charter.pod_id is None else Charter.pod_id == charter.pod_id,
    )
    return list(session.scalars(query.order_by(Charter.revision.desc())))


def charter_out(charter: Charter, acks: list[AckRow] | None = None) -> CharterOut:
    """The API shape of a charter revision (team and pod must be loaded)."""
    return CharterOut(
        id=charter.id,
        scope=scope_label(charter),
        team_id=charter.team_id,
        pod_id=charter.pod_id,
        revision=charter.revision,
        is_current=charter.is_current,
        name=charter.name,
        rescue_phrase=charter.rescue_phrase,
        prep_lead_hours=charter.prep_lead_hours,
        prep_minutes=charter.prep_minutes,
        pricing_with_ae=charter.pricing_with_ae,
        commitments=list(charter.commitments),
        thresholds=list(charter.thresholds),
        change_note=charter.change_note,
        created_at=charter.created_at,
        acknowledgements=[
            AcknowledgementOut(
                user_id=a.user.id, full_name=a.user.full_name, side=a.side, acknowledged_at=a.at
            )
            for a in acks or []
        ],
    )
