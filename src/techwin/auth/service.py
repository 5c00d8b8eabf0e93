"""People, teams, sign-in, web sessions and API tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techwin.auth.audit import record_audit
from techwin.auth.enums import Role
from techwin.auth.models import ApiToken, Team, User, WebSession
from techwin.auth.permissions import require_admin
from techwin.auth.schemas import TeamCreate, UserCreate
from techwin.auth.security import (
    hash_password,
    hash_secret,
    new_api_token,
    new_secret,
    verify_password,
)
from techwin.core.time import as_utc, utcnow
from techwin.db.locks import write_if_free
from techwin.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied


def get_user(session: Session, user_id: int) -> User:
    """The user with ``user_id`` or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist", field="user_id")
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    """The user with this email (case-insensitive), if any."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(session: Session, *, actor: User | None, data: UserCreate) -> User:
    """Add a person; admins only (the operator's CLI acts as ``actor=None``)."""
    require_admin(actor)
    email = str(data.email).lower()
    if find_user_by_email(session, email) is not None:
        raise Conflict(f"a user with email {email} already exists", field="email")
    if data.team_id is not None and session.get(Team, data.team_id) is None:
        raise InvalidInput(f"team {data.team_id} does not exist", field="team_id")
    if data.manager_id is not None:
        get_user(session, data.manager_id)
    user = User(
        email=email,
        full_name=data.full_name.strip(),
        role=data.role,
        team_id=data.team_id,
        manager_id=data.manager_id,
        se_level=data.se_level,
        title=data.title,
        password_hash=hash_password(data.password) if data.password else None,
    )
    session.add(user)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        summary=f"created {user.email} as {user.role.value}",
    )
    return user


def list_users(
    session: Session, *, role: Role | None = None, active_only: bool = False
) -> list[User]:
    """People ordered by name, optionally one role."""
    query = select(User).order_by(User.full_name)
    if role is not None:
        query = query.where(User.role == role)
    if active_only:
        query = query.where(User.is_active.is_(True))
    return list(session.scalars(query))


def set_password(session: Session, *, actor: User | None, user: User, password: str) -> None:
    """Replace a user's password (the user themself or an admin)."""
    if actor is not None and actor.id != user.id:
        require_admin(actor)
    if len(password) < 8:
        raise InvalidInput("password must be at least 8 characters", field="password")
    user.password_hash = hash_password(password)
    session.flush()


def create_team(session: Session, *, actor: User | None, data: TeamCreate) -> Team:
    """Add a team; admins only."""
    require_admin(actor)
    if session.scalar(select(Team).where(Team.name == data.name.strip())) is not None:
        raise Conflict(f"a team named {data.name!r} already exists", field="name")
    team = Team(name=data.name.strip(), manager_id=data.manager_id)
    session.add(team)
    session.flush()
    return team


def list_teams(session: Session) -> list[Team]:
    """All teams by name."""
    return list(session.scalars(select(Team).order_by(Team.name)))


def authenticate(session: Session, *, email: str, password: str) -> User:
    """The active user with these credentials, or NotAuthenticated (same message either way)."""
    user = find_user_by_email(session, email)
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        raise NotAuthenticated("email or password is wrong")
    return user


def start_web_session(session: Session, *, user: User, days: int) -> tuple[str, WebSession]:
    """Open a browser session; returns the cookie secret (only its hash is stored)."""
    secret = new_secret()
    web_session = WebSession(
        user_id=user.id,
        token_hash=hash_secret(secret),
        csrf_token=new_secret(24),
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(web_session)
    session.flush()
    return secret, web_session


def resolve_web_session(session: Session, secret: str) -> WebSession | None:
    """The live session for a cookie secret, with its user, or None."""
    web_session = session.scalar(
        select(WebSession).where(WebSession.token_hash == hash_secret(secret))
    )
    if web_session is None or as_utc(web_session.expires_at) <= utcnow():
        return None
    user = session.get(User, web_session.user_id)
    if user is None or not user.is_active:
        return None
    return web_session


def end_web_session(session: Session, *, web_session: WebSession) -> None:
    """Sign out: the cookie stops working at once."""
    session.delete(web_session)
    session.flush()


def create_api_token(
    session: Session, *, actor: User | None, user: User, name: str
) -> tuple[str, ApiToken]:
    """Issue a personal API token for ``user``; the secret is returned once."""
    if actor is not None and actor.id != user.id:
        require_admin(actor)
    secret = new_api_token()
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=hash_secret(secret))
    session.add(token)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="token.create",
        entity_type="user",
        entity_id=user.id,
        summary=f"API token {name!r} ({token.prefix}…) created",
    )
    return secret, token


def list_api_tokens(session: Session, *, user: User) -> list[ApiToken]:
    """A user's tokens, newest first."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(session.scalars(query))


def revoke_api_token(session: Session, *, actor: User | None, token_id: int) -> ApiToken:
    """Revoke a token: its owner or an admin."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"token {token_id} does not exist", field="token_id")
    if actor is not None and actor.id != token.user_id and actor.role is not Role.ADMIN:
        raise PermissionDenied("only the token's owner or an admin can revoke it")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_audit(
            session,
            actor=actor,
            action="token.revoke",
            entity_type="user",
            entity_id=token.user_id,
            summary=f"API token {token.name!r} ({token.prefix}…) revoked",
        )
    session.flush()
    return token


def user_for_api_token(session: Session, secret: str) -> User | None:
    """The active owner of a live token, or None; stamps the token's last use."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - as_utc(token.last_used_at) > timedelta(minutes=5):
        write_if_free(session, lambda: setattr(token, "last_used_at", now))
    return user
