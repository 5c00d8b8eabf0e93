"""Pydantic shapes for scoring rules, settings, events and scores."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from techwin.core.types import RecordId
from techwin.pipeline.enums import LifecycleStage
from techwin.scoring.enums import EventKind, Operator, RuleCategory


class RuleIn(BaseModel):
    """A scoring rule as an admin writes it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label: str = Field(min_length=1, max_length=120)
    category: RuleCategory
    points: float
    field: str | None = Field(default=None, max_length=80)
    operator: Operator | None = None
    value: Any = None
    event_kind: EventKind | None = None
    half_life_days: float | None = None
    max_points: float | None = None
    is_active: bool = True
    position: int = 0


class RuleOut(RuleIn):
    """A stored scoring rule."""

    model_config = ConfigDict(from_attributes=True)

    id: int


class SettingsIn(BaseModel):
    """Scoring settings an admin may change."""

    model_config = ConfigDict(extra="forbid")

    mql_threshold: float | None = Field(default=None, ge=0, le=10_000)
    default_half_life_days: float | None = Field(default=None, gt=0, le=3650)


class SettingsOut(BaseModel):
    """Scoring settings."""

    model_config = ConfigDict(from_attributes=True)

    mql_threshold: float | None
    default_half_life_days: float


class EventIn(BaseModel):
    """One engagement event for a known contact."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: EventKind
    occurred_at: datetime
    detail: str | None = Field(default=None, max_length=300)


class BatchEventIn(EventIn):
    """One engagement event in a batch: the contact by id or by email."""

    contact_id: RecordId | None = None
    email: EmailStr | None = None

    @model_validator(mode="after")
    def _one_reference(self) -> BatchEventIn:
        if (self.contact_id is None) == (self.email is None):
            raise ValueError("give exactly one of contact_id or email")
        return self


class EventBatch(BaseModel):
    """Many events at once: all are stored, or none."""

    model_config = ConfigDict(extra="forbid")

    events: list[BatchEventIn] = Field(min_length=1, max_length=10_000)


class EventOut(BaseModel):
    """A stored engagement event."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    contact_id: int
    kind: EventKind
    occurred_at: datetime
    detail: str | None
    source: str


class ReasonOut(BaseModel):
    """One rule's contribution."""

    rule_id: int
    label: str
    points: float
    category: RuleCategory


class ScoreOut(BaseModel):
    """A contact's score with its reasons."""

    contact_id: int
    fit: float
    engagement: float
    total: float
    reasons: list[ReasonOut]
    computed_at: datetime | None


class TrainIn(BaseModel):
    """What a new predictive model version learns from."""

    model_config = ConfigDict(extra="forbid")

    target_stage: LifecycleStage = LifecycleStage.SQL
    use_outcome: bool = False
    horizon_days: int = Field(default=180, ge=7, le=1095)
    window_days: int = Field(default=14, ge=1, le=365)
    exclude: list[str] = Field(default_factory=list, max_length=200)
    activate: bool = True


class ModelOut(BaseModel):
    """A model version with its held-out evaluation (AUC, Brier, calibration, lift)."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    is_active: bool
    algorithm: str
    target_stage: str
    created_at: datetime
    n_train: int
    n_test: int
    settings: dict[str, Any]
    report: dict[str, Any]


class LikelihoodReasonOut(BaseModel):
    """A feature pushing a contact's likelihood up (positive effect) or down."""

    feature: str
    text: str
    effect: float


class LikelihoodOut(BaseModel):
    """A contact's predicted probability under one model version, with its top reasons."""

    model_config = ConfigDict(from_attributes=True)

    contact_id: int
    model_version: int
    probability: float
    scored_at: datetime
    reasons: list[LikelihoodReasonOut]


class PredictReport(BaseModel):
    """How many contacts a scoring run covered."""

    scored: int
    model_version: int
