"""Feedback models (tables): product gaps and the deals they affect."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from techwin.auth.models import User
from techwin.core.time import utcnow
from techwin.db.base import Base, TimestampMixin, VersionedMixin
from techwin.feedback.enums import GapSeverity, GapStatus
from techwin.pipeline.models import Opportunity


def _enum(enum_cls: type[Any], name: str) -> Enum:
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        length=20,
        values_callable=lambda cls: [m.value for m in cls],
    )


class ProductGap(TimestampMixin, VersionedMixin, Base):
    """Something the product lacks that the field met on deals, and product's decision on it."""

    __tablename__ = "product_gap"
    __table_args__ = (Index("ix_product_gap_status_severity", "status", "severity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    product_area: Mapped[str] = mapped_column(String(80), index=True)
    severity: Mapped[GapSeverity] = mapped_column(_enum(GapSeverity, "gap_severity"))
    description: Mapped[str | None] = mapped_column(Text)
    workaround: Mapped[str | None] = mapped_column(Text)
    status: Mapped[GapStatus] = mapped_column(_enum(GapStatus, "gap_status"), default=GapStatus.NEW)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    status_changed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(lazy="raise")
    links: Mapped[list[GapDeal]] = relationship(
        lazy="raise", cascade="all, delete-orphan", back_populates="gap"
    )


class GapDeal(Base):
    """A deal a gap affects; ``lost_because`` marks it as one of the reasons the deal was lost."""

    __tablename__ = "product_gap_deal"

    gap_id: Mapped[int] = mapped_column(
        ForeignKey("product_gap.id", ondelete="CASCADE"), primary_key=True
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    lost_because: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(300))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    gap: Mapped[ProductGap] = relationship(lazy="raise", back_populates="links")
    opportunity: Mapped[Opportunity] = relationship(lazy="raise")
