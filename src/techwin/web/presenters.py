"""Shape service results for pages: merged timelines, stage durations, chart data."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from techwin.auth.models import AuditEvent
from techwin.core.time import as_utc, utcnow
from techwin.pipeline.enums import LIFECYCLE_LABELS, LifecycleStage
from techwin.pipeline.models import LifecycleTransition, Opportunity, StageChange
from techwin.pipeline.reports import FunnelReport
from techwin.pipeline.rules import (
    MAIN_LINE,
    allowed_targets,
    is_backward,
    reason_required,
    stage_rank,
)
from techwin.qualification.rules import SCALE

# Audit actions already shown from their own, richer history table.
_SHOWN_ELSEWHERE = {"contact.transition", "contact.override"}

_ACTION_TITLES = {
    "account.create": "Account created",
    "account.update": "Account edited",
    "contact.update": "Details edited",
    "contact.delete": "Contact deleted",
    "opportunity.create": "Deal opened",
    "opportunity.update": "Deal edited",
    "opportunity.move": "Stage moved",
    "opportunity.override": "Gate overridden",
    "opportunity.check": "Exit criteria",
    "qualification.rate": "Qualification rated",
    "nurture.unsubscribe": "Unsubscribed",
}

_HIDDEN_FIELDS = {"version", "updated_at"}


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to a record."""

    at: datetime
    kind: str
    title: str
    who: str | None
    reason: str | None = None
    note: str | None = None
    badge: str | None = None
    details: list[tuple[str, str, str]] = field(default_factory=list)


