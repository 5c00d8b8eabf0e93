"""Pure charter rules: the threshold types a charter can hold, and the evaluation of an SE request
against them. No database: the caller gathers the deal's facts into :class:`DealFacts`.

A threshold says which request kinds it applies to and what must hold first:

* ``qualification`` – elements of a framework rated at least ``min_score`` (0–3 scale);
* ``timeline`` – the deal's expected close date is set and at most ``max_months`` away;
* ``stakeholder`` – at least ``min_count`` stakeholders of a seniority (and/or buying role)
  at an engagement level or higher, e.g. "a VP-level sponsor engaged";
* ``notice`` – the request gives the SE at least ``min_days`` before it is needed.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from techwin.collaboration.enums import (
    BUYING_ROLE_LABELS,
    ENGAGEMENT_LABELS,
    ENGAGEMENT_ORDER,
    REQUEST_KIND_LABELS,
    BuyingRole,
    Engagement,
    RequestKind,
)
from techwin.pipeline.enums import SENIORITY_LABELS, Seniority

SENIORITY_ORDER: tuple[Seniority, ...] = tuple(Seniority)
SCORE_WORDS = {0: "unknown", 1: "identified", 2: "validated", 3: "confirmed with evidence"}
KEY_PATTERN = r"^[a-z][a-z0-9_]{1,59}$"


class _Threshold(BaseModel):
    """What every threshold has: a key, a label, the request kinds it guards."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=KEY_PATTERN)
    label: str = Field(min_length=3, max_length=200)
    applies_to: list[RequestKind] = Field(min_length=1)

    @field_validator("applies_to")
    @classmethod
    def _unique_kinds(cls, value: list[RequestKind]) -> list[RequestKind]:
        return list(dict.fromkeys(value))


class QualificationThreshold(_Threshold):
    """Elements of a qualification framework rated high enough."""

    kind: Literal["qualification"] = "qualification"
    framework: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    elements: list[str] = Field(min_length=1, max_length=30)
    min_score: int = Field(default=2, ge=1, le=3)


class TimelineThreshold(_Threshold):
    """The deal is expected to close within a number of months."""

    kind: Literal["timeline"] = "timeline"
    max_months: int = Field(ge=1, le=36)


class StakeholderThreshold(_Threshold):
    """Enough stakeholders of a seniority and/or buying role are engaged."""

    kind: Literal["stakeholder"] = "stakeholder"
    min_seniority: Seniority | None = None
    roles: list[BuyingRole] = Field(default_factory=list)
    min_engagement: Engagement = Engagement.ENGAGED
    min_count: int = Field(default=1, ge=1, le=10)


class NoticeThreshold(_Threshold):
    """The SE gets a number of days' notice."""

    kind: Literal["notice"] = "notice"
    min_days: int = Field(ge=1, le=90)


Threshold = Annotated[
    QualificationThreshold | TimelineThreshold | StakeholderThreshold | NoticeThreshold,
    Field(discriminator="kind"),
]
THRESHOLD_KINDS = ("qualification", "timeline", "stakeholder", "notice")
_THRESHOLDS: TypeAdapter[list[Threshold]] = TypeAdapter(list[Threshold])


def parse_thresholds(raw: Sequence[Mapping[str, object]]) -> list[Threshold]:
    """Stored or posted thresholds, validated (keys must be unique)."""
    thresholds = _THRESHOLDS.validate_python(list(raw))
    keys = [t.key for t in thresholds]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"threshold keys must be unique; repeated: {', '.join(repeated)}")
    return thresholds


def dump_thresholds(thresholds: Sequence[Threshold]) -> list[dict[str, object]]:
    """Thresholds as JSON-ready dicts, for storage."""
    return [t.model_dump(mode="json") for t in thresholds]


@dataclass(frozen=True)
class StakeholderFact:
    """A stakeholder as the charter sees them."""

    name: str
    role: BuyingRole
    engagement: Engagement
    seniority: Seniority | None


@dataclass(frozen=True)
class DealFacts:
    """Everything a charter evaluation reads about a deal and the request."""

    close_date: date | None
    scores: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    element_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    stakeholders: Sequence[StakeholderFact] = ()
    needed_by: date | None = None


@dataclass(frozen=True)
class Verdict:
    """One threshold's state for one request: met or not, what stands now, how to meet it."""

    key: str
    label: str
    kind: str
    met: bool
    now: str
    how: str
    framework: str = ""

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, for the request's stored record of what blocked it."""
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "met": self.met,
            "now": self.now,
            "how": self.how,
            "framework": self.framework,
        }


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _at_least(value: Engagement, minimum: Engagement) -> bool:
    return ENGAGEMENT_ORDER.index(value) >= ENGAGEMENT_ORDER.index(minimum)


def senior_enough(value: Seniority | None, minimum: Seniority | None) -> bool:
    """Whether a seniority reaches ``minimum`` (no minimum: anyone; unknown: never)."""
    if minimum is None:
        return True
    if value is None:
        return False
    return SENIORITY_ORDER.index(value) >= SENIORITY_ORDER.index(minimum)


def _who(threshold: StakeholderThreshold) -> str:
    parts = []
    if threshold.min_seniority is not None:
        level = SENIORITY_LABELS[threshold.min_seniority]
        top = threshold.min_seniority is SENIORITY_ORDER[-1]
        parts.append(f"{level}" + ("" if top else "-level or more senior"))
    if threshold.roles:
        parts.append(" or ".join(BUYING_ROLE_LABELS[r].lower() for r in threshold.roles))
    who = " ".join(parts) if parts else "any"
    return f"{threshold.min_count} {who} stakeholder" + ("s" if threshold.min_count > 1 else "")


