"""Browser tests: a real server (uvicorn in a subprocess, on a temporary SQLite database) driven by
Debian's Chromium through Playwright. Never ``playwright install``: it downloads a browser."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Chromium from the system, shared by the browser tests."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class PageErrors(list[str]):
    """Console errors and uncaught exceptions seen by a page."""


def _console(errors: PageErrors, message: Any) -> None:
    # Refusals the page handles (a gate's 422, a 403) are logged by Chromium as failed loads;
    # they are part of the journey. Server errors (5xx) and script errors are not.
    text = str(message.text)
    if message.type != "error" or "responded with a status of 4" in text:
        return
    errors.append(f"console: {text}")


@pytest.fixture
def new_page(chromium: Any) -> Iterator[Callable[[], tuple[Any, PageErrors]]]:
    """Open pages in a fresh browser context (own cookies), collecting JavaScript errors."""
    contexts = []

    def _open() -> tuple[Any, PageErrors]:
        context = chromium.new_context(viewport={"width": 1440, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        errors = PageErrors()
        page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
        page.on("console", lambda msg: _console(errors, msg))
        return page, errors

    yield _open
    for context in contexts:
        context.close()
