"""The organisation's two-in-a-box set-up: pods pairing each team's AEs with its SEs, SE profiles,
the Rules of Engagement charters in force (the default, a team's stricter one, a pod's looser
one) and who acknowledged which revision.

Pods follow the pairing the history already used (an AE's deals go first to the SE at the same
position in the team, round robin), so an SE covers one or two AEs, as in real teams.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from techwin.auth.enums import Role, SELevel
from techwin.auth.models import Team, User
from techwin.collaboration.charter_rules import Threshold, dump_thresholds, parse_thresholds
from techwin.collaboration.enums import PodSide
from techwin.collaboration.models import Charter
from techwin.demo.box_rows import Sink
from techwin.demo.collab_words import (
    CHARTER_CHANGE_NOTES,
    DOMAIN_SKILLS,
    KIND_SKILLS,
    POD_CHARTER_NOTE,
)
from techwin.demo.people import team_layout
from techwin.demo.words import REGIONS

OVERRIDE_EVERY = 12  # one team in so many adopts its own charter (and one pod its own)
CAPACITY = {SELevel.ASSOCIATE: (35, 40), SELevel.SENIOR: (30, 36), SELevel.PRINCIPAL: (24, 30)}


@dataclass(frozen=True)
class CharterRevision:
    """A charter revision as the pass applies it."""

    id: int
    team_id: int | None
    pod_id: int | None
    created_at: datetime
    thresholds: list[Threshold]


@dataclass(frozen=True)
class PodInfo:
    """An AE's pod, and how faithfully it huddles before and debriefs after major calls."""

    id: int
    se_id: int
    huddle_rate: float
    debrief_rate: float


@dataclass
class BoxOrg:
    """Who works with whom, and the charters in force."""

    names: dict[int, str] = field(default_factory=dict)
    roles: dict[int, Role] = field(default_factory=dict)
    team_of: dict[int, int | None] = field(default_factory=dict)
    team_manager: dict[int, int] = field(default_factory=dict)
    pods: dict[int, PodInfo] = field(default_factory=dict)  # AE id → pod
    default: CharterRevision | None = None
    team_charters: dict[int, list[CharterRevision]] = field(default_factory=dict)
    pod_charters: dict[int, list[CharterRevision]] = field(default_factory=dict)
    reporters: list[int] = field(default_factory=list)  # PMs and SEs who record product gaps

    def manager_of(self, user_id: int) -> int | None:
        """The manager of a person's team."""
        team = self.team_of.get(user_id)
        return None if team is None else self.team_manager.get(team)

    def charter_at(self, owner_id: int, at: datetime) -> CharterRevision:
        """The charter revision governing an AE's deals at ``at``: their pod's, their team's,
        or the organisation's default."""
        assert self.default is not None
        pod = self.pods.get(owner_id)
        team = self.team_of.get(owner_id)
        for revisions in (
            self.pod_charters.get(pod.id, []) if pod else [],
            self.team_charters.get(team, []) if team is not None else [],
        ):
            current = [r for r in revisions if r.created_at <= at]
            if current:
                return current[-1]
        return self.default


def compose(session: Session, rng: random.Random, sink: Sink, *, horizon: datetime) -> BoxOrg:
    """Pods, SE profiles, charters and acknowledgements, held in ``sink``; and what the deals
    need to know of them."""
    org = BoxOrg()
    since = horizon - timedelta(days=820)  # when the history's people and teams were created
    users = session.execute(
        select(User.id, User.full_name, User.role, User.team_id, User.se_level)
        .where(User.is_active.is_(True))
        .order_by(User.id)
    ).all()
    teams = session.execute(select(Team.id, Team.name, Team.manager_id).order_by(Team.id)).all()
    for user_id, name, role, team_id, _level in users:
        org.names[user_id] = name
        org.roles[user_id] = role
        org.team_of[user_id] = team_id
        if role in (Role.PM, Role.SE):
            org.reporters.append(user_id)
    org.team_manager = {t: m for t, _name, m in teams if m is not None}
    levels = {u[0]: u[4] for u in users}
    specs = _team_specs([name for _id, name, _m in teams])
    pods_by_team: dict[int, list[tuple[int, int, list[int]]]] = {}
    for team_id, team_name, _manager in teams:
        ses = [u[0] for u in users if u[3] == team_id and u[2] is Role.SE]
        aes = [u[0] for u in users if u[3] == team_id and u[2] is Role.AE]
        regions, segments = specs.get(team_name, ((), ()))
        for position, se in enumerate(ses):
            _profile(rng, sink, se, levels.get(se), regions, segments, position, since)
        if not ses:
            continue
        covered: dict[int, list[int]] = {}
        for position, ae in enumerate(aes):
            covered.setdefault(ses[position % len(ses)], []).append(ae)
        for se, their_aes in covered.items():
            pod_id = sink.take("pod")
            first = [org.names[a].split()[0] for a in their_aes]
            sink.add(
                "pod",
                {
                    "id": pod_id,
                    "name": f"{org.names[se]} + {', '.join(first)}"[:120],
                    "team_id": team_id,
                    "created_at": since + timedelta(days=rng.randint(1, 10)),
                    "updated_at": since + timedelta(days=rng.randint(11, 30)),
                    "version": 1,
                },
            )
            for user_id, side in ((se, PodSide.SE), *((a, PodSide.AE) for a in their_aes)):
                sink.add("pod_member", {"pod_id": pod_id, "user_id": user_id, "side": side})
            huddles = rng.uniform(0.62, 0.94)
            info = PodInfo(pod_id, se, huddles, max(0.45, huddles - rng.uniform(0.03, 0.15)))
            for ae in their_aes:
                org.pods[ae] = info
            pods_by_team.setdefault(team_id, []).append((pod_id, se, their_aes))
    _charters(session, rng, sink, org, teams, pods_by_team, users, since, horizon)
    return org


