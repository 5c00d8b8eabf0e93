"""Pydantic shapes of the technical win, POCs and competitors: API bodies, form and CLI input.

Required business fields (a POC's dates, a criterion's target, a no-go's reason code) are
optional here and checked by the rules, so that a missing one gets a sentence that explains it.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from techwin.core.inputs import InputModel
from techwin.evaluation.enums import (
    CriterionResult,
    NoGoReason,
    PocOutcome,
    PocStatus,
    TechnicalWinStatus,
)


class TechnicalWinIn(InputModel):
    """A change of a deal's technical win status (a no-go also takes its reason code)."""

    status: TechnicalWinStatus
    reason: str | None = Field(default=None, max_length=500)
    no_go_reason: NoGoReason | None = None
    version: int | None = None


class NoGoIn(InputModel):
    """The SE disqualifies the deal: a reason code, and a note (required for 'other')."""

    no_go_reason: NoGoReason | None = None
    reason: str | None = Field(default=None, max_length=500)
    version: int | None = None


class TechnicalWinOut(BaseModel):
    """A deal's technical win."""

    opportunity_id: int
    status: TechnicalWinStatus
    no_go_reason: NoGoReason | None
    reason: str | None
    decided_at: datetime | None
    decided_by_id: int | None
    allowed: list[TechnicalWinStatus]
    version: int


class CriterionIn(InputModel):
    """A success criterion: what is checked and the measurable target."""

    description: str | None = Field(default=None, max_length=300)
    target: str | None = Field(default=None, max_length=300)


class CriterionPatch(InputModel):
    """A change of a criterion's wording (results go through ``ResultIn``)."""

    description: str | None = Field(default=None, max_length=300)
    target: str | None = Field(default=None, max_length=300)
    version: int | None = None


class ResultIn(InputModel):
    """The result of a success criterion with its evidence."""

    result: CriterionResult
    evidence: str | None = Field(default=None, max_length=4000)
    version: int | None = None


class PocIn(InputModel):
    """A new POC, optionally with its success criteria."""

    title: str = Field(min_length=1, max_length=120)
    scope: str = Field(min_length=1, max_length=10_000)
    start_date: date | None = None
    end_date: date | None = None
    environment: str | None = Field(default=None, max_length=300)
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=20)


class PocPatch(InputModel):
    """A change of a POC's plan while it is open."""

    title: str | None = Field(default=None, min_length=1, max_length=120)
    scope: str | None = Field(default=None, min_length=1, max_length=10_000)
    start_date: date | None = None
    end_date: date | None = None
    environment: str | None = Field(default=None, max_length=300)
    version: int | None = None


class OutcomeIn(InputModel):
    """How the POC ended (the conclusion day defaults to today)."""

    outcome: PocOutcome
    notes: str | None = Field(default=None, max_length=4000)
    concluded_on: date | None = None
    version: int | None = None


class SignOffIn(InputModel):
    """Who signed off the POC's results on the customer's side, and when."""

    signed_off_by: str | None = Field(default=None, max_length=120)
    signed_off_on: date | None = None
    version: int | None = None


class CriterionOut(BaseModel):
    """A success criterion and its result."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    description: str
    target: str
    result: CriterionResult
    evidence: str | None
    result_at: datetime | None
    result_by_id: int | None
    version: int


class PocOut(BaseModel):
    """A POC with its criteria, timing and warnings."""

    id: int
    opportunity_id: int
    title: str
    scope: str
    environment: str | None
    start_date: date
    end_date: date
    status: PocStatus
    outcome: PocOutcome | None
    outcome_notes: str | None
    concluded_on: date | None
    signed_off_by: str | None
    signed_off_on: date | None
    days_left: int | None
    overdue: bool
    long_running: bool
    suggested_outcome: PocOutcome | None
    warnings: list[str]
    criteria: list[CriterionOut]
    version: int


class RunningPocOut(BaseModel):
    """A running POC on one of an SE's deals, as their day shows it."""

    poc_id: int
    title: str
    opportunity_id: int
    deal_name: str
    account_name: str
    start_date: date
    end_date: date
    day_number: int
    days_left: int
    overdue: bool
    long_running: bool
    criteria_total: int
    criteria_tested: int


class CompetitorIn(InputModel):
    """A competitor to add to a deal: by name (created on first use) or by id."""

    name: str | None = Field(default=None, max_length=120)
    competitor_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    incumbent: bool = False
    note: str | None = Field(default=None, max_length=300)


class CompetitorOut(BaseModel):
    """A competitor of the catalogue with how many deals it appears on."""

    id: int
    name: str
    deals: int


class DealCompetitorOut(BaseModel):
    """A competitor on a deal."""

    competitor_id: int
    name: str
    incumbent: bool
    note: str | None
    added_at: datetime


class DqRateOut(BaseModel):
    """The share of decided technical wins that were no-gos, against the healthy band."""

    start: date
    end: date
    se_id: int | None
    decided: int
    no_go: int
    rate: float | None
    band: str
    healthy_low: float
    healthy_high: float
    by_reason: dict[str, int]
    advice: str
