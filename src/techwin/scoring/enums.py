"""Vocabularies of lead scoring."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    """Things a person does that show interest."""

    DEMO_REQUEST = "demo_request"
    TRIAL_SIGNUP = "trial_signup"
    WEBINAR_ATTENDED = "webinar_attended"
    EMAIL_CLICK = "email_click"
    PAGE_VIEW = "page_view"
    EVENT_ATTENDED = "event_attended"


EVENT_LABELS = {
    EventKind.DEMO_REQUEST: "Demo request",
    EventKind.TRIAL_SIGNUP: "Trial sign-up",
    EventKind.WEBINAR_ATTENDED: "Webinar attended",
    EventKind.EMAIL_CLICK: "Email click",
    EventKind.PAGE_VIEW: "Page view",
    EventKind.EVENT_ATTENDED: "Event attended",
}


class RuleCategory(StrEnum):
    """Fit rules judge who someone is; engagement rules judge what they did."""

    FIT = "fit"
    ENGAGEMENT = "engagement"


class Operator(StrEnum):
    """How a fit rule compares a field with its value."""

    EQUALS = "equals"
    IN = "in"
    CONTAINS = "contains"
    GTE = "gte"
    LTE = "lte"
    BETWEEN = "between"
    IS_SET = "is_set"