def _team_specs(names: list[str]) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Team name → (regions, segments) covered, from the layout the organisation was built on."""
    try:
        layout = team_layout(len(names))
    except ValueError:
        return {}
    every = tuple(region for region, _share in REGIONS)
    return {t.name: (t.regions or every, t.segments) for t in layout}


def _profile(
    rng: random.Random,
    sink: Sink,
    se: int,
    level: SELevel | None,
    regions: tuple[str, ...],
    segments: tuple[str, ...],
    position: int,
    since: datetime,
) -> None:
    """Skills, territory (the team's segment and a region or two of it) and weekly capacity."""
    skills = rng.sample(DOMAIN_SKILLS, k=rng.randint(2, 4))
    skills += rng.sample(KIND_SKILLS, k=3 if level is SELevel.PRINCIPAL else rng.randint(1, 2))
    if len(regions) > 1:
        own = [regions[position % len(regions)]]
        if rng.random() < 0.4:
            own.append(regions[(position + 1) % len(regions)])
    else:
        own = list(regions)
    low, high = CAPACITY.get(level or SELevel.SENIOR, (30, 36))
    sink.add(
        "se_profile",
        {
            "user_id": se,
            "skills": skills,
            "territories": [t.lower() for t in (*segments, *own)],
            "weekly_capacity_hours": rng.randint(low, high),
            "created_at": since + timedelta(days=rng.randint(1, 20)),
            "updated_at": since + timedelta(days=rng.randint(21, 200)),
            "version": 1,
        },
    )


def _window(threshold: dict[str, Any], months: int) -> dict[str, Any]:
    """A timeline threshold with another window, its label saying so."""
    return {**threshold, "max_months": months, "label": f"Decision expected within {months} months"}


def _commitments(commitments: list[str], thresholds: list[dict[str, Any]]) -> list[str]:
    """The default's commitments, their decision window matching the thresholds'."""
    months = next((t["max_months"] for t in thresholds if t.get("kind") == "timeline"), None)
    if months is None or months not in MONTH_WORDS:
        return list(commitments)
    return [c.replace("within six months", f"within {MONTH_WORDS[months]}") for c in commitments]


MONTH_WORDS = {4: "four months", 6: "six months", 9: "nine months"}


def _stricter(thresholds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The default's thresholds with a four-month window and five days' notice."""
    changed = [_window(t, 4) if t.get("kind") == "timeline" else dict(t) for t in thresholds]
    kinds = sorted({k for t in thresholds for k in t.get("applies_to", [])}) or ["custom_demo"]
    changed.append(
        {
            "key": "five_days_notice",
            "label": "Five days' notice",
            "kind": "notice",
            "applies_to": kinds,
            "min_days": 5,
        }
    )
    return changed


def _looser(thresholds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The default's thresholds with a nine-month window; the sponsor only for POCs."""
    looser = []
    for t in thresholds:
        if t.get("kind") == "timeline":
            looser.append(_window(t, 9))
        elif t.get("kind") == "stakeholder":
            looser.append({**t, "applies_to": ["poc"]})
        else:
            looser.append(dict(t))
    return looser


def _charters(
    session: Session,
    rng: random.Random,
    sink: Sink,
    org: BoxOrg,
    teams: Sequence[Any],
    pods_by_team: dict[int, list[tuple[int, int, list[int]]]],
    users: Sequence[Any],
    since: datetime,
    horizon: datetime,
) -> None:
    """The default in force since the start; a team's own (adopted, then tightened lately)
    and a pod's looser override; everyone's acknowledgements, a few still missing."""
    default = session.scalar(
        select(Charter)
        .where(Charter.team_id.is_(None), Charter.pod_id.is_(None), Charter.is_current.is_(True))
        .order_by(Charter.id.desc())
    )
    if default is None:
        raise RuntimeError("no default charter: seed the playbook before generating the demo")
    # The organisation's rules were in force from its start (the seed stamps the wall clock).
    session.execute(update(Charter).where(Charter.id == default.id).values(created_at=since))
    base = [dict(t) for t in default.thresholds]
    org.default = CharterRevision(default.id, None, None, since, parse_thresholds(base))
    staff = [(u[0], u[3]) for u in users if u[2] in (Role.AE, Role.SE)]
    _acknowledge(rng, sink, default.id, [u for u, _team in staff], since, horizon, 0.93)

    def publish(
        team_id: int | None, pod_id: int | None, revision: int, at: datetime, **values: Any
    ) -> CharterRevision:
        charter_id = sink.take("charter")
        given = values.pop("thresholds")
        thresholds = dump_thresholds(parse_thresholds(given))
        sink.add(
            "charter",
            {
                "id": charter_id,
                "team_id": team_id,
                "pod_id": pod_id,
                "revision": revision,
                "is_current": values.pop("is_current", True),
                "name": values.pop("name"),
                "rescue_phrase": default.rescue_phrase,
                "prep_lead_hours": default.prep_lead_hours,
                "prep_minutes": default.prep_minutes,
                "pricing_with_ae": default.pricing_with_ae,
                "commitments": _commitments(list(default.commitments), given),
                "thresholds": thresholds,
                "change_note": values.pop("change_note"),
                "created_at": at,
                "created_by_id": values.pop("author"),
            },
        )
        return CharterRevision(charter_id, team_id, pod_id, at, parse_thresholds(thresholds))

    for team_id, team_name, manager in teams[1::OVERRIDE_EVERY]:
        members = [u for u, team in staff if team == team_id]
        adopted = since + timedelta(days=rng.randint(25, 45))
        first = publish(
            team_id, None, 1, adopted, thresholds=base, is_current=False, author=manager,
            name=f"{default.name} — {team_name}",
            change_note=f"adopted from organisation default revision {default.revision}",
        )  # fmt: skip
        tightened = horizon - timedelta(days=rng.randint(12, 20), hours=rng.randint(1, 9))
        second = publish(
            team_id, None, 2, tightened, thresholds=_stricter(base), author=manager,
            name=f"{default.name} — {team_name}", change_note=CHARTER_CHANGE_NOTES[0],
        )  # fmt: skip
        org.team_charters[team_id] = [first, second]
        _acknowledge(rng, sink, first.id, members, adopted, horizon, 0.97)
        _acknowledge(rng, sink, second.id, members, tightened, horizon, 0.7)
    for team_id, _team_name, manager in teams[0::OVERRIDE_EVERY]:
        pods = pods_by_team.get(team_id, [])
        if len(pods) < 2:
            continue
        pod_id, se, aes = pods[-1]
        at = horizon - timedelta(days=rng.randint(100, 160))
        revision = publish(
            None, pod_id, 1, at, thresholds=_looser(base), author=manager,
            name=f"{default.name} — pod of {org.names[se]}"[:120], change_note=POD_CHARTER_NOTE,
        )  # fmt: skip
        org.pod_charters[pod_id] = [revision]
        _acknowledge(rng, sink, revision.id, [se, *aes], at, horizon, 0.9)


def _acknowledge(
    rng: random.Random,
    sink: Sink,
    charter_id: int,
    people: list[int],
    published: datetime,
    horizon: datetime,
    share: float,
) -> None:
    """Most people acknowledge a revision within days of its publication; some have not yet."""
    room = max(60.0, (horizon - published).total_seconds() - 3600)
    for user_id in people:
        if rng.random() >= share:
            continue
        delay = min(room, rng.uniform(0.05, 1.0) * min(room, 20 * 86400.0))
        sink.add(
            "charter_acknowledgement",
            {
                "charter_id": charter_id,
                "user_id": user_id,
                "at": published + timedelta(seconds=int(delay)),
            },
        )
