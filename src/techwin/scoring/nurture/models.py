"""Tiers, sequences and their steps, enrollments, tasks and unsubscribes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from techwin.auth.models import User
from techwin.core.time import utcnow
from techwin.db.base import Base
from techwin.pipeline.models import Contact
from techwin.scoring.nurture.enums import EnrollmentStatus, StepKind, TaskStatus, TierAction


def _enum(enum_cls: type[Any], name: str) -> Enum:
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        length=20,
        values_callable=lambda cls: [m.value for m in cls],
    )


class NurtureTier(Base):
    """A band of scores and what a lead in it gets."""

    __tablename__ = "nurture_tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    min_score: Mapped[float]
    action: Mapped[TierAction] = mapped_column(_enum(TierAction, "tier_action"))
    sequence_id: Mapped[int | None] = mapped_column(
        ForeignKey("nurture_sequence.id", ondelete="SET NULL")
    )
    due_business_days: Mapped[int] = mapped_column(default=1)


class Sequence(Base):
    """An ordered set of touches spaced in days."""

    __tablename__ = "nurture_sequence"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)

    steps: Mapped[list[SequenceStep]] = relationship(
        lazy="raise", order_by="SequenceStep.position", cascade="all, delete-orphan"
    )


class SequenceStep(Base):
    """One touch: what kind, how long after the previous one, and the draft to send."""

    __tablename__ = "nurture_step"
    __table_args__ = (UniqueConstraint("sequence_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("nurture_sequence.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[StepKind] = mapped_column(_enum(StepKind, "step_kind"))
    wait_days: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(Text, default="")


class Enrollment(Base):
    """A contact working through a sequence."""

    __tablename__ = "nurture_enrollment"
    __table_args__ = (
        Index("ix_nurture_enrollment_due", "status", "next_due_at"),
        Index("ix_nurture_enrollment_contact", "contact_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    sequence_id: Mapped[int] = mapped_column(ForeignKey("nurture_sequence.id", ondelete="CASCADE"))
    status: Mapped[EnrollmentStatus] = mapped_column(_enum(EnrollmentStatus, "enrollment_status"))
    next_position: Mapped[int] = mapped_column(default=0)
    next_due_at: Mapped[datetime | None]
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    stop_reason: Mapped[str | None] = mapped_column(String(200))

    sequence: Mapped[Sequence] = relationship(lazy="raise")
    contact: Mapped[Contact] = relationship(lazy="raise")


class Task(Base):
    """Something an owner has to do by a date: call a hot lead, send a drafted message."""

    __tablename__ = "task"
    __table_args__ = (Index("ix_task_owner_status_due", "owner_id", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("nurture_enrollment.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime]
    status: Mapped[TaskStatus] = mapped_column(
        _enum(TaskStatus, "task_status"), default=TaskStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    owner: Mapped[User | None] = relationship(lazy="raise")
    contact: Mapped[Contact | None] = relationship(lazy="raise")


class Unsubscribe(Base):
    """A contact who asked to hear nothing more."""

    __tablename__ = "nurture_unsubscribe"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(200))
