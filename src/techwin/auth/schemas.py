"""Pydantic shapes for people, teams and tokens (API bodies, forms, CLI input)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from techwin.auth.enums import Role, SELevel
from techwin.core.types import RecordId


class UserCreate(BaseModel):
    """A new person."""

    email: EmailStr
    full_name: str = Field(min_length=1, max_length=120)
    role: Role
    password: str | None = Field(default=None, min_length=8, max_length=256)
    team_id: RecordId | None = None
    manager_id: RecordId | None = None
    se_level: SELevel | None = None
    title: str | None = Field(default=None, max_length=120)


class UserOut(BaseModel):
    """A person as other people see them."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    role: Role
    team_id: int | None
    manager_id: int | None
    se_level: SELevel | None
    title: str | None
    is_active: bool


class TeamCreate(BaseModel):
    """A new team."""

    name: str = Field(min_length=1, max_length=120)
    manager_id: RecordId | None = None


class TeamOut(BaseModel):
    """A team."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    manager_id: int | None


class TokenCreate(BaseModel):
    """A request for a personal API token."""

    name: str = Field(default="api", min_length=1, max_length=80)


class TokenOut(BaseModel):
    """A token's metadata; the secret itself is never returned after creation."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    """The one response that carries the secret."""

    token: str
