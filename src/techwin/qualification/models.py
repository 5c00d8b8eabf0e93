"""Qualification frameworks (versioned), assessments and the ratings that fill them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from techwin.auth.models import User
from techwin.core.time import utcnow
from techwin.db.base import Base
from techwin.pipeline.enums import GateSubject


class Framework(Base):
    """One version of a qualification framework such as BANT or MEDDPICC.

    Editing a framework adds a new version; assessments stay pinned to the version they were
    made under, so their meaning never shifts under them.
    """

    __tablename__ = "qualification_framework"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    is_builtin: Mapped[bool] = mapped_column(default=False)
    is_current: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    elements: Mapped[list[FrameworkElement]] = relationship(
        lazy="raise", order_by="FrameworkElement.position", cascade="all, delete-orphan"
    )


class FrameworkElement(Base):
    """One thing a framework asks to be known, with the question that uncovers it."""

    __tablename__ = "qualification_element"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("qualification_framework.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    question: Mapped[str] = mapped_column(String(300))
    validated_means: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)


class Assessment(Base):
    """The qualification of one contact or deal under one framework version."""

    __tablename__ = "qualification_assessment"
    __table_args__ = (
        Index("ix_qualification_assessment_subject", "subject", "subject_id", "framework_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("qualification_framework.id", ondelete="RESTRICT")
    )
    framework_key: Mapped[str] = mapped_column(String(40))
    subject: Mapped[GateSubject] = mapped_column(
        Enum(
            GateSubject,
            name="gate_subject",
            native_enum=False,
            length=20,
            values_callable=lambda cls: [m.value for m in cls],
        )
    )
    subject_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    framework: Mapped[Framework] = relationship(lazy="raise")


class Rating(Base):
    """One rating of one element (0 unknown … 3 confirmed with evidence); history is kept."""

    __tablename__ = "qualification_rating"
    __table_args__ = (
        Index("ix_qualification_rating_assessment_element", "assessment_id", "element_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("qualification_assessment.id", ondelete="CASCADE")
    )
    element_key: Mapped[str] = mapped_column(String(40))
    score: Mapped[int]
    evidence: Mapped[str | None] = mapped_column(Text)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    rated_by_role: Mapped[str | None] = mapped_column(String(20))
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)

    rated_by: Mapped[User | None] = relationship(lazy="raise")
