"""Labels, choices and small view shapes shared by the two-in-a-box pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.collaboration import charter_rules
from techwin.collaboration.enums import (
    BUYING_ROLE_LABELS,
    ENGAGEMENT_LABELS,
    MEETING_KIND_LABELS,
    MEETING_STATUS_LABELS,
    PAIN_LABELS,
    REQUEST_KIND_LABELS,
    REQUEST_STATUS_LABELS,
    SENTIMENT_LABELS,
    RequestStatus,
)
from techwin.collaboration.models import Charter, SERequest
from techwin.pipeline.enums import SENIORITY_LABELS
from techwin.web.rendering import templates

Options = list[tuple[str, str]]

KIND_OPTIONS: Options = [(k.value, label) for k, label in REQUEST_KIND_LABELS.items()]
ROLE_OPTIONS: Options = [(r.value, label) for r, label in BUYING_ROLE_LABELS.items()]
ENGAGEMENT_OPTIONS: Options = [(e.value, label) for e, label in ENGAGEMENT_LABELS.items()]
SENTIMENT_OPTIONS: Options = [(s.value, label) for s, label in SENTIMENT_LABELS.items()]
MEETING_KIND_OPTIONS: Options = [(k.value, label) for k, label in MEETING_KIND_LABELS.items()]
PAIN_OPTIONS: Options = [(p.value, label) for p, label in PAIN_LABELS.items()]
SENIORITY_OPTIONS: Options = [(s.value, label) for s, label in SENIORITY_LABELS.items()]

# What each request kind is for, shown under the choice on the request form.
KIND_HINTS = {
    "discovery_call": "Join the AE to uncover the pain and the technical landscape",
    "standard_demo": "The usual product tour, tailored lightly to the audience",
    "custom_demo": "A demo built around the prospect's own data or workflow",
    "poc": "A hands-on proof of concept against agreed success criteria",
    "rfp": "Answers to an RFP or RFI questionnaire",
    "security_review": "A security questionnaire or a call with their security team",
    "workshop": "A working session to design the solution with the prospect",
}

# The happy path a request walks, for the stepper on its page.
STEPS = (
    (RequestStatus.SUBMITTED, "Submitted"),
    (RequestStatus.ACCEPTED, "Charter met"),
    (RequestStatus.ASSIGNED, "SE assigned"),
    (RequestStatus.SCHEDULED, "Call planned"),
    (RequestStatus.DONE, "Done"),
)
_STEP_INDEX = {
    RequestStatus.SUBMITTED: 0,
    RequestStatus.BLOCKED: 0,
    RequestStatus.ACCEPTED: 1,
    RequestStatus.ASSIGNED: 2,
    RequestStatus.SCHEDULED: 3,
    RequestStatus.DONE: 4,
}


@dataclass(frozen=True)
class Step:
    """One step of a request's stepper."""

    label: str
    state: str  # "done", "current" or "todo"


def steps(request: SERequest) -> list[Step]:
    """Where the request stands on its happy path."""
    current = _STEP_INDEX.get(request.status)
    result = []
    for index, (_status, label) in enumerate(STEPS):
        if current is None:
            state = "todo"
        elif index < current or request.status is RequestStatus.DONE:
            state = "done"
        elif index == current:
            state = "current"
        else:
            state = "todo"
        if index == 0 and request.status is RequestStatus.BLOCKED:
            label = "Blocked"
        result.append(Step(label, state))
    return result


def people_options(users: list[User]) -> Options:
    """People for a select, with their role."""
    return [(str(u.id), f"{u.full_name} ({u.role.value.upper()})") for u in users]


def is_requester(user: User) -> bool:
    """AEs, managers and admins ask for SE time."""
    return user.role in (Role.AE, Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class ThresholdRow:
    """A charter threshold as its table shows it."""

    key: str
    label: str
    kind: str
    applies_to: list[str]
    requirement: str


def requirement_text(threshold: charter_rules.Threshold) -> str:
    """A threshold's condition in a sentence."""
    if isinstance(threshold, charter_rules.QualificationThreshold):
        words = charter_rules.SCORE_WORDS[threshold.min_score]
        elements = ", ".join(threshold.elements)
        return f"{threshold.framework.upper()} {elements} rated {words} or better"
    if isinstance(threshold, charter_rules.TimelineThreshold):
        return f"expected close date within {threshold.max_months} months"
    if isinstance(threshold, charter_rules.StakeholderThreshold):
        who = []
        if threshold.min_seniority is not None:
            who.append(SENIORITY_LABELS[threshold.min_seniority] + " or more senior")
        if threshold.roles:
            who.append(" or ".join(BUYING_ROLE_LABELS[r].lower() for r in threshold.roles))
        level = ENGAGEMENT_LABELS[threshold.min_engagement].lower()
        return f"{threshold.min_count} × {', '.join(who) or 'anyone'} — {level} or more"
    return f"at least {threshold.min_days} days' notice"


def threshold_rows(charter: Charter) -> list[ThresholdRow]:
    """A charter's thresholds for display."""
    return [
        ThresholdRow(
            key=t.key,
            label=t.label,
            kind=t.kind,
            applies_to=[REQUEST_KIND_LABELS[k] for k in t.applies_to],
            requirement=requirement_text(t),
        )
        for t in charter_rules.parse_thresholds(charter.thresholds)
    ]


def local_input(value: datetime | None) -> str:
    """A UTC datetime as a ``datetime-local`` input shows it."""
    return value.strftime("%Y-%m-%dT%H:%M") if value else ""


templates.env.globals.update(
    REQUEST_KIND_LABELS=REQUEST_KIND_LABELS,
    REQUEST_STATUS_LABELS=REQUEST_STATUS_LABELS,
    BUYING_ROLE_LABELS=BUYING_ROLE_LABELS,
    ENGAGEMENT_LABELS=ENGAGEMENT_LABELS,
    SENTIMENT_LABELS=SENTIMENT_LABELS,
    MEETING_KIND_LABELS=MEETING_KIND_LABELS,
    MEETING_STATUS_LABELS=MEETING_STATUS_LABELS,
    PAIN_LABELS=PAIN_LABELS,
)
