"""Vocabularies of nurturing."""

from __future__ import annotations

from enum import StrEnum


class TierAction(StrEnum):
    """What a tier gives a lead."""

    OWNER_TASK = "owner_task"
    SEQUENCE = "sequence"
    NEWSLETTER = "newsletter"


class StepKind(StrEnum):
    """Kinds of touches in a sequence."""

    EMAIL = "email"
    CASE_STUDY = "case_study"
    WEBINAR_INVITE = "webinar_invite"
    CALL = "call"


class EnrollmentStatus(StrEnum):
    """Where an enrollment stands."""

    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"


class TaskStatus(StrEnum):
    """Where a task stands."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
