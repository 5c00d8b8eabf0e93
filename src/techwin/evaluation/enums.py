"""Vocabularies of the technical win: its status, no-go reasons, POC outcomes, criterion results."""

from __future__ import annotations

from enum import StrEnum


class TechnicalWinStatus(StrEnum):
    """Where the technical side of a deal stands; the SE's call, apart from the commercial one."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    WON = "won"
    LOST = "lost"
    NO_GO = "no_go"

    @property
    def label(self) -> str:
        """The status as people read it."""
        return WIN_LABELS[self]

    @property
    def is_decided(self) -> bool:
        """Won, lost and no-go end the SE's evaluation work on the deal."""
        return self in DECIDED


WIN_LABELS = {
    TechnicalWinStatus.NOT_STARTED: "Not started",
    TechnicalWinStatus.IN_PROGRESS: "In progress",
    TechnicalWinStatus.WON: "Won",
    TechnicalWinStatus.LOST: "Lost",
    TechnicalWinStatus.NO_GO: "No-go",
}
DECIDED = frozenset({TechnicalWinStatus.WON, TechnicalWinStatus.LOST, TechnicalWinStatus.NO_GO})


class NoGoReason(StrEnum):
    """Why an SE disqualifies a deal (these decisions make up the DQ rate)."""

    POOR_TECHNICAL_FIT = "poor_technical_fit"
    NO_BUDGET = "no_budget"
    NO_COMPELLING_EVENT = "no_compelling_event"
    COMPETITOR_LOCK_IN = "competitor_lock_in"
    NO_TECHNICAL_SPONSOR = "no_technical_sponsor"
    UNREALISTIC_REQUIREMENTS = "unrealistic_requirements"
    SECURITY_OR_COMPLIANCE = "security_or_compliance"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The reason as people read it."""
        return NO_GO_LABELS[self]


NO_GO_LABELS = {
    NoGoReason.POOR_TECHNICAL_FIT: "Poor technical fit",
    NoGoReason.NO_BUDGET: "No budget",
    NoGoReason.NO_COMPELLING_EVENT: "No compelling event",
    NoGoReason.COMPETITOR_LOCK_IN: "Competitor lock-in",
    NoGoReason.NO_TECHNICAL_SPONSOR: "No technical sponsor or access",
    NoGoReason.UNREALISTIC_REQUIREMENTS: "Unrealistic requirements",
    NoGoReason.SECURITY_OR_COMPLIANCE: "Security or compliance blocker",
    NoGoReason.OTHER: "Other (explained in the note)",
}


class PocOutcome(StrEnum):
    """How a proof of concept ended."""

    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    ABANDONED = "abandoned"

    @property
    def label(self) -> str:
        """The outcome as people read it."""
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    PocOutcome.PASSED: "Passed",
    PocOutcome.PARTIAL: "Partly passed",
    PocOutcome.FAILED: "Failed",
    PocOutcome.ABANDONED: "Abandoned",
}


class CriterionResult(StrEnum):
    """What the evaluation showed for one success criterion."""

    PENDING = "pending"
    MET = "met"
    PARTIALLY_MET = "partially_met"
    NOT_MET = "not_met"

    @property
    def label(self) -> str:
        """The result as people read it."""
        return RESULT_LABELS[self]


RESULT_LABELS = {
    CriterionResult.PENDING: "Not yet tested",
    CriterionResult.MET: "Met",
    CriterionResult.PARTIALLY_MET: "Partially met",
    CriterionResult.NOT_MET: "Not met",
}


class PocStatus(StrEnum):
    """Where a POC stands, derived from its dates and outcome (never stored)."""

    PLANNED = "planned"
    RUNNING = "running"
    CONCLUDED = "concluded"

    @property
    def label(self) -> str:
        """The status as people read it."""
        return self.value.capitalize()
