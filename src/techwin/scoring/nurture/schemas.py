"""Pydantic shapes for tiers, sequences, steps, enrollments and tasks."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from techwin.scoring.nurture import rules
from techwin.scoring.nurture.enums import EnrollmentStatus, StepKind, TaskStatus, TierAction

KEY = r"^[a-z][a-z0-9_]{1,39}$"


class StepSpec(BaseModel):
    """One step of a sequence."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: StepKind
    wait_days: int = Field(default=0, ge=0, le=365)
    title: str = Field(min_length=1, max_length=200)
    template: str = Field(default="", max_length=10_000)

    @field_validator("title", "template")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        unknown = rules.unknown_placeholders(value)
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{{{unknown[0]}}}}}; "
                f"available: {', '.join(rules.PLACEHOLDERS)}"
            )
        return value


class SequenceSpec(BaseModel):
    """A sequence as written in the playbook or sent by an admin."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=KEY)
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    steps: list[StepSpec] = Field(min_length=1, max_length=30)


class TierSpec(BaseModel):
    """A tier as written in the playbook or sent by an admin."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=KEY)
    name: str = Field(min_length=1, max_length=80)
    min_score: float = Field(ge=-1000, le=10_000)
    action: TierAction
    sequence: str | None = None
    due_business_days: int = Field(default=1, ge=0, le=30)

    @model_validator(mode="after")
    def _sequence_for_sequence_action(self) -> TierSpec:
        if self.action is TierAction.SEQUENCE and not self.sequence:
            raise ValueError("a tier whose action is 'sequence' names the sequence")
        return self


class NurturePlaybook(BaseModel):
    """Tiers and sequences together; tiers name existing sequences."""

    tiers: list[TierSpec] = Field(min_length=1)
    sequences: list[SequenceSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> NurturePlaybook:
        known = {s.key for s in self.sequences}
        for tier in self.tiers:
            if tier.sequence and tier.sequence not in known:
                raise ValueError(f"tier {tier.key!r} names unknown sequence {tier.sequence!r}")
        keys = [t.key for t in self.tiers]
        if len(set(keys)) != len(keys):
            raise ValueError("tier keys must be unique")
        return self


class StepOut(StepSpec):
    """A stored step."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int


class SequenceOut(BaseModel):
    """A stored sequence."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    description: str
    is_active: bool
    steps: list[StepOut]


class TierOut(BaseModel):
    """A stored tier."""

    id: int
    key: str
    name: str
    min_score: float
    action: TierAction
    sequence: str | None
    due_business_days: int


class EnrollmentOut(BaseModel):
    """An enrollment."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    contact_id: int
    sequence_id: int
    status: EnrollmentStatus
    next_position: int
    next_due_at: datetime | None
    enrolled_at: datetime
    finished_at: datetime | None
    stop_reason: str | None


class TaskOut(BaseModel):
    """A task."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_id: int | None
    contact_id: int | None
    enrollment_id: int | None
    kind: str
    title: str
    body: str
    due_at: datetime
    status: TaskStatus
    created_at: datetime
    completed_at: datetime | None


class TaskPatch(BaseModel):
    """Mark a task done or cancelled."""

    model_config = ConfigDict(extra="forbid")

    status: TaskStatus


class UnsubscribeIn(BaseModel):
    """An unsubscribe request."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str | None = Field(default=None, max_length=200)


class RunReport(BaseModel):
    """What a nurture run did."""

    tiered: dict[str, int]
    owner_tasks: int
    enrolled: int
    step_tasks: int
    completed: int
