"""Collaboration models (tables): SE profiles, pods, charters and their acknowledgements,
stakeholders, SE requests with their status history, meetings with huddles and debriefs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Enum,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from techwin.auth.models import Team, User
from techwin.collaboration.enums import (
    BuyingRole,
    Engagement,
    MeetingKind,
    MeetingStatus,
    PainUncovered,
    PodSide,
    RequestKind,
    RequestStatus,
    Sentiment,
)
from techwin.core.time import utcnow
from techwin.db.base import Base, TimestampMixin, VersionedMixin
from techwin.pipeline.models import Contact, Opportunity


def _enum(enum_cls: type[Any], name: str) -> Enum:
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        length=30,
        values_callable=lambda cls: [m.value for m in cls],
    )


class SEProfile(TimestampMixin, VersionedMixin, Base):
    """What assignment needs to know about an SE: skills, territories, weekly capacity."""

    __tablename__ = "se_profile"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    territories: Mapped[list[str]] = mapped_column(JSON, default=list)
    weekly_capacity_hours: Mapped[int] = mapped_column(default=30)

    user: Mapped[User] = relationship(lazy="raise")


class Pod(TimestampMixin, VersionedMixin, Base):
    """An AE/SE pairing: one or more SEs covering one or more AEs."""

    __tablename__ = "pod"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="SET NULL"), index=True
    )

    team: Mapped[Team | None] = relationship(lazy="raise")
    members: Mapped[list[PodMember]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="PodMember.side"
    )


class PodMember(Base):
    """A person in a pod, on the AE or the SE side."""

    __tablename__ = "pod_member"

    pod_id: Mapped[int] = mapped_column(ForeignKey("pod.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    side: Mapped[PodSide] = mapped_column(_enum(PodSide, "pod_side"))

    user: Mapped[User] = relationship(lazy="raise")


class Charter(Base):
    """One revision of a Rules of Engagement charter: the organisation's default, a team's, or
    a pod's override. Editing publishes a new revision; acknowledgements pin to a revision."""

    __tablename__ = "charter"
    __table_args__ = (Index("ix_charter_scope", "team_id", "pod_id", "is_current"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    pod_id: Mapped[int | None] = mapped_column(ForeignKey("pod.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    name: Mapped[str] = mapped_column(String(120))
    rescue_phrase: Mapped[str] = mapped_column(String(200))
    prep_lead_hours: Mapped[int] = mapped_column(default=24)
    prep_minutes: Mapped[int] = mapped_column(default=15)
    pricing_with_ae: Mapped[bool] = mapped_column(default=True)
    commitments: Mapped[list[str]] = mapped_column(JSON, default=list)
    thresholds: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    change_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    team: Mapped[Team | None] = relationship(lazy="raise")
    pod: Mapped[Pod | None] = relationship(lazy="raise")
    created_by: Mapped[User | None] = relationship(lazy="raise")


class CharterAcknowledgement(Base):
    """A person's agreement to one charter revision."""

    __tablename__ = "charter_acknowledgement"

    charter_id: Mapped[int] = mapped_column(
        ForeignKey("charter.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")


class Stakeholder(TimestampMixin, VersionedMixin, Base):
    """A contact on a deal with the part they play in the purchase and how engaged they are."""

    __tablename__ = "stakeholder"
    __table_args__ = (UniqueConstraint("opportunity_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[BuyingRole] = mapped_column(_enum(BuyingRole, "buying_role"))
    engagement: Mapped[Engagement] = mapped_column(
        _enum(Engagement, "engagement"), default=Engagement.NONE
    )
    sentiment: Mapped[Sentiment] = mapped_column(
        _enum(Sentiment, "sentiment"), default=Sentiment.UNKNOWN
    )
    last_touch_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(String(500))

    contact: Mapped[Contact] = relationship(lazy="raise")


class SERequest(TimestampMixin, VersionedMixin, Base):
    """An AE's request for SE time on a deal, checked against the charter."""

    __tablename__ = "se_request"
    __table_args__ = (
        Index("ix_se_request_status_needed", "status", "needed_by"),
        Index("ix_se_request_opportunity", "opportunity_id"),
        Index("ix_se_request_assignee", "assignee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"))
    kind: Mapped[RequestKind] = mapped_column(_enum(RequestKind, "request_kind"))
    status: Mapped[RequestStatus] = mapped_column(
        _enum(RequestStatus, "request_status"), default=RequestStatus.SUBMITTED
    )
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    needed_by: Mapped[date]
    notes: Mapped[str | None] = mapped_column(Text)
    attendees: Mapped[str | None] = mapped_column(String(500))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    charter_id: Mapped[int | None] = mapped_column(ForeignKey("charter.id", ondelete="SET NULL"))
    unmet: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    override_reason: Mapped[str | None] = mapped_column(String(500))
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    unanswered: Mapped[list[str]] = mapped_column(JSON, default=list)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    opportunity: Mapped[Opportunity] = relationship(lazy="raise")
    requester: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[requester_id])
    assignee: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[assignee_id])
    charter: Mapped[Charter | None] = relationship(lazy="raise")


class RequestEvent(Base):
    """One status change of an SE request: from, to, who, when, why."""

    __tablename__ = "se_request_event"
    __table_args__ = (Index("ix_se_request_event_request_at", "request_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("se_request.id", ondelete="CASCADE"))
    from_status: Mapped[RequestStatus | None] = mapped_column(
        _enum(RequestStatus, "request_status")
    )
    to_status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, "request_status"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(500))

    actor: Mapped[User | None] = relationship(lazy="raise")


meeting_attendee = Table(
    "meeting_attendee",
    Base.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True),
)

meeting_contact = Table(
    "meeting_contact",
    Base.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True),
)


class Meeting(TimestampMixin, VersionedMixin, Base):
    """A call with the prospect on a deal: when, who, what kind; major calls get a huddle
    before and a debrief after."""

    __tablename__ = "meeting"
    __table_args__ = (
        Index("ix_meeting_opportunity_starts", "opportunity_id", "starts_at"),
        Index("ix_meeting_starts", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("se_request.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind, "meeting_kind"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(default=60)
    location: Mapped[str | None] = mapped_column(String(300))
    is_major: Mapped[bool] = mapped_column(default=True)
    status: Mapped[MeetingStatus] = mapped_column(
        _enum(MeetingStatus, "meeting_status"), default=MeetingStatus.PLANNED
    )
    held_at: Mapped[datetime | None]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    agenda: Mapped[str | None] = mapped_column(Text)

    opportunity: Mapped[Opportunity] = relationship(lazy="raise")
    owner: Mapped[User | None] = relationship(lazy="raise")
    attendees: Mapped[list[User]] = relationship(secondary=meeting_attendee, lazy="raise")
    contacts: Mapped[list[Contact]] = relationship(secondary=meeting_contact, lazy="raise")
    huddle: Mapped[Huddle | None] = relationship(lazy="raise", back_populates="meeting")
    debrief: Mapped[Debrief | None] = relationship(lazy="raise", back_populates="meeting")


class Huddle(TimestampMixin, VersionedMixin, Base):
    """The AE and SE agreeing, before a major call, on its objective and who does what."""

    __tablename__ = "huddle"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), unique=True
    )
    held_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(default=15)
    objective: Mapped[str] = mapped_column(String(500))
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    commercial_owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    screen_sharer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note_taker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    opener_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    call_to_action: Mapped[str] = mapped_column(String(500))
    checklist: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    notes: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    meeting: Mapped[Meeting] = relationship(lazy="raise", back_populates="huddle")


class Debrief(TimestampMixin, VersionedMixin, Base):
    """The honest review right after a call: what we missed, the pain, the next step."""

    __tablename__ = "debrief"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), unique=True
    )
    what_we_missed: Mapped[str | None] = mapped_column(Text)
    pain_uncovered: Mapped[PainUncovered] = mapped_column(_enum(PainUncovered, "pain_uncovered"))
    next_step_secured: Mapped[bool] = mapped_column(default=False)
    next_step: Mapped[str | None] = mapped_column(String(500))
    next_step_date: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    meeting: Mapped[Meeting] = relationship(lazy="raise", back_populates="debrief")
    author: Mapped[User | None] = relationship(lazy="raise")
