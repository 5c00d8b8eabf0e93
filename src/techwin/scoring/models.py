"""Scoring rules, engagement events and the stored score of each contact."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from techwin.core.time import utcnow
from techwin.db.base import Base, TimestampMixin
from techwin.pipeline.enums import LIFECYCLE_LABELS, LifecycleStage
from techwin.scoring.enums import EventKind, Operator, RuleCategory

# A model trained on the outcome column of an import (converted / won) rather than on a stage.
OUTCOME_TARGET = "outcome"


def _enum(enum_cls: type[Any], name: str) -> Enum:
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        length=30,
        values_callable=lambda cls: [m.value for m in cls],
    )


class ScoringRule(TimestampMixin, Base):
    """One rule: a fit condition or an engagement event kind, and the points it gives."""

    __tablename__ = "scoring_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    category: Mapped[RuleCategory] = mapped_column(_enum(RuleCategory, "rule_category"))
    field: Mapped[str | None] = mapped_column(String(80))
    operator: Mapped[Operator | None] = mapped_column(_enum(Operator, "rule_operator"))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    event_kind: Mapped[EventKind | None] = mapped_column(_enum(EventKind, "event_kind"))
    points: Mapped[float] = mapped_column(Float)
    half_life_days: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float | None] = mapped_column(Float)
    is_active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)


class EngagementEvent(Base):
    """Something a contact did, stored as it arrived (API, import or UI)."""

    __tablename__ = "engagement_event"
    __table_args__ = (Index("ix_engagement_event_contact_at", "contact_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "event_kind"))
    occurred_at: Mapped[datetime]
    detail: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(20), default="api")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LeadScore(Base):
    """A contact's current rule-based score with the reasons that make it up."""

    __tablename__ = "lead_score"
    __table_args__ = (Index("ix_lead_score_total", "total"),)

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True
    )
    fit: Mapped[float] = mapped_column(Float, default=0)
    engagement: Mapped[float] = mapped_column(Float, default=0)
    total: Mapped[float] = mapped_column(Float, default=0)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScoringSettings(Base):
    """Organisation-wide scoring settings (a single row)."""

    __tablename__ = "scoring_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    mql_threshold: Mapped[float | None] = mapped_column(Float)
    default_half_life_days: Mapped[float] = mapped_column(Float, default=30)


class PredictiveModel(Base):
    """One trained version of the predictive lead score, with its honest evaluation."""

    __tablename__ = "predictive_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    target_stage: Mapped[str] = mapped_column(String(20))
    algorithm: Mapped[str] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(default=False)
    n_train: Mapped[int]
    n_test: Mapped[int]
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    artifact: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    @property
    def target_label(self) -> str:
        """What the model predicts, in words: a lifecycle stage or the imported outcome."""
        if self.target_stage == OUTCOME_TARGET:
            return "a positive imported outcome"
        return LIFECYCLE_LABELS[LifecycleStage(self.target_stage)]

    @property
    def target_phrase(self) -> str:
        """Completes "chance to …": ``reach Sales qualified within 180 days``."""
        if self.target_stage == OUTCOME_TARGET:
            return "convert, as the imported outcomes record it"
        horizon = (self.settings or {}).get("horizon_days", 180)
        return f"reach {self.target_label} within {horizon} days"


class PredictiveScore(Base):
    """A contact's probability of reaching the target stage under one model version."""

    __tablename__ = "predictive_score"
    __table_args__ = (Index("ix_predictive_score_probability", "probability"),)

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True
    )
    model_id: Mapped[int] = mapped_column(ForeignKey("predictive_model.id", ondelete="CASCADE"))
    model_version: Mapped[int]
    probability: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)
