"""Pydantic shapes for the pipeline: API bodies, form input and CLI input share them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from techwin.core.inputs import BlankableText, InputModel
from techwin.core.money import CURRENCIES
from techwin.core.types import RecordId
from techwin.pipeline.enums import ForecastCategory, LifecycleStage, Seniority

ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=500)]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999"), decimal_places=2)]


class AccountIn(InputModel):
    """Fields of an account a person can set."""

    name: str = Field(min_length=1, max_length=200)
    domain: str | None = Field(default=None, max_length=200)
    industry: str | None = Field(default=None, max_length=80)
    employee_count: int | None = Field(default=None, ge=0, le=10_000_000)
    region: str | None = Field(default=None, max_length=40)
    owner_id: RecordId | None = None
    external_id: str | None = Field(default=None, max_length=64)


class AccountPatch(InputModel):
    """A partial update of an account; ``version`` guards against lost updates."""

    version: int | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    domain: str | None = Field(default=None, max_length=200)
    industry: str | None = Field(default=None, max_length=80)
    employee_count: int | None = Field(default=None, ge=0, le=10_000_000)
    region: str | None = Field(default=None, max_length=40)
    owner_id: RecordId | None = None


class AccountOut(BaseModel):
    """An account."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    domain: str | None
    industry: str | None
    employee_count: int | None
    region: str | None
    owner_id: int | None
    external_id: str | None
    custom: dict[str, Any] = Field(default_factory=dict)
    version: int
    created_at: datetime


class ContactIn(InputModel):
    """Fields of a contact/lead a person can set on creation."""

    first_name: BlankableText = Field(default="", max_length=80)  # optional, as in Salesforce
    last_name: str = Field(min_length=1, max_length=80)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    title: str | None = Field(default=None, max_length=120)
    seniority: Seniority | None = None
    department: str | None = Field(default=None, max_length=80)
    source: str | None = Field(default=None, max_length=60)
    account_id: RecordId | None = None
    owner_id: RecordId | None = None
    external_id: str | None = Field(default=None, max_length=64)


class ContactPatch(InputModel):
    """A partial update of a contact (the lifecycle moves through transitions, not here)."""

    version: int | None = None
    first_name: str | None = Field(default=None, max_length=80)
    last_name: str | None = Field(default=None, min_length=1, max_length=80)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    title: str | None = Field(default=None, max_length=120)
    seniority: Seniority | None = None
    department: str | None = Field(default=None, max_length=80)
    source: str | None = Field(default=None, max_length=60)
    account_id: RecordId | None = None
    owner_id: RecordId | None = None


class ContactOut(BaseModel):
    """A contact with its lifecycle position."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    title: str | None
    seniority: Seniority | None
    department: str | None
    source: str | None
    account_id: int | None
    owner_id: int | None
    lifecycle_stage: LifecycleStage
    stage_entered_at: datetime
    disqualified_reason: str | None
    external_id: str | None
    custom: dict[str, Any] = Field(default_factory=dict)
    version: int
    created_at: datetime


class TransitionIn(InputModel):
    """A lifecycle move."""

    to_stage: LifecycleStage
    reason: str | None = Field(default=None, max_length=500)
    override: bool = False


class TransitionOut(BaseModel):
    """One stored lifecycle move."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    contact_id: int
    from_stage: LifecycleStage | None
    to_stage: LifecycleStage
    at: datetime
    actor_id: int | None
    reason: str | None
    overridden: bool


class ConvertIn(InputModel):
    """Turning a sales-qualified contact into a deal."""

    name: str | None = Field(default=None, max_length=200)
    account_id: RecordId | None = None
    acv: Amount | None = None
    close_date: date | None = None
    owner_id: RecordId | None = None


