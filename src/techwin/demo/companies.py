"""Accounts across industries, sizes and regions, and the people (leads) who work there."""

from __future__ import annotations

import bisect
import itertools
import math
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from techwin.demo.people import COMMERCIAL, ENTERPRISE, MID_MARKET, Org
from techwin.demo.words import (
    COMPANY_PREFIXES,
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
        while True:
            stem = rng.choice(COMPANY_PREFIXES) + rng.choice(COMPANY_ROOTS)
            name = f"{stem} {rng.choice(INDUSTRIES[industry])}"
            if name not in names:
                names.add(name)
                break
        segment = rng.choices(segments, weights=segment_weights)[0]
        low, high = SEGMENTS[segment][1]
        employees = round(math.exp(rng.uniform(math.log(low), math.log(high))))
        team_index = org.team_for_segment(segment)
        owner = rng.choice(org.aes_by_team[team_index])
        fit = INDUSTRY_WEIGHTS[industry][1] * SEGMENTS[segment][3]
        accounts.append(
            AccountDraft(
                id=first_id + offset,
                name=name,
                domain=f"{_slug(name)}.example",
                industry=industry,
                employee_count=employees,
                region=rng.choices(regions, weights=region_weights)[0],
                segment=segment,
                owner_id=owner.id,
                team_index=team_index,
                fit=fit,
            )
        )
    return accounts


def build_contacts(
    rng: random.Random,
    *,
    accounts: list[AccountDraft],
    first_id: int,
    count: int,
    start: datetime,
    horizon: datetime,
) -> list[ContactDraft]:
    """``count`` leads, created between ``start`` and ``horizon`` (more of them lately).

    Contacts are numbered in creation order, so ids and creation times agree.
    """
    span = (horizon - start).total_seconds()
    # Lead volume grows over the two years: creation times lean towards the recent end.
    moments = sorted(
        start + timedelta(seconds=int(span * rng.random() ** 0.8)) for _ in range(count)
    )
    # Bigger companies have more people in the database; every account gets at least one.
    weights = [SEGMENTS[a.segment][2] * rng.uniform(0.5, 1.5) for a in accounts]
    cumulative = list(itertools.accumulate(weights))
    picks = list(range(len(accounts))) if count >= len(accounts) else []
    while len(picks) < count:
        picks.append(bisect.bisect_left(cumulative, rng.random() * cumulative[-1]))
    rng.shuffle(picks)
    sources = {s: w for s, (w, _) in SOURCE_WEIGHTS.items()}
    seniorities = list(SENIORITY_WEIGHTS)
    seniority_weights = [SENIORITY_WEIGHTS[s][0] for s in seniorities]
    emails: set[tuple[int, str]] = set()
    contacts: list[ContactDraft] = []
    for offset, (moment, pick) in enumerate(zip(moments, picks, strict=True)):
        account = accounts[pick]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower()
        suffix = 1
        while (account.id, local) in emails:
            suffix += 1
            local = f"{first}.{last}{suffix}".lower()
        emails.add((account.id, local))
        seniority = rng.choices(seniorities, weights=seniority_weights)[0]
        department = _weighted(rng, DEPARTMENT_WEIGHTS)
        titles = TITLES[department]
        level = SENIORITY_INDEX[seniority]
        title = rng.choice(titles[0]) if level == 0 else str(titles[level])
        source = _weighted(rng, sources)
        fit = account.fit * SOURCE_WEIGHTS[source][1] * SENIORITY_WEIGHTS[seniority][1]
        contacts.append(
            ContactDraft(
                id=first_id + offset,
                account=account,
                first_name=first,
                last_name=last,
                email=f"{local}@{account.domain}",
                phone=f"+1 555 01{rng.randrange(100):02d}" if rng.random() < 0.55 else None,
                title=title,
                seniority=seniority,
                department=department,
                source=source,
                owner_id=account.owner_id,
                created_at=moment,
                fit=fit * rng.uniform(0.8, 1.25),
            )
        )
    mean_fit = sum(c.fit for c in contacts) / len(contacts) if contacts else 1.0
    for contact in contacts:
        contact.fit /= mean_fit
        account = contact.account
        if account.created_at is None or contact.created_at < account.created_at:
            account.created_at = contact.created_at
    for account in accounts:
        first_seen = account.created_at or start
        account.created_at = first_seen - timedelta(days=rng.uniform(0, 20))
    return contacts
