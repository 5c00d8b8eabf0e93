"""A record of which one-off playbook seeds were applied, so an admin's deletion sticks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from techwin.core.time import utcnow
from techwin.db.base import Base


class SeedRecord(Base):
    """One applied seed, by key."""

    __tablename__ = "seed_record"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)


def apply_once(session: Session, key: str) -> bool:
    """True the first time ``key`` is seen (and records it); False ever after."""
    if session.get(SeedRecord, key) is not None:
        return False
    session.add(SeedRecord(key=key))
    session.flush()
    return True
