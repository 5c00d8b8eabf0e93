"""Pydantic shapes of product gaps: API bodies, form and CLI input, and what is returned."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from techwin.core.inputs import InputModel
from techwin.core.types import RecordId
from techwin.feedback.enums import GapSeverity, GapStatus


class GapIn(InputModel):
    """A new product gap, optionally linked to deals at once."""

    title: str | None = Field(default=None, max_length=200)
    product_area: str | None = Field(default=None, max_length=80)
    severity: GapSeverity | None = None
    description: str | None = Field(default=None, max_length=10_000)
    workaround: str | None = Field(default=None, max_length=10_000)
    deal_ids: list[RecordId] = Field(default_factory=list, max_length=50)
    lost_because: bool = False


class GapPatch(InputModel):
    """A change of a gap's description (its status moves through ``GapStatusIn``)."""

    title: str | None = Field(default=None, max_length=200)
    product_area: str | None = Field(default=None, max_length=80)
    severity: GapSeverity | None = None
    description: str | None = Field(default=None, max_length=10_000)
    workaround: str | None = Field(default=None, max_length=10_000)
    version: int | None = None


class GapStatusIn(InputModel):
    """A step in the gap's workflow (won't do, and re-opening, need a reason)."""

    status: GapStatus
    reason: str | None = Field(default=None, max_length=500)
    version: int | None = None


class GapLinkIn(InputModel):
    """A deal the gap affects; ``lost_because`` when it was one reason the deal was lost."""

    opportunity_id: RecordId | None = None
    lost_because: bool = False
    note: str | None = Field(default=None, max_length=300)


class ImpactOut(BaseModel):
    """A gap's revenue impact in the ranking currency, with the other currencies beside it."""

    currency: str
    blocked_acv: Decimal
    lost_acv: Decimal
    total: Decimal
    open_deals: int
    lost_deals: int
    totals: dict[str, Decimal]


class GapOut(BaseModel):
    """A product gap with its impact."""

    id: int
    title: str
    product_area: str
    severity: GapSeverity
    description: str | None
    workaround: str | None
    status: GapStatus
    status_reason: str | None
    status_changed_at: datetime | None
    created_by_id: int | None
    created_at: datetime
    allowed_statuses: list[GapStatus]
    impact: ImpactOut
    version: int


class RankedGapOut(GapOut):
    """A gap in the product manager's ranking (1 = the most revenue held up)."""

    rank: int


class GapDealOut(BaseModel):
    """A deal linked to a gap, and what it counts as in the gap's impact."""

    opportunity_id: int
    name: str
    account: str
    stage: str
    deal_status: str = Field(description="open, won or lost")
    acv: Decimal | None
    currency: str
    lost_because: bool
    counts_as: str
    note: str | None
    lost_reason: str | None
    linked_at: datetime