def _qualification(threshold: QualificationThreshold, facts: DealFacts) -> tuple[bool, str, str]:
    scores = facts.scores.get(threshold.framework, {})
    names = facts.element_names.get(threshold.framework, {})
    short = [e for e in threshold.elements if scores.get(e, 0) < threshold.min_score]
    framework = threshold.framework.upper()
    if not short:
        now = ", ".join(
            f"{names.get(e, e)} {SCORE_WORDS[scores.get(e, 0)]}" for e in threshold.elements
        )
        return True, now, ""
    now = ", ".join(f"{names.get(e, e)} {SCORE_WORDS[scores.get(e, 0)]}" for e in short)
    elements = ", ".join(names.get(e, e) for e in short)
    how = (
        f"rate {elements} ({framework}) as {SCORE_WORDS[threshold.min_score]} or better "
        "in the deal's qualification panel"
    )
    return False, now, how


def _timeline(threshold: TimelineThreshold, facts: DealFacts, today: date) -> tuple[bool, str, str]:
    latest = add_months(today, threshold.max_months)
    how = (
        f"set the deal's expected close date on or before {latest.isoformat()} "
        f"(within {threshold.max_months} months), once the prospect confirms it"
    )
    if facts.close_date is None:
        return False, "no expected close date", how
    days = (facts.close_date - today).days
    months = round(days / 30.4, 1)
    now = f"closes {facts.close_date.isoformat()} ({months:g} months away)"
    if facts.close_date < today:
        return False, f"close date {facts.close_date.isoformat()} is in the past", how
    return facts.close_date <= latest, now, "" if facts.close_date <= latest else how


def _stakeholder(threshold: StakeholderThreshold, facts: DealFacts) -> tuple[bool, str, str]:
    matching = [
        s
        for s in facts.stakeholders
        if senior_enough(s.seniority, threshold.min_seniority)
        and (not threshold.roles or s.role in threshold.roles)
    ]
    engaged = [s for s in matching if _at_least(s.engagement, threshold.min_engagement)]
    level = ENGAGEMENT_LABELS[threshold.min_engagement].lower()
    if len(engaged) >= threshold.min_count:
        return True, ", ".join(f"{s.name} ({ENGAGEMENT_LABELS[s.engagement]})" for s in engaged), ""
    if matching:
        now = "; ".join(f"{s.name} is {ENGAGEMENT_LABELS[s.engagement].lower()}" for s in matching)
    else:
        now = "none on the stakeholder map"
    how = (
        f"engage {_who(threshold)} and record them on the deal's stakeholder map as {level} or more"
    )
    return False, now, how


def _notice(threshold: NoticeThreshold, facts: DealFacts, today: date) -> tuple[bool, str, str]:
    if facts.needed_by is None:
        return False, "no needed-by date", f"give at least {threshold.min_days} days' notice"
    days = (facts.needed_by - today).days
    earliest = date.fromordinal(today.toordinal() + threshold.min_days)
    how = f"ask for a needed-by date on or after {earliest.isoformat()}"
    now = f"needed in {days} day" + ("" if days == 1 else "s")
    return days >= threshold.min_days, now, "" if days >= threshold.min_days else how


def evaluate(
    thresholds: Sequence[Threshold], kind: RequestKind, facts: DealFacts, *, today: date
) -> list[Verdict]:
    """The verdict of every threshold that applies to requests of ``kind``, in charter order."""
    verdicts = []
    for threshold in thresholds:
        if kind not in threshold.applies_to:
            continue
        if isinstance(threshold, QualificationThreshold):
            met, now, how = _qualification(threshold, facts)
        elif isinstance(threshold, TimelineThreshold):
            met, now, how = _timeline(threshold, facts, today)
        elif isinstance(threshold, StakeholderThreshold):
            met, now, how = _stakeholder(threshold, facts)
        else:
            met, now, how = _notice(threshold, facts, today)
        framework = threshold.framework if isinstance(threshold, QualificationThreshold) else ""
        verdicts.append(
            Verdict(threshold.key, threshold.label, threshold.kind, met, now, how, framework)
        )
    return verdicts


def unmet(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """The verdicts that block a request."""
    return [v for v in verdicts if not v.met]


def blocked_message(kind: RequestKind, blocked: Sequence[Verdict]) -> str:
    """One sentence naming every unmet threshold, for errors and the CLI."""
    items = "; ".join(f"{v.label} ({v.how})" for v in blocked)
    label = REQUEST_KIND_LABELS[kind].lower()
    count = len(blocked)
    return (
        f"the charter blocks this {label}: {count} threshold{'s' if count > 1 else ''} unmet: "
        + items
    )


def frameworks_needed(thresholds: Sequence[Threshold], kind: RequestKind | None = None) -> set[str]:
    """Framework keys the thresholds (for ``kind``, or all) read scores from."""
    return {
        t.framework
        for t in thresholds
        if isinstance(t, QualificationThreshold) and (kind is None or kind in t.applies_to)
    }


def kinds_guarded(thresholds: Sequence[Threshold]) -> dict[RequestKind, list[str]]:
    """For each request kind, the labels of the thresholds that guard it."""
    guarded: dict[RequestKind, list[str]] = {k: [] for k in RequestKind}
    for threshold in thresholds:
        for kind in threshold.applies_to:
            guarded[kind].append(threshold.label)
    return guarded