class OpportunityIn(InputModel):
    """Fields of a new deal."""

    name: str = Field(min_length=1, max_length=200)
    account_id: RecordId
    owner_id: RecordId | None = None
    stage: str | None = Field(default=None, max_length=40)
    close_date: date | None = None
    probability: int | None = Field(default=None, ge=0, le=100)
    forecast_category: ForecastCategory | None = None
    currency: str = Field(default="USD", min_length=3, max_length=3)
    acv: Amount | None = None
    tcv: Amount | None = None
    term_months: int | None = Field(default=None, ge=1, le=120)
    mrr: Amount | None = None
    compelling_event: LongText | None = None
    competitors: LongText | None = None
    next_step: LongText | None = None
    next_step_due: date | None = None
    description: str | None = Field(default=None, max_length=10_000)
    se_ids: list[RecordId] = Field(default_factory=list, max_length=10)
    contact_ids: list[RecordId] = Field(default_factory=list, max_length=50)
    external_id: str | None = Field(default=None, max_length=64)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        value = value.upper()
        if value not in CURRENCIES:
            raise ValueError(f"unknown currency; use one of {', '.join(CURRENCIES)}")
        return value


class OpportunityPatch(InputModel):
    """A partial update of a deal (stage moves go through ``move``)."""

    version: int | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    owner_id: RecordId | None = None
    close_date: date | None = None
    probability: int | None = Field(default=None, ge=0, le=100)
    forecast_category: ForecastCategory | None = None
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    acv: Amount | None = None
    tcv: Amount | None = None
    term_months: int | None = Field(default=None, ge=1, le=120)
    mrr: Amount | None = None
    compelling_event: LongText | None = None
    competitors: LongText | None = None
    next_step: LongText | None = None
    next_step_due: date | None = None
    description: str | None = Field(default=None, max_length=10_000)
    se_ids: list[RecordId] | None = Field(default=None, max_length=10)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.upper()
        if value not in CURRENCIES:
            raise ValueError(f"unknown currency; use one of {', '.join(CURRENCIES)}")
        return value


class MoveIn(InputModel):
    """A deal stage move; ``override`` lets a manager pass an unmet gate with a reason."""

    stage: str = Field(min_length=1, max_length=40)
    reason: str | None = Field(default=None, max_length=500)
    override: bool = False
    version: int | None = None


class StageOut(BaseModel):
    """A pipeline stage."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    position: int
    probability: int
    forecast_category: ForecastCategory
    is_closed: bool
    is_won: bool


class OpportunityOut(BaseModel):
    """A deal."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    account_id: int
    owner_id: int | None
    pipeline_id: int
    stage: str
    stage_entered_at: datetime
    close_date: date | None
    closed_at: datetime | None
    probability: int
    forecast_category: ForecastCategory
    currency: str
    acv: Decimal | None
    tcv: Decimal | None
    term_months: int | None
    mrr: Decimal | None
    arr: Decimal | None
    compelling_event: str | None
    competitors: str | None
    next_step: str | None
    next_step_due: date | None
    lost_reason: str | None
    se_ids: list[int]
    external_id: str | None
    custom: dict[str, Any] = Field(default_factory=dict)
    version: int
    created_at: datetime


class StageChangeOut(BaseModel):
    """One stored deal stage move."""

    id: int
    from_stage: str | None
    to_stage: str
    at: datetime
    actor_id: int | None
    reason: str | None
    overridden: bool
    days_in_from_stage: float | None


class CriterionOut(BaseModel):
    """An exit criterion and whether it holds for one record."""

    key: str
    label: str
    stage: str
    met: bool
    hint: str = ""


class CheckIn(InputModel):
    """Tick or untick a checklist criterion."""

    met: bool = True
    note: str | None = Field(default=None, max_length=500)


class StagePatch(InputModel):
    """What an admin may change on a deal stage."""

    name: str | None = Field(default=None, min_length=1, max_length=80)
    probability: int | None = Field(default=None, ge=0, le=100)
    forecast_category: ForecastCategory | None = None


class CriterionIn(InputModel):
    """A new exit criterion on a deal stage or a lifecycle stage."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")
    label: str = Field(min_length=3, max_length=200)
    stage: str | None = Field(default=None, max_length=40)
    lifecycle_stage: LifecycleStage | None = None
    kind: str = Field(default="checklist", max_length=40)
    config: dict[str, object] = Field(default_factory=dict)


class CriterionDefOut(BaseModel):
    """An exit criterion's definition."""

    id: int
    stage: str
    key: str
    label: str
    kind: str
    config: dict[str, object]
