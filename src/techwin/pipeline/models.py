"""Accounts, contacts and their lifecycle, pipelines, stages, gates and opportunities."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Enum,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from techwin.auth.models import User
from techwin.core.time import utcnow
from techwin.db.base import Base, TimestampMixin, VersionedMixin
from techwin.db.types import Money
from techwin.pipeline.enums import (
    CustomFieldType,
    ForecastCategory,
    GateSubject,
    LifecycleStage,
    Seniority,
)


def _enum(enum_cls: type[Any], name: str) -> Enum:
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        length=20,
        values_callable=lambda cls: [m.value for m in cls],
    )


class Account(TimestampMixin, VersionedMixin, Base):
    """A company we sell to."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    domain: Mapped[str | None] = mapped_column(String(200), index=True)
    industry: Mapped[str | None] = mapped_column(String(80))
    employee_count: Mapped[int | None]
    region: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    custom: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))

    owner: Mapped[User | None] = relationship(lazy="raise")


class Contact(TimestampMixin, VersionedMixin, Base):
    """A person at an account; a lead is a contact early in the lifecycle."""

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("account_id", "email"),
        Index("ix_contact_stage_created", "lifecycle_stage", "created_at"),
        Index("ix_contact_owner_created", "owner_id", "created_at"),
        # created_at first for range scans; the rest lets the funnel count without the table
        Index("ix_contact_created_funnel", "created_at", "furthest_rank", "source", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(120))
    seniority: Mapped[Seniority | None] = mapped_column(_enum(Seniority, "seniority"))
    department: Mapped[str | None] = mapped_column(String(80))
    source: Mapped[str | None] = mapped_column(String(60), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    lifecycle_stage: Mapped[LifecycleStage] = mapped_column(
        _enum(LifecycleStage, "lifecycle_stage"), default=LifecycleStage.LEAD
    )
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    furthest_rank: Mapped[int] = mapped_column(default=0)
    disqualified_reason: Mapped[str | None] = mapped_column(String(500))
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    custom: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))

    account: Mapped[Account | None] = relationship(lazy="raise")
    owner: Mapped[User | None] = relationship(lazy="raise")

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()


