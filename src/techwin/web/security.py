"""Who is looking at the page, and CSRF protection for every state-changing request.

Signed-in forms carry the session's CSRF token as a hidden ``csrf_token`` field; HTMX and
``fetch`` requests send it as the ``X-CSRF-Token`` header. The sign-in form, which has no
session yet, uses a double-submit cookie instead.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData

from techwin.auth import service as auth_service
from techwin.auth.enums import ROLE_LABELS, Role
from techwin.auth.models import User, WebSession
from techwin.core.time import start_of_day, utcnow
from techwin.deps import SAFE_METHODS, SESSION_COOKIE, SessionDep, WebSessionDep, WebUser
from techwin.errors import PermissionDenied
from techwin.scoring.queries import due_task_count

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOGIN_CSRF_COOKIE = "techwin_login_csrf"


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as pages show them (plain values: safe to render after errors)."""

    id: int
    full_name: str
    email: str
    role: Role
    initials: str
    csrf_token: str
    due_tasks: int = 0

    @property
    def role_label(self) -> str:
        """The role as people read it."""
        return ROLE_LABELS[self.role]

    @property
    def can_override(self) -> bool:
        """Managers and admins may pass an unmet gate with a reason."""
        return self.role in (Role.MANAGER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        """Admins see the admin area (scoring rules, frameworks, the predictive model)."""
        return self.role is Role.ADMIN

    @property
    def can_write(self) -> bool:
        """Viewers and PMs read the pipeline; the other roles change it."""
        return self.role in (Role.ADMIN, Role.MANAGER, Role.SE, Role.AE)


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two CSRF tokens (missing or empty never matches)."""
    if not expected or not given:
        return False
    return secrets.compare_digest(expected.encode(), given.encode())


async def read_form(request: Request) -> FormData:
    """The posted form (parsed once; Starlette caches it on the request)."""
    content_type = request.headers.get("content-type", "")
    if request.method in SAFE_METHODS or not content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        return FormData()
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


async def web_guard(
    request: Request, session: SessionDep, web: WebSessionDep, user: WebUser, form: FormDep
) -> Viewer:
    """Every signed-in route: require a session, check CSRF on writes, expose the viewer
    (with the count of tasks due by tonight that the navigation shows)."""
    if request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER)
        if given is None:
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
        if not tokens_match(web.csrf_token, given):
            raise PermissionDenied(
                "the form's security token is missing or out of date; reload the page and try again"
            )
    due = due_task_count(session, owner_id=user.id, due_by=end_of_today())
    viewer = make_viewer(user, web, due_tasks=due)
    request.state.viewer = viewer
    return viewer


def end_of_today() -> datetime:
    """Midnight UTC at the end of today: tasks due before it are due today (or overdue)."""
    return start_of_day(utcnow().date()) + timedelta(days=1)


def make_viewer(user: User, web: WebSession, *, due_tasks: int = 0) -> Viewer:
    """The page-safe snapshot of a signed-in person."""
    return Viewer(
        id=user.id,
        full_name=user.full_name,
        email=user.email,
        role=user.role,
        initials=user.initials,
        csrf_token=web.csrf_token,
        due_tasks=due_tasks,
    )


def viewer_from_cookie(request: Request) -> Viewer | None:
    """The signed-in person for pages outside the routes (unknown addresses), if any."""
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        web = auth_service.resolve_web_session(session, secret)
        if web is None:
            return None
        return make_viewer(auth_service.get_user(session, web.user_id), web)


ViewerDep = Annotated[Viewer, Depends(web_guard)]


def login_csrf_token(request: Request) -> str:
    """The sign-in form's double-submit token: the browser's cookie, or a fresh one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def check_login_csrf(request: Request, form: FormData) -> None:
    """The sign-in form must echo the cookie it was served with."""
    value = form.get(CSRF_FIELD)
    given = value if isinstance(value, str) else None
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), given):
        raise PermissionDenied(
            "the sign-in form's security token is missing or out of date; reload the page"
        )
