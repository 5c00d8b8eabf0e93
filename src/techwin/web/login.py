"""Signing in and out."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from techwin.auth import service as auth_service
from techwin.deps import SESSION_COOKIE, SessionDep, SettingsDep, WebSessionDep
from techwin.errors import NotAuthenticated
from techwin.web.rendering import redirect, render
from techwin.web.security import (
    LOGIN_CSRF_COOKIE,
    FormDep,
    ViewerDep,
    check_login_csrf,
    login_csrf_token,
)

public = APIRouter()
private = APIRouter()


def safe_next(target: str | None) -> str:
    """Only paths on this site are followed after sign-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _login_page(
    request: Request, settings: SettingsDep, *, next_url: str, email: str = "", error: str = ""
) -> Response:
    token = login_csrf_token(request)
    response = render(
        request,
        "auth/login.html",
        {"login_csrf": token, "next": next_url, "email": email, "error": error},
        status_code=401 if error else 200,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/login",
    )
    return response


@public.get("/login")
def login_form(
    request: Request, session: SessionDep, settings: SettingsDep, next: str = "/"
) -> Response:
    """The sign-in page (straight home when already signed in)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret and auth_service.resolve_web_session(session, secret) is not None:
        return redirect(safe_next(next))
    return _login_page(request, settings, next_url=safe_next(next))


@public.post("/login")
def login(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Check the credentials and open a session; wrong ones are reported on the form."""
    check_login_csrf(request, form)
    email, password = str(form.get("email") or "").strip(), str(form.get("password") or "")
    next_url = safe_next(str(form.get("next") or "/"))
    try:
        user = auth_service.authenticate(session, email=email, password=password)
    except NotAuthenticated as exc:
        return _login_page(request, settings, next_url=next_url, email=email, error=exc.message)
    secret, _web = auth_service.start_web_session(session, user=user, days=settings.session_days)
    response = redirect(next_url)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@private.post("/logout")
def logout(session: SessionDep, web: WebSessionDep, _viewer: ViewerDep) -> Response:
    """End the session at once and forget the cookie."""
    auth_service.end_web_session(session, web_session=web)
    response = redirect("/login", flash="You are signed out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