class LifecycleTransition(Base):
    """One move of a contact between lifecycle stages: from, to, who, when, why."""

    __tablename__ = "lifecycle_transition"
    __table_args__ = (
        Index("ix_lifecycle_transition_contact_at", "contact_id", "at"),
        Index("ix_lifecycle_transition_to_at", "to_stage", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    from_stage: Mapped[LifecycleStage | None] = mapped_column(
        _enum(LifecycleStage, "lifecycle_stage")
    )
    to_stage: Mapped[LifecycleStage] = mapped_column(_enum(LifecycleStage, "lifecycle_stage"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(500))
    seconds_in_from_stage: Mapped[int | None]
    overridden: Mapped[bool] = mapped_column(default=False)

    actor: Mapped[User | None] = relationship(lazy="raise")


class Pipeline(Base):
    """A sales process: an ordered list of deal stages."""

    __tablename__ = "pipeline"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    is_default: Mapped[bool] = mapped_column(default=False)

    stages: Mapped[list[PipelineStage]] = relationship(
        lazy="raise", order_by="PipelineStage.position", back_populates="pipeline"
    )


class PipelineStage(Base):
    """One deal stage with its default probability and forecast category."""

    __tablename__ = "pipeline_stage"
    __table_args__ = (
        UniqueConstraint("pipeline_id", "key"),
        UniqueConstraint("pipeline_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipeline.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    probability: Mapped[int] = mapped_column(default=10)
    forecast_category: Mapped[ForecastCategory] = mapped_column(
        _enum(ForecastCategory, "forecast_category"), default=ForecastCategory.PIPELINE
    )
    is_closed: Mapped[bool] = mapped_column(default=False)
    is_won: Mapped[bool] = mapped_column(default=False)

    pipeline: Mapped[Pipeline] = relationship(lazy="raise", back_populates="stages")


class ExitCriterion(Base):
    """Something that must hold before a record may leave a stage.

    ``kind`` names the evaluator (``checklist`` here; later domains register more, such as
    qualification elements); ``config`` carries the evaluator's parameters.
    """

    __tablename__ = "exit_criterion"
    __table_args__ = (
        UniqueConstraint("pipeline_stage_id", "key"),
        UniqueConstraint("lifecycle_stage", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[GateSubject] = mapped_column(_enum(GateSubject, "gate_subject"))
    pipeline_stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_stage.id", ondelete="CASCADE"), index=True
    )
    lifecycle_stage: Mapped[LifecycleStage | None] = mapped_column(
        _enum(LifecycleStage, "lifecycle_stage")
    )
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="checklist")
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)


class CriterionCheck(Base):
    """A checklist criterion ticked for one record."""

    __tablename__ = "criterion_check"
    __table_args__ = (UniqueConstraint("criterion_id", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("exit_criterion.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(index=True)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))


opportunity_se = Table(
    "opportunity_se",
    Base.metadata,
    Column("opportunity_id", ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class OpportunityContact(Base):
    """A contact involved in a deal; primary contacts become customers when it is won."""

    __tablename__ = "opportunity_contact"

    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_primary: Mapped[bool] = mapped_column(default=False)

    contact: Mapped[Contact] = relationship(lazy="raise")


class Opportunity(TimestampMixin, VersionedMixin, Base):
    """A deal: what an AE and their SEs are working to win at an account."""

    __tablename__ = "opportunity"
    __table_args__ = (
        Index("ix_opportunity_stage_close", "stage_id", "close_date"),
        Index("ix_opportunity_stage_closed", "stage_id", "closed_at"),
        Index("ix_opportunity_owner", "owner_id"),
        Index("ix_opportunity_account", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipeline.id", ondelete="RESTRICT"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stage.id", ondelete="RESTRICT"))
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    close_date: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    probability: Mapped[int] = mapped_column(default=10)
    forecast_category: Mapped[ForecastCategory] = mapped_column(
        _enum(ForecastCategory, "forecast_category"), default=ForecastCategory.PIPELINE
    )
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    acv: Mapped[Decimal | None] = mapped_column(Money)
    tcv: Mapped[Decimal | None] = mapped_column(Money)
    term_months: Mapped[int | None]
    mrr: Mapped[Decimal | None] = mapped_column(Money)
    arr: Mapped[Decimal | None] = mapped_column(Money)
    compelling_event: Mapped[str | None] = mapped_column(String(500))
    competitors: Mapped[str | None] = mapped_column(String(500))
    next_step: Mapped[str | None] = mapped_column(String(500))
    next_step_due: Mapped[date | None]
    lost_reason: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    custom: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))

    account: Mapped[Account] = relationship(lazy="raise")
    owner: Mapped[User | None] = relationship(lazy="raise")
    stage: Mapped[PipelineStage] = relationship(lazy="raise")
    pipeline: Mapped[Pipeline] = relationship(lazy="raise")
    engineers: Mapped[list[User]] = relationship(secondary=opportunity_se, lazy="raise")
    contacts: Mapped[list[OpportunityContact]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )


class CustomField(Base):
    """A field an organisation added (usually from an import): its record type, key and type."""

    __tablename__ = "custom_field"
    __table_args__ = (UniqueConstraint("entity", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(120))
    field_type: Mapped[CustomFieldType] = mapped_column(_enum(CustomFieldType, "custom_field_type"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FunnelDuration(Base):
    """How many contacts created on a day left a funnel stage after a stay in a duration bucket
    (see techwin.pipeline.funnel_stats): the funnel's medians without reading every move."""

    __tablename__ = "funnel_duration"

    cohort_day: Mapped[date] = mapped_column(primary_key=True)
    from_stage: Mapped[LifecycleStage] = mapped_column(
        _enum(LifecycleStage, "lifecycle_stage"), primary_key=True
    )
    bucket: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class StageChange(Base):
    """One move of a deal between pipeline stages, with overrides recorded."""

    __tablename__ = "stage_change"
    __table_args__ = (Index("ix_stage_change_opportunity_at", "opportunity_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_stage.id", ondelete="SET NULL")
    )
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stage.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(500))
    seconds_in_from_stage: Mapped[int | None]
    overridden: Mapped[bool] = mapped_column(default=False)
    unmet: Mapped[list[str] | None] = mapped_column(JSON)

    from_stage: Mapped[PipelineStage | None] = relationship(
        lazy="raise", foreign_keys=[from_stage_id]
    )
    to_stage: Mapped[PipelineStage] = relationship(lazy="raise", foreign_keys=[to_stage_id])
    actor: Mapped[User | None] = relationship(lazy="raise")
