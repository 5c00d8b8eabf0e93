"""Helpers for browser tests: a real server on a temporary database, signing in, dragging cards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from techwin.bootstrap import prepare_database
from techwin.config import Environment, Settings
from techwin.db.engine import build_engine
from tests.live_server import SECRET, live_server


def _url(tmp: Path) -> str:
    return f"sqlite:///{tmp / 'techwin.db'}"


@contextmanager
def database(tmp: Path) -> Iterator[Session]:
    """A session on the database :func:`running_server` serves from ``tmp``, committed at the
    end: how a journey lets time pass (a call planned for Thursday has taken place)."""
    settings = Settings(env=Environment.TEST, secret_key=SECRET, database_url=_url(tmp))
    engine = build_engine(settings)
    try:
        with Session(engine) as session, session.begin():
            yield session
    finally:
        engine.dispose()


@contextmanager
def running_server(tmp: Path, seed: Callable[[Session], Any]) -> Iterator[str]:
    """Prepare a database, let ``seed`` fill it, serve it with uvicorn; yields the base URL."""
    url = _url(tmp)
    settings = Settings(env=Environment.TEST, secret_key=SECRET, database_url=url)
    engine = build_engine(settings)
    prepare_database(url, engine)
    engine.dispose()
    with database(tmp) as session:
        seed(session)
    with live_server(url, tmp / "server.log") as base:
        yield base


def sign_in(page: Any, base: str, email: str, password: str, *, home: str = "/") -> None:
    """Sign in through the login form and land on the person's home page."""
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{home}")


@contextmanager
def htmx_settled(page: Any) -> Iterator[None]:
    """Wait, after the block, until HTMX has swapped in and settled what the block asked for.

    A response arriving is not enough: HTMX pushes the new URL and swaps a moment later.
    """
    page.evaluate(
        """() => {
          window.__twSettled = false;
          document.body.addEventListener(
            "htmx:afterSettle", () => { window.__twSettled = true; }, { once: true });
        }"""
    )
    yield
    page.wait_for_function("() => window.__twSettled === true")


def drag_card(page: Any, card: Any, column: Any) -> None:
    """Drag a board card onto a column the way a person does with the mouse."""
    card.scroll_into_view_if_needed()
    start = card.bounding_box()
    target = column.bounding_box()
    assert start is not None
    assert target is not None
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] - 10
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 12, y + 8, steps=4)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 60, steps=20)
    page.wait_for_timeout(150)
    page.mouse.up()
