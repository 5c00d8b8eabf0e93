"""Vocabularies of two in a box: request kinds and states, buying roles, meetings, pods."""

from __future__ import annotations

from enum import StrEnum


class RequestKind(StrEnum):
    """What an AE asks an SE's time for."""

    DISCOVERY_CALL = "discovery_call"
    STANDARD_DEMO = "standard_demo"
    CUSTOM_DEMO = "custom_demo"
    POC = "poc"
    RFP = "rfp"
    SECURITY_REVIEW = "security_review"
    WORKSHOP = "workshop"


REQUEST_KIND_LABELS = {
    RequestKind.DISCOVERY_CALL: "Discovery call",
    RequestKind.STANDARD_DEMO: "Standard demo",
    RequestKind.CUSTOM_DEMO: "Custom demo",
    RequestKind.POC: "Proof of concept",
    RequestKind.RFP: "RFP / RFI",
    RequestKind.SECURITY_REVIEW: "Security review",
    RequestKind.WORKSHOP: "Workshop",
}


class RequestStatus(StrEnum):
    """Where an SE request stands (see ``request_flow`` for the allowed moves)."""

    SUBMITTED = "submitted"
    BLOCKED = "blocked"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    SCHEDULED = "scheduled"
    DONE = "done"
    DECLINED = "declined"
    CANCELLED = "cancelled"


REQUEST_STATUS_LABELS = {
    RequestStatus.SUBMITTED: "Submitted",
    RequestStatus.BLOCKED: "Blocked by the charter",
    RequestStatus.ACCEPTED: "Waiting for an SE",
    RequestStatus.ASSIGNED: "Assigned",
    RequestStatus.SCHEDULED: "Scheduled",
    RequestStatus.DONE: "Done",
    RequestStatus.DECLINED: "Declined",
    RequestStatus.CANCELLED: "Cancelled",
}


class BuyingRole(StrEnum):
    """The part a person plays in the customer's buying decision."""

    ECONOMIC_BUYER = "economic_buyer"
    CHAMPION = "champion"
    TECHNICAL_EVALUATOR = "technical_evaluator"
    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    BLOCKER = "blocker"
    USER = "user"


BUYING_ROLE_LABELS = {
    BuyingRole.ECONOMIC_BUYER: "Economic buyer",
    BuyingRole.CHAMPION: "Champion",
    BuyingRole.TECHNICAL_EVALUATOR: "Technical evaluator",
    BuyingRole.DECISION_MAKER: "Decision maker",
    BuyingRole.INFLUENCER: "Influencer",
    BuyingRole.BLOCKER: "Blocker",
    BuyingRole.USER: "User",
}

# The roles a well-threaded deal has someone engaged in (coverage is measured against these).
KEY_ROLES: tuple[BuyingRole, ...] = (
    BuyingRole.ECONOMIC_BUYER,
    BuyingRole.CHAMPION,
    BuyingRole.TECHNICAL_EVALUATOR,
    BuyingRole.DECISION_MAKER,
)


class Engagement(StrEnum):
    """How involved a stakeholder is, from not at all to driving the evaluation."""

    NONE = "none"
    AWARE = "aware"
    ENGAGED = "engaged"
    ACTIVE = "active"


ENGAGEMENT_LABELS = {
    Engagement.NONE: "Not engaged",
    Engagement.AWARE: "Aware",
    Engagement.ENGAGED: "Engaged",
    Engagement.ACTIVE: "Driving it",
}
ENGAGEMENT_ORDER: tuple[Engagement, ...] = tuple(Engagement)


class Sentiment(StrEnum):
    """How a stakeholder feels about us."""

    UNKNOWN = "unknown"
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


SENTIMENT_LABELS = {
    Sentiment.UNKNOWN: "Unknown",
    Sentiment.POSITIVE: "Positive",
    Sentiment.NEUTRAL: "Neutral",
    Sentiment.NEGATIVE: "Negative",
}


class MeetingKind(StrEnum):
    """What kind of call a meeting is."""

    DISCOVERY_CALL = "discovery_call"
    DEMO = "demo"
    CUSTOM_DEMO = "custom_demo"
    TECHNICAL_DEEP_DIVE = "technical_deep_dive"
    POC_KICKOFF = "poc_kickoff"
    POC_READOUT = "poc_readout"
    WORKSHOP = "workshop"
    SECURITY_REVIEW = "security_review"
    EXECUTIVE_BRIEFING = "executive_briefing"
    OTHER = "other"


MEETING_KIND_LABELS = {
    MeetingKind.DISCOVERY_CALL: "Discovery call",
    MeetingKind.DEMO: "Demo",
    MeetingKind.CUSTOM_DEMO: "Custom demo",
    MeetingKind.TECHNICAL_DEEP_DIVE: "Technical deep dive",
    MeetingKind.POC_KICKOFF: "POC kick-off",
    MeetingKind.POC_READOUT: "POC read-out",
    MeetingKind.WORKSHOP: "Workshop",
    MeetingKind.SECURITY_REVIEW: "Security review",
    MeetingKind.EXECUTIVE_BRIEFING: "Executive briefing",
    MeetingKind.OTHER: "Other",
}

# Technical presentations: the charter's prep-call lead time applies to these.
TECHNICAL_KINDS = frozenset(
    {
        MeetingKind.DEMO,
        MeetingKind.CUSTOM_DEMO,
        MeetingKind.TECHNICAL_DEEP_DIVE,
        MeetingKind.POC_KICKOFF,
        MeetingKind.POC_READOUT,
        MeetingKind.WORKSHOP,
        MeetingKind.SECURITY_REVIEW,
    }
)
# Calls that are major by default (a huddle before, a debrief after).
MAJOR_KINDS = TECHNICAL_KINDS | {MeetingKind.EXECUTIVE_BRIEFING}

# The call a request usually turns into.
MEETING_FOR_REQUEST = {
    RequestKind.DISCOVERY_CALL: MeetingKind.DISCOVERY_CALL,
    RequestKind.STANDARD_DEMO: MeetingKind.DEMO,
    RequestKind.CUSTOM_DEMO: MeetingKind.CUSTOM_DEMO,
    RequestKind.POC: MeetingKind.POC_KICKOFF,
    RequestKind.RFP: MeetingKind.OTHER,
    RequestKind.SECURITY_REVIEW: MeetingKind.SECURITY_REVIEW,
    RequestKind.WORKSHOP: MeetingKind.WORKSHOP,
}


class MeetingStatus(StrEnum):
    """Whether a call is still ahead, took place, or was called off."""

    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


MEETING_STATUS_LABELS = {
    MeetingStatus.PLANNED: "Planned",
    MeetingStatus.HELD: "Held",
    MeetingStatus.CANCELLED: "Cancelled",
}


class PodSide(StrEnum):
    """Which side of the box a pod member is on."""

    AE = "ae"
    SE = "se"


class PainUncovered(StrEnum):
    """A debrief's honest answer to 'did we uncover the real pain?'."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


PAIN_LABELS = {
    PainUncovered.YES: "Yes, in their words",
    PainUncovered.PARTLY: "Partly",
    PainUncovered.NO: "No",
}
