"""The demo organisation's people: a presales director, SE managers with their teams, SEs at
every level, account executives, and one admin, product manager and viewer."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from techwin.auth.enums import Role, SELevel
from techwin.demo.words import FIRST_NAMES, LAST_NAMES, REGIONS

DEMO_DOMAIN = "demo.techwin.dev"
DEMO_PASSWORD = "techwin-demo"  # noqa: S105 - the published password of the demo organisation

# Segments split accounts by size; each SE team covers one or more segments.
ENTERPRISE, MID_MARKET, COMMERCIAL = "enterprise", "mid-market", "commercial"


@dataclass(frozen=True)
class TeamSpec:
    """A team of SEs and AEs under one SE manager, covering account segments (in some regions
    only, when ``regions`` is given)."""

    name: str
    segments: tuple[str, ...]
    regions: tuple[str, ...] | None = None


# Two teams at small scale, three at medium; the segments tell who owns which accounts. Larger
# organisations split every segment by region (see :func:`team_layout`).
TEAM_LAYOUTS: dict[int, tuple[TeamSpec, ...]] = {
    2: (
        TeamSpec("Enterprise", (ENTERPRISE,)),
        TeamSpec("Growth", (MID_MARKET, COMMERCIAL)),
    ),
    3: (
        TeamSpec("Enterprise", (ENTERPRISE,)),
        TeamSpec("Mid-Market", (MID_MARKET,)),
        TeamSpec("Commercial", (COMMERCIAL,)),
    ),
}

# How a large organisation shares its SE teams between segments: by the work each brings (the
# bigger the companies, the more of their people are leads and the longer their deals take).
SEGMENT_TEAM_SHARES = ((ENTERPRISE, 0.4), (MID_MARKET, 0.35), (COMMERCIAL, 0.25))
SEGMENT_NAMES = {ENTERPRISE: "Enterprise", MID_MARKET: "Mid-Market", COMMERCIAL: "Commercial"}


def _apportion(total: int, shares: Sequence[float]) -> list[int]:
    """``total`` split by ``shares`` (largest remainder), at least one each."""
    scale = sum(shares)
    exact = [total * share / scale for share in shares]
    counts = [max(1, int(value)) for value in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - exact[i])
    for index in itertools.islice(itertools.cycle(by_remainder), max(0, total - sum(counts))):
        counts[index] += 1
    return counts


def team_layout(managers: int) -> tuple[TeamSpec, ...]:
    """The teams of an organisation with ``managers`` SE managers.

    Two and three teams split by segment; more teams cover one segment in one region each,
    as many per segment and region as its share of the work asks for.
    """
    if managers in TEAM_LAYOUTS:
        return TEAM_LAYOUTS[managers]
    if managers < len(SEGMENT_TEAM_SHARES) * len(REGIONS):
        raise ValueError(f"no team layout for {managers} SE managers")
    teams: list[TeamSpec] = []
    per_segment = _apportion(managers, [share for _, share in SEGMENT_TEAM_SHARES])
    for (segment, _), count in zip(SEGMENT_TEAM_SHARES, per_segment, strict=True):
        per_region = _apportion(count, [weight for _, weight in REGIONS])
        for (region, _), teams_here in zip(REGIONS, per_region, strict=True):
            for number in range(1, teams_here + 1):
                suffix = f" {number}" if teams_here > 1 else ""
                teams.append(
                    TeamSpec(f"{SEGMENT_NAMES[segment]} {region}{suffix}", (segment,), (region,))
                )
    if len(teams) != managers:
        raise ValueError(f"{managers} SE managers cannot lead a team in every segment and region")
    return tuple(teams)


SE_LEVEL_TITLES = {
    SELevel.ASSOCIATE: "Solutions Engineer",
    SELevel.SENIOR: "Senior Solutions Engineer",
    SELevel.PRINCIPAL: "Principal Solutions Engineer",
}


@dataclass(frozen=True)
class DemoLogin:
    """A demo account someone can sign in with (all share :data:`DEMO_PASSWORD`)."""

    email: str
    role: Role
    name: str
    level: SELevel | None = None
    title: str | None = None


@dataclass
class Person:
    """A user of the demo organisation before it is written (ids are assigned up front)."""

    id: int
    email: str
    full_name: str
    role: Role
    title: str
    se_level: SELevel | None = None
    team_index: int | None = None
    manager_id: int | None = None


@dataclass
class Org:
    """Everyone in the demo organisation, and who works with whom."""

    teams: tuple[TeamSpec, ...]
    people: list[Person] = field(default_factory=list)
    team_managers: list[int] = field(default_factory=list)
    ses_by_team: list[list[Person]] = field(default_factory=list)
    aes_by_team: list[list[Person]] = field(default_factory=list)
    pod_se: dict[int, int] = field(default_factory=dict)  # AE id → the SE paired with them

    @property
    def regional(self) -> bool:
        """Whether teams cover regions of a segment (an account's region decides its team)."""
        return any(team.regions is not None for team in self.teams)

    def team_for_segment(self, segment: str) -> int:
        """Index of the team that covers ``segment``."""
        for index, team in enumerate(self.teams):
            if segment in team.segments:
                return index
        return 0

    def teams_for(self, segment: str, region: str) -> list[int]:
        """Indexes of the teams that cover ``segment`` in ``region`` (any team of the segment
        when none covers that region)."""
        found = [
            index
            for index, team in enumerate(self.teams)
            if segment in team.segments and (team.regions is None or region in team.regions)
        ]
        return found or [self.team_for_segment(segment)]

    def logins(self) -> list[DemoLogin]:
        """Every demo user, as a sign-in list."""
        return [
            DemoLogin(email=p.email, role=p.role, name=p.full_name, level=p.se_level, title=p.title)
            for p in self.people
        ]


def _se_levels(count: int, rng: random.Random) -> list[SELevel]:
    """A realistic level mix: about a third associates, half seniors, the rest principals."""
    principals = max(1, round(count * 0.2))
    associates = max(1, round(count * 0.35))
    seniors = max(0, count - principals - associates)
    levels = (
        [SELevel.PRINCIPAL] * principals
        + [SELevel.SENIOR] * seniors
        + [SELevel.ASSOCIATE] * associates
    )
    rng.shuffle(levels)
    return levels


def build_org(rng: random.Random, *, first_id: int, managers: int, ses: int, aes: int) -> Org:
    """Compose the organisation: names are drawn once and never repeat."""
    org = Org(teams=team_layout(managers))
    taken: set[str] = set()
    next_id = first_id

    def name() -> str:
        while True:
            candidate = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if candidate not in taken:
                taken.add(candidate)
                return candidate

    def add(
        *,
        email: str,
        role: Role,
        title: str,
        se_level: SELevel | None = None,
        team_index: int | None = None,
        manager_id: int | None = None,
    ) -> Person:
        nonlocal next_id
        person = Person(
            id=next_id,
            email=email,
            full_name=name(),
            role=role,
            title=title,
            se_level=se_level,
            team_index=team_index,
            manager_id=manager_id,
        )
        next_id += 1
        org.people.append(person)
        return person

    director = add(
        email=f"director@{DEMO_DOMAIN}",
        role=Role.MANAGER,
        title="Director of Presales",
        se_level=SELevel.DIRECTOR,
    )
    for index, team in enumerate(org.teams):
        manager = add(
            email=f"manager{index + 1}@{DEMO_DOMAIN}",
            role=Role.MANAGER,
            title=f"SE Manager, {team.name}",
            se_level=SELevel.MANAGER,
            team_index=index,
            manager_id=director.id,
        )
        org.team_managers.append(manager.id)
        org.ses_by_team.append([])
        org.aes_by_team.append([])
    for number, level in enumerate(_se_levels(ses, rng), start=1):
        team_index = (number - 1) % len(org.teams)
        se = add(
            email=f"se{number}@{DEMO_DOMAIN}",
            role=Role.SE,
            title=SE_LEVEL_TITLES[level],
            se_level=level,
            team_index=team_index,
            manager_id=org.team_managers[team_index],
        )
        org.ses_by_team[team_index].append(se)
    for number in range(1, aes + 1):
        team_index = (number - 1) % len(org.teams)
        segment = org.teams[team_index].segments[0]
        title = {
            ENTERPRISE: "Enterprise Account Executive",
            MID_MARKET: "Account Executive",
            COMMERCIAL: "Account Executive",
        }[segment]
        if segment != ENTERPRISE and rng.random() < 0.3:
            title = "Senior Account Executive"
        ae = add(
            email=f"ae{number}@{DEMO_DOMAIN}",
            role=Role.AE,
            title=title,
            team_index=team_index,
        )
        org.aes_by_team[team_index].append(ae)
    add(email=f"admin@{DEMO_DOMAIN}", role=Role.ADMIN, title="Revenue Operations Lead")
    add(email=f"pm@{DEMO_DOMAIN}", role=Role.PM, title="Senior Product Manager")
    add(email=f"viewer@{DEMO_DOMAIN}", role=Role.VIEWER, title="Sales Operations Analyst")
    # Pods: each AE works with one SE of their team first (two in a box).
    for team_index, team_aes in enumerate(org.aes_by_team):
        team_ses = org.ses_by_team[team_index]
        for position, ae in enumerate(team_aes):
            org.pod_se[ae.id] = team_ses[position % len(team_ses)].id
    return org
