"""People, teams and personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, status

from techwin.auth import service
from techwin.auth.enums import Role
from techwin.auth.schemas import (
    TeamCreate,
    TeamOut,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserCreate,
    UserOut,
)
from techwin.core.types import RecordId
from techwin.deps import ApiUser, SessionDep

router = APIRouter(tags=["people"])


@router.get("/me", response_model=UserOut)
def me(user: ApiUser) -> UserOut:
    """The person the token belongs to."""
    return UserOut.model_validate(user)


@router.get("/users", response_model=list[UserOut])
def list_users(session: SessionDep, user: ApiUser, role: Role | None = None) -> list[UserOut]:
    """Everyone in the organisation, optionally one role."""
    return [UserOut.model_validate(u) for u in service.list_users(session, role=role)]


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, session: SessionDep, user: ApiUser) -> UserOut:
    """Add a person (admins)."""
    return UserOut.model_validate(service.create_user(session, actor=user, data=body))


@router.get("/teams", response_model=list[TeamOut])
def list_teams(session: SessionDep, user: ApiUser) -> list[TeamOut]:
    """All teams."""
    return [TeamOut.model_validate(t) for t in service.list_teams(session)]


@router.post("/teams", response_model=TeamOut, status_code=status.HTTP_201_CREATED)
def create_team(body: TeamCreate, session: SessionDep, user: ApiUser) -> TeamOut:
    """Add a team (admins)."""
    return TeamOut.model_validate(service.create_team(session, actor=user, data=body))


@router.get("/me/tokens", response_model=list[TokenOut])
def list_tokens(session: SessionDep, user: ApiUser) -> list[TokenOut]:
    """Your personal API tokens (never their secrets)."""
    return [TokenOut.model_validate(t) for t in service.list_api_tokens(session, user=user)]


@router.post("/me/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(body: TokenCreate, session: SessionDep, user: ApiUser) -> TokenCreated:
    """Issue a new token for yourself; the secret is in this response only."""
    secret, token = service.create_api_token(session, actor=user, user=user, name=body.name)
    return TokenCreated(**TokenOut.model_validate(token).model_dump(), token=secret)


@router.delete("/me/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: RecordId, session: SessionDep, user: ApiUser) -> TokenOut:
    """Revoke a token at once."""
    return TokenOut.model_validate(service.revoke_api_token(session, actor=user, token_id=token_id))