def _shown(value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _field(key: str, labels: Mapping[str, str]) -> str:
    return labels.get(key) or key.replace("_", " ").capitalize()


def _diff(event: AuditEvent, labels: Mapping[str, str]) -> list[tuple[str, str, str]]:
    after = event.after or {}
    before = event.before or {}
    if event.action in (
        "opportunity.move",
        "opportunity.override",
        "opportunity.check",
        "qualification.rate",  # the summary says it all: "BANT budget: 0 → 2"
    ):
        return []
    return [
        (_field(key, labels), _shown(before.get(key)), _shown(after.get(key)))
        for key in after
        if key not in _HIDDEN_FIELDS
    ]


_RATED = re.compile(r"^(?P<framework>.+) (?P<element>[a-z0-9_]+): \d → \d$")


def _summary(event: AuditEvent, labels: Mapping[str, str], elements: Mapping[str, str]) -> str:
    """What the event says, in the words of the page: field labels for edits, element names and
    the rating scale for ratings (the stored summary keeps keys and numbers)."""
    summary = event.summary or ""
    after = event.after or {}
    if event.action.endswith(".update") and summary.startswith("changed "):
        shown = [_field(k, labels) for k in after if k not in _HIDDEN_FIELDS]
        return "changed " + ", ".join(shown) if shown else summary
    if event.action == "qualification.rate":
        match = _RATED.match(summary)
        before = (event.before or {}).get("score")
        score = after.get("score")
        if match and before in SCALE and score in SCALE:
            element = elements.get(match["element"]) or match["element"].replace("_", " ")
            return f"{match['framework']} {element}: {SCALE[before]} → {SCALE[score]}"
    return summary


def audit_entries(
    events: Iterable[AuditEvent],
    *,
    labels: Mapping[str, str] | None = None,
    elements: Mapping[str, str] | None = None,
) -> list[TimelineEntry]:
    """Audit events as timeline entries (newest first as given); ``labels`` names the record's
    fields and ``elements`` the qualification elements as the page does."""
    labels, elements = labels or {}, elements or {}
    entries = []
    for event in events:
        if event.action in _SHOWN_ELSEWHERE:
            continue
        title = _ACTION_TITLES.get(event.action, event.action.replace(".", " ").capitalize())
        summary = _summary(event, labels, elements)
        entries.append(
            TimelineEntry(
                at=as_utc(event.at),
                kind=event.action.split(".")[-1],
                title=f"{title}: {summary}" if summary else title,
                who=event.actor.full_name if event.actor else None,
                reason=event.reason,
                badge="override" if event.action.endswith("override") else None,
                details=_diff(event, labels),
            )
        )
    return entries


def _transition_entry(t: LifecycleTransition) -> TimelineEntry:
    to_label = LIFECYCLE_LABELS[t.to_stage]
    if t.from_stage is None:
        title = f"Entered as {to_label}"
        note = None
    else:
        title = f"{LIFECYCLE_LABELS[t.from_stage]} → {to_label}"
        days = (t.seconds_in_from_stage or 0) / 86400
        note = f"after {days:.1f} days in {LIFECYCLE_LABELS[t.from_stage]}"
    backward = t.from_stage is not None and is_backward(t.from_stage, t.to_stage)
    return TimelineEntry(
        at=as_utc(t.at),
        kind="transition",
        title=title,
        who=t.actor.full_name if t.actor else None,
        reason=None if t.reason == "created" else t.reason,
        note=note,
        badge="gate overridden" if t.overridden else ("backwards" if backward else None),
    )


def lead_timeline(
    transitions: Sequence[LifecycleTransition],
    events: Iterable[AuditEvent],
    *,
    labels: Mapping[str, str] | None = None,
    elements: Mapping[str, str] | None = None,
) -> list[TimelineEntry]:
    """A contact's lifecycle moves merged with its audit events, newest first."""
    audit = audit_entries(events, labels=labels, elements=elements)
    entries = [_transition_entry(t) for t in transitions] + audit
    return sorted(entries, key=lambda e: e.at, reverse=True)


@dataclass(frozen=True)
class TargetChoice:
    """A lifecycle stage a contact may move to next, as a button shows it."""

    stage: LifecycleStage
    label: str
    style: str
    needs_reason: bool


def transition_choices(current: LifecycleStage) -> list[TargetChoice]:
    """Buttons for the allowed next stages: forward first, backward and side exits after."""
    choices = []
    for stage in allowed_targets(current):
        backward = is_backward(current, stage)
        if stage is LifecycleStage.DISQUALIFIED:
            style, label = "danger", "Disqualify"
        elif backward:
            style, label = "ghost", f"Back to {LIFECYCLE_LABELS[stage]}"
        elif stage is LifecycleStage.NURTURE:
            style, label = "ghost", "Send to nurture"
        else:
            style, label = "primary", f"Move to {LIFECYCLE_LABELS[stage]}"
        choices.append(TargetChoice(stage, label, style, reason_required(current, stage)))
    order = {"primary": 0, "ghost": 1, "danger": 2}
    return sorted(choices, key=lambda c: order[c.style])


@dataclass(frozen=True)
class StageSpell:
    """A period a deal spent in one stage."""

    stage: str
    stage_key: str
    entered_at: datetime
    left_at: datetime | None
    days: float
    moved_by: str | None
    reason: str | None
    overridden: bool


def stage_spells(changes: Sequence[StageChange], opportunity: Opportunity) -> list[StageSpell]:
    """The deal's stage history as spells with the days spent in each (current one last)."""
    spells = []
    for index, change in enumerate(changes):
        following = changes[index + 1] if index + 1 < len(changes) else None
        if following is not None:
            left_at: datetime | None = as_utc(following.at)
            seconds = following.seconds_in_from_stage
            if seconds is None:
                seconds = int((as_utc(following.at) - as_utc(change.at)).total_seconds())
        else:
            left_at = None
            seconds = int((utcnow() - as_utc(opportunity.stage_entered_at)).total_seconds())
        spells.append(
            StageSpell(
                stage=change.to_stage.name,
                stage_key=change.to_stage.key,
                entered_at=as_utc(change.at),
                left_at=left_at,
                days=max(0, seconds) / 86400,
                moved_by=change.actor.full_name if change.actor else None,
                reason=None if change.reason == "created" else change.reason,
                overridden=change.overridden,
            )
        )
    return spells


_PALETTE = ("#6366f1", "#0ea5e9", "#14b8a6", "#f59e0b", "#ec4899", "#8b5cf6", "#84cc16", "#64748b")


def funnel_chart(report: FunnelReport, *, max_series: int = 6) -> dict[str, Any]:
    """Chart.js data for the funnel: the overall counts, or one series per split."""
    labels = [s.label for s in report.steps]
    if not report.splits:
        return {
            "labels": labels,
            "datasets": [
                {
                    "label": "Reached",
                    "data": [s.reached for s in report.steps],
                    "backgroundColor": [
                        _PALETTE[i % len(_PALETTE)] for i in range(len(report.steps))
                    ],
                }
            ],
            "horizontal": True,
        }
    ranked = sorted(report.splits.items(), key=lambda kv: -kv[1][0].reached)[:max_series]
    return {
        "labels": labels,
        "datasets": [
            {
                "label": name,
                "data": [s.reached for s in steps],
                "backgroundColor": _PALETTE[i % len(_PALETTE)],
            }
            for i, (name, steps) in enumerate(ranked)
        ],
        "horizontal": False,
    }


@dataclass(frozen=True)
class Step:
    """One stage of the main lifecycle line, as the stepper shows it."""

    label: str
    state: str


def lifecycle_steps(current: LifecycleStage, furthest_rank: int) -> list[Step]:
    """The main line from lead to customer: done, current or still ahead."""
    rank = stage_rank(current)
    steps = []
    for index, stage in enumerate(MAIN_LINE):
        if rank is not None and index == rank:
            state = "current"
        elif index <= furthest_rank and (rank is None or index < rank):
            state = "done"
        else:
            state = "todo"
        steps.append(Step(label=LIFECYCLE_LABELS[stage], state=state))
    return steps
