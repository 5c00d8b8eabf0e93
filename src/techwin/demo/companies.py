"""Accounts across industries, sizes and regions, and the people (leads) who work there.

Leads are drawn up front, in creation order, into a compact :class:`Roster` (a few dozen bytes
each, so a million of them fit easily); their drafts are made a chunk at a time while their
histories are simulated.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import re
from array import array
from dataclasses import dataclass
from datetime import datetime, timedelta

from techwin.demo.people import COMMERCIAL, ENTERPRISE, MID_MARKET, Org
from techwin.demo.words import (
    COMPANY_PREFIXES,
    COMPANY_QUALIFIERS,
    COMPANY_ROOTS,
    DEPARTMENT_WEIGHTS,
    FIRST_NAMES,
    INDUSTRIES,
    INDUSTRY_WEIGHTS,
    LAST_NAMES,
    REGIONS,
    SENIORITY_INDEX,
    SENIORITY_WEIGHTS,
    SOURCE_WEIGHTS,
    TITLES,
)
from techwin.pipeline.enums import Seniority

# Segment → (share of accounts, employee range, contacts weight, fit factor).
SEGMENTS: dict[str, tuple[float, tuple[int, int], float, float]] = {
    COMMERCIAL: (0.45, (15, 199), 1.0, 0.85),
    MID_MARKET: (0.35, (200, 1_999), 2.2, 1.1),
    ENTERPRISE: (0.20, (2_000, 150_000), 4.5, 1.0),
}

# Sources where a person, not marketing automation, created the lead.
PERSONAL_SOURCES = frozenset({"outbound", "referral", "event", "partner"})

# Plain names (prefix + root + industry word) tried before a place word is put in the middle.
PLAIN_NAME_TRIES = 12


@dataclass
class AccountDraft:
    """An account before it is written."""

    id: int
    name: str
    domain: str
    industry: str
    employee_count: int
    region: str
    segment: str
    owner_id: int
    team_index: int
    fit: float
    created_at: datetime | None = None


@dataclass
class ContactDraft:
    """A lead before its history is simulated."""

    id: int
    account: AccountDraft
    first_name: str
    last_name: str
    email: str
    phone: str | None
    title: str
    seniority: Seniority
    department: str
    source: str
    owner_id: int
    created_at: datetime
    fit: float


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _company_name(rng: random.Random, industry: str, taken: set[str]) -> str:
    """A company name nobody has yet: a coined stem and a word of its industry; once those run
    short, a place word goes in between ("Cedarbrook Pacific Logistics")."""
    words = INDUSTRIES[industry]
    for attempt in itertools.count():
        stem = rng.choice(COMPANY_PREFIXES) + rng.choice(COMPANY_ROOTS)
        if attempt < PLAIN_NAME_TRIES:
            name = f"{stem} {rng.choice(words)}"
        else:
            name = f"{stem} {rng.choice(COMPANY_QUALIFIERS)} {rng.choice(words)}"
        if name not in taken:
            taken.add(name)
            return name
    raise AssertionError("unreachable")  # pragma: no cover


def build_accounts(
    rng: random.Random, *, org: Org, first_id: int, count: int
) -> list[AccountDraft]:
    """``count`` companies with unique names, spread over industries, segments and regions."""
    industries = list(INDUSTRY_WEIGHTS)
    industry_weights = [INDUSTRY_WEIGHTS[i][0] for i in industries]
    segments = list(SEGMENTS)
    segment_weights = [SEGMENTS[s][0] for s in segments]
    regions = [r for r, _ in REGIONS]
    region_weights = [w for _, w in REGIONS]
    names: set[str] = set()
    accounts: list[AccountDraft] = []
    for offset in range(count):
        industry = rng.choices(industries, weights=industry_weights)[0]
        name = _company_name(rng, industry, names)
        segment = rng.choices(segments, weights=segment_weights)[0]
        low, high = SEGMENTS[segment][1]
        employees = round(math.exp(rng.uniform(math.log(low), math.log(high))))
        if org.regional:  # the account's region decides which of the segment's teams owns it
            region = rng.choices(regions, weights=region_weights)[0]
            team_index = rng.choice(org.teams_for(segment, region))
            owner = rng.choice(org.aes_by_team[team_index])
        else:
            team_index = org.team_for_segment(segment)
            owner = rng.choice(org.aes_by_team[team_index])
            region = rng.choices(regions, weights=region_weights)[0]
        fit = INDUSTRY_WEIGHTS[industry][1] * SEGMENTS[segment][3]
        accounts.append(
            AccountDraft(
                id=first_id + offset,
                name=name,
                domain=f"{_slug(name)}.example",
                industry=industry,
                employee_count=employees,
                region=region,
                segment=segment,
                owner_id=owner.id,
                team_index=team_index,
                fit=fit,
            )
        )
    return accounts


# Every title a contact can carry, numbered (a roster keeps the number).
_TITLES: tuple[str, ...] = tuple(
    dict.fromkeys(
        title for levels in TITLES.values() for title in (*levels[0], *(str(t) for t in levels[1:]))
    )
)
_TITLE_INDEX = {title: index for index, title in enumerate(_TITLES)}
_FIRST_INDEX = {name: index for index, name in enumerate(FIRST_NAMES)}
_LAST_INDEX = {name: index for index, name in enumerate(LAST_NAMES)}
_DEPARTMENTS = tuple(DEPARTMENT_WEIGHTS)
_DEPARTMENT_INDEX = {name: index for index, name in enumerate(_DEPARTMENTS)}
_SOURCES = tuple(SOURCE_WEIGHTS)
_SOURCE_INDEX = {name: index for index, name in enumerate(_SOURCES)}
_SENIORITIES = tuple(SENIORITY_WEIGHTS)
NO_PHONE = -1


class Roster:
    """Every lead of the organisation, in creation order, in typed arrays (about 32 bytes a
    lead); :meth:`drafts` turns a slice of it into :class:`ContactDraft` objects."""

    def __init__(self, accounts: list[AccountDraft], *, first_id: int, start: datetime) -> None:
        self.accounts = accounts
        self.first_id = first_id
        self.start = start
        self.offsets = array("q")  # seconds after ``start`` the lead was created
        self.account = array("i")  # index in ``accounts``
        self.first_name = array("H")
        self.last_name = array("H")
        self.suffix = array("H")  # 1, or the number that keeps the address unique
        self.seniority = array("B")
        self.department = array("B")
        self.title = array("H")
        self.source = array("B")
        self.phone = array("b")  # the phone number's last two digits, or NO_PHONE
        self.fit = array("d")

    def __len__(self) -> int:
        return len(self.offsets)

    def created_at(self, index: int) -> datetime:
        """When the ``index``-th lead was created."""
        return self.start + timedelta(seconds=self.offsets[index])

    def draft(self, index: int) -> ContactDraft:
        """The ``index``-th lead as a draft."""
        account = self.accounts[self.account[index]]
        first, last = FIRST_NAMES[self.first_name[index]], LAST_NAMES[self.last_name[index]]
        suffix = self.suffix[index]
        local = f"{first}.{last}".lower() if suffix == 1 else f"{first}.{last}{suffix}".lower()
        phone = self.phone[index]
        return ContactDraft(
            id=self.first_id + index,
            account=account,
            first_name=first,
            last_name=last,
            email=f"{local}@{account.domain}",
            phone=None if phone == NO_PHONE else f"+1 555 01{phone:02d}",
            title=_TITLES[self.title[index]],
            seniority=_SENIORITIES[self.seniority[index]],
            department=_DEPARTMENTS[self.department[index]],
            source=_SOURCES[self.source[index]],
            owner_id=account.owner_id,
            created_at=self.created_at(index),
            fit=self.fit[index],
        )

    def drafts(self, begin: int, end: int) -> list[ContactDraft]:
        """Drafts of the leads ``begin`` to ``end`` (exclusive)."""
        return [self.draft(index) for index in range(begin, min(end, len(self)))]

    def by_account(self, wanted: set[int]) -> dict[int, list[int]]:
        """Lead indexes (in creation order) of the accounts whose ids are ``wanted``."""
        found: dict[int, list[int]] = {}
        ids = [a.id for a in self.accounts]
        for index, account_index in enumerate(self.account):
            account_id = ids[account_index]
            if account_id in wanted:
                found.setdefault(account_id, []).append(index)
        return found


def build_contacts(
    rng: random.Random,
    *,
    accounts: list[AccountDraft],
    first_id: int,
    count: int,
    start: datetime,
    horizon: datetime,
) -> Roster:
    """``count`` leads, created between ``start`` and ``horizon`` (more of them lately).

    Contacts are numbered in creation order, so ids and creation times agree. Sets each
    account's creation time (a little before its first lead).
    """
    span = (horizon - start).total_seconds()
    roster = Roster(accounts, first_id=first_id, start=start)
    # Lead volume grows over the two years: creation times lean towards the recent end.
    roster.offsets = array("q", sorted(int(span * rng.random() ** 0.8) for _ in range(count)))
    # Bigger companies have more people in the database; every account gets at least one.
    weights = [SEGMENTS[a.segment][2] * rng.uniform(0.5, 1.5) for a in accounts]
    cumulative = list(itertools.accumulate(weights))
    picks = list(range(len(accounts))) if count >= len(accounts) else []
    while len(picks) < count:
        picks.append(bisect.bisect_left(cumulative, rng.random() * cumulative[-1]))
    rng.shuffle(picks)
    roster.account = array("i", picks)
    del picks
    sources = {s: w for s, (w, _) in SOURCE_WEIGHTS.items()}
    seniority_weights = [SENIORITY_WEIGHTS[s][0] for s in _SENIORITIES]
    # How many leads of an account share a name so far (the next one's address gets a number).
    names = len(FIRST_NAMES) * len(LAST_NAMES)
    seen: dict[int, int] = {}
    for pick in roster.account:
        account = accounts[pick]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        first_index, last_index = _FIRST_INDEX[first], _LAST_INDEX[last]
        key = pick * names + first_index * len(LAST_NAMES) + last_index
        suffix = seen.get(key, 0) + 1
        seen[key] = suffix
        seniority = rng.choices(_SENIORITIES, weights=seniority_weights)[0]
        department = _weighted(rng, DEPARTMENT_WEIGHTS)
        titles = TITLES[department]
        level = SENIORITY_INDEX[seniority]
        title = rng.choice(titles[0]) if level == 0 else str(titles[level])
        source = _weighted(rng, sources)
        fit = account.fit * SOURCE_WEIGHTS[source][1] * SENIORITY_WEIGHTS[seniority][1]
        phone = rng.randrange(100) if rng.random() < 0.55 else NO_PHONE
        roster.first_name.append(first_index)
        roster.last_name.append(last_index)
        roster.suffix.append(suffix)
        roster.seniority.append(_SENIORITIES.index(seniority))
        roster.department.append(_DEPARTMENT_INDEX[department])
        roster.title.append(_TITLE_INDEX[title])
        roster.source.append(_SOURCE_INDEX[source])
        roster.phone.append(phone)
        roster.fit.append(fit * rng.uniform(0.8, 1.25))
    del seen
    fits = roster.fit
    mean_fit = sum(fits) / len(fits) if fits else 1.0
    first_seen: list[int | None] = [None] * len(accounts)
    for index in range(len(fits)):
        fits[index] /= mean_fit
        pick = roster.account[index]
        if first_seen[pick] is None:  # leads come in creation order: the first is the earliest
            first_seen[pick] = index
    for pick, account in enumerate(accounts):
        seen_first = first_seen[pick]
        first_at = start if seen_first is None else roster.created_at(seen_first)
        account.created_at = first_at - timedelta(days=rng.uniform(0, 20))
    return roster
