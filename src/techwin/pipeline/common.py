"""Helpers shared by the pipeline's services: look-ups that raise the right error."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from techwin.auth.models import User
from techwin.errors import InvalidInput


def require_user_ref(session: Session, user_id: int | None, *, field: str) -> User | None:
    """The active user ``user_id`` refers to, or InvalidInput naming ``field``."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise InvalidInput(f"user {user_id} does not exist or is inactive", field=field)
    return user


def snapshot(schema: type[BaseModel], record: Any) -> dict[str, Any]:
    """A JSON-ready dict of ``record`` as ``schema`` renders it (for audit and conflicts)."""
    return schema.model_validate(record).model_dump(mode="json")
