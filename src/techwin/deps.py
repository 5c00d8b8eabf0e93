"""Request-scoped dependencies shared by the API and the web UI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session, sessionmaker

from techwin.auth import service as auth_service
from techwin.auth.models import User, WebSession
from techwin.config import Settings
from techwin.core.pagination import MAX_PAGE_SIZE, PageRequest
from techwin.db.engine import writer_options
from techwin.errors import NotAuthenticated

SESSION_COOKIE = "techwin_session"
F = TypeVar("F", bound=Callable[..., Any])


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def writes(endpoint: F) -> F:
    """Mark a GET endpoint that writes (an audited export): its transaction takes the write lock."""
    endpoint.techwin_writes = True  # type: ignore[attr-defined]
    return endpoint


def request_writes(request: Request) -> bool:
    """Whether this request's transaction will write: any unsafe method, or a marked endpoint."""
    if request.method not in SAFE_METHODS:
        return True
    return bool(getattr(request.scope.get("endpoint"), "techwin_writes", False))


def get_session(request: Request) -> Iterator[Session]:
    """One request, one transaction: commit on success, roll back on error, before responding.

    Requests that write take SQLite's write lock when their transaction starts, so concurrent
    writers queue instead of failing; reads never wait (WAL).
    """
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    session = factory(execution_options=writer_options()) if request_writes(request) else factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def api_user(request: Request, session: SessionDep) -> User:
    """The owner of the request's ``Authorization: Bearer`` personal API token."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthenticated("send a personal API token as 'Authorization: Bearer <token>'")
    user = auth_service.user_for_api_token(session, secret.strip())
    if user is None:
        raise NotAuthenticated("the API token is unknown, revoked or belongs to an inactive user")
    return user


ApiUser = Annotated[User, Depends(api_user)]


class LoginRequired(Exception):
    """The browser has no live session; the app redirects to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def web_session(request: Request, session: SessionDep) -> WebSession:
    """The browser's live session (with its user), or a redirect to sign in."""
    secret = request.cookies.get(SESSION_COOKIE)
    web = auth_service.resolve_web_session(session, secret) if secret else None
    if web is None:
        raise LoginRequired(
            str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
        )
    request.state.web_session = web
    return web


WebSessionDep = Annotated[WebSession, Depends(web_session)]


def web_user(web: WebSessionDep, session: SessionDep) -> User:
    """The signed-in person."""
    return auth_service.get_user(session, web.user_id)


WebUser = Annotated[User, Depends(web_user)]


def page_request(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="rows per page")] = 50,
    cursor: Annotated[
        str | None,
        Query(
            max_length=500,
            description="the next_cursor of the previous page: the page after it, however "
            "deep (page is then ignored)",
        ),
    ] = None,
) -> PageRequest:
    """Paging parameters from the query string."""
    return PageRequest(page=page, size=size, cursor=cursor or None)


PageDep = Annotated[PageRequest, Depends(page_request)]
