"""Web UI test fixtures: a signed-out browser, and one signed in as a person of a role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from techwin.auth import security
from techwin.auth.enums import Role
from techwin.auth.models import User
from tests.web.support import Browser


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap Argon2 parameters: these tests sign in often and test the UI, not the hash."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def browser(app: Any) -> Iterator[Browser]:
    """A signed-out browser."""
    with TestClient(app, headers={"Accept": "text/html,application/xhtml+xml"}) as client:
        yield Browser(client)


@pytest.fixture
def signed_in(browser: Browser, make_user: Callable[..., User]) -> Callable[..., Browser]:
    """Sign the browser in as a new user of a role (or a given user)."""

    def _sign_in(role: Role = Role.AE, user: User | None = None) -> Browser:
        person = user or make_user(role)
        response = browser.login(person)
        assert response.status_code == 303, response.text
        return browser

    return _sign_in
