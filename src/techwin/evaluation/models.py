"""Evaluation models (tables): a deal's technical win, its proofs of concept with success
criteria, and the competitors met on deals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from techwin.auth.models import User
from techwin.core.time import utcnow
from techwin.db.base import Base, TimestampMixin, VersionedMixin
from techwin.evaluation.enums import CriterionResult, NoGoReason, PocOutcome, TechnicalWinStatus
from techwin.pipeline.models import Opportunity


def _enum(enum_cls: type[Any], name: str, length: int = 20) -> Enum:
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        length=length,
        values_callable=lambda cls: [m.value for m in cls],
    )


class TechnicalWin(TimestampMixin, VersionedMixin, Base):
    """The technical win of one deal: its status, and who decided it, when and why.

    A deal without a row has not started its technical evaluation.
    """

    __tablename__ = "technical_win"
    __table_args__ = (Index("ix_technical_win_status_decided", "status", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[TechnicalWinStatus] = mapped_column(
        _enum(TechnicalWinStatus, "technical_win_status"), default=TechnicalWinStatus.NOT_STARTED
    )
    no_go_reason: Mapped[NoGoReason | None] = mapped_column(_enum(NoGoReason, "no_go_reason", 30))
    reason: Mapped[str | None] = mapped_column(String(500))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    opportunity: Mapped[Opportunity] = relationship(lazy="raise")
    decided_by: Mapped[User | None] = relationship(lazy="raise")


class Poc(TimestampMixin, VersionedMixin, Base):
    """A proof of concept on a deal: scope, dates, success criteria, outcome and sign-off."""

    __tablename__ = "poc"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(Text)
    # Free text until the enablement domain lands: then the sandbox becomes a link to its asset.
    environment: Mapped[str | None] = mapped_column(String(300))
    start_date: Mapped[date]
    end_date: Mapped[date]
    outcome: Mapped[PocOutcome | None] = mapped_column(_enum(PocOutcome, "poc_outcome"))
    outcome_notes: Mapped[str | None] = mapped_column(Text)
    concluded_on: Mapped[date | None]
    signed_off_by: Mapped[str | None] = mapped_column(String(120))
    signed_off_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    opportunity: Mapped[Opportunity] = relationship(lazy="raise")
    criteria: Mapped[list[SuccessCriterion]] = relationship(
        lazy="raise",
        order_by="SuccessCriterion.position",
        cascade="all, delete-orphan",
        back_populates="poc",
    )


class SuccessCriterion(VersionedMixin, Base):
    """One thing a POC must prove, its measurable target, and the result with its evidence."""

    __tablename__ = "poc_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    poc_id: Mapped[int] = mapped_column(ForeignKey("poc.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(300))
    target: Mapped[str] = mapped_column(String(300))
    result: Mapped[CriterionResult] = mapped_column(
        _enum(CriterionResult, "criterion_result"), default=CriterionResult.PENDING
    )
    evidence: Mapped[str | None] = mapped_column(Text)
    result_at: Mapped[datetime | None]
    result_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    poc: Mapped[Poc] = relationship(lazy="raise", back_populates="criteria")
    result_by: Mapped[User | None] = relationship(lazy="raise")


class Competitor(Base):
    """A competitor met on deals, once per name (compared without case or extra spaces).

    The enablement domain will link each competitor to its battlecards; nothing here anticipates
    that beyond this note.
    """

    __tablename__ = "competitor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DealCompetitor(Base):
    """A competitor in a deal, with whether they are the incumbent and a note."""

    __tablename__ = "deal_competitor"

    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True
    )
    competitor_id: Mapped[int] = mapped_column(
        ForeignKey("competitor.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    incumbent: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(300))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    competitor: Mapped[Competitor] = relationship(lazy="raise")
