"""Helpers for web UI tests: a browser-like client that signs in through the real login form."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient

from techwin.auth.models import User
from tests.factories import PASSWORD

_FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def form_token(html: str) -> str:
    """The CSRF token a page's form carries."""
    match = _FORM_TOKEN.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


class Browser:
    """A TestClient that behaves like a browser: asks for HTML and keeps its session cookie."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""
        self.user: User | None = None

    def login(self, user: User, password: str = PASSWORD) -> httpx.Response:
        """Sign in through the login form; remembers the session's CSRF token."""
        page = self.client.get("/login")
        response = self.client.post(
            "/login",
            data={"email": user.email, "password": password, "csrf_token": form_token(page.text)},
            follow_redirects=False,
        )
        if response.status_code == 303:
            self.user = user
            home = self.client.get("/")
            match = _META_TOKEN.search(home.text)
            assert match, "signed-in pages carry the CSRF token in a meta tag"
            self.csrf = match.group(1)
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """A page (redirects are not followed, so they can be asserted)."""
        kwargs.setdefault("follow_redirects", False)
        return self.client.get(url, **kwargs)

    def post(
        self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """Submit a form as the page would (with its hidden CSRF token unless told not to)."""
        body = dict(data or {})
        if csrf:
            body.setdefault("csrf_token", self.csrf)
        kwargs.setdefault("follow_redirects", False)
        return self.client.post(url, data=body, **kwargs)

    def htmx(
        self, method: str, url: str, target: str, data: dict[str, Any] | None = None
    ) -> httpx.Response:
        """A request as HTMX sends it: HX headers and the CSRF token as a header."""
        headers = {"HX-Request": "true", "HX-Target": target, "X-CSRF-Token": self.csrf}
        if method == "GET":
            return self.client.get(url, params=data, headers=headers, follow_redirects=False)
        return self.client.request(
            method, url, data=data or {}, headers=headers, follow_redirects=False
        )
