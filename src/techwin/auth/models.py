"""People, teams, credentials and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from techwin.auth.enums import Role, SELevel
from techwin.core.time import utcnow
from techwin.db.base import Base, TimestampMixin, VersionedMixin


def _enum(enum_cls: type[Any], name: str) -> Enum:
    return Enum(enum_cls, name=name, native_enum=False, length=20, values_callable=_values)


def _values(enum_cls: type[Any]) -> list[str]:
    return [member.value for member in enum_cls]


class Team(TimestampMixin, Base):
    """A group of people with one manager, e.g. 'Enterprise East'."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", use_alter=True, ondelete="SET NULL")
    )


class User(TimestampMixin, VersionedMixin, Base):
    """A person who signs in to Techwin."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    se_level: Mapped[SELevel | None] = mapped_column(_enum(SELevel, "se_level"))
    title: Mapped[str | None] = mapped_column(String(120))
    is_active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))

    team: Mapped[Team | None] = relationship(lazy="raise", foreign_keys=[team_id])
    manager: Mapped[User | None] = relationship(
        lazy="raise", remote_side="User.id", foreign_keys=[manager_id]
    )

    @property
    def is_manager_or_admin(self) -> bool:
        """Managers and admins may override gates and edit others' records."""
        return self.role in (Role.MANAGER, Role.ADMIN)

    @property
    def initials(self) -> str:
        """Two letters for avatars."""
        parts = self.full_name.split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"


class ApiToken(Base):
    """A personal API token; only its hash is stored, the secret is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="raise")


class WebSession(Base):
    """A signed-in browser; the cookie carries a secret whose hash is stored here."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship(lazy="raise")


class AuditEvent(Base):
    """One significant change: who did what to which record, before and after."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int]
    summary: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(lazy="raise")
