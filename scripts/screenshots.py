"""Take the README's screenshots from a running Techwin with the demo organisation.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000

Each page is taken as the person who uses it (a manager, an SE, a product manager), at
1440×900. Uses Debian's Chromium through Playwright (never a downloaded browser).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "techwin-demo"  # noqa: S105 - the published demo password
DOMAIN = "demo.techwin.dev"


def _open_first(page: Page, base: str, listing: str, links: str) -> None:
    page.goto(f"{base}{listing}")
    page.wait_for_load_state("networkidle")
    page.locator(links).first.click()
    page.wait_for_load_state("networkidle")


def _deal(page: Page, base: str) -> None:
    """The biggest open deal in proof of concept: pod, charter, stakeholders, POC, calls."""
    _open_first(
        page,
        base,
        "/opportunities?stage=proof_of_concept&open_only=1&sort=-acv",
        "table a[href^='/opportunities/']",
    )


def _deal_box(page: Page, base: str) -> None:
    """The same deal, further down: the pod, its requests, stakeholders, calls and POC."""
    _deal(page, base)
    page.evaluate("document.getElementById('two-in-a-box').scrollIntoView({block: 'start'})")


def _lead(page: Page, base: str) -> None:
    _open_first(page, base, "/leads?stage=sal", "table a[href^='/leads/']")


def _blocked_request(page: Page, base: str) -> None:
    _open_first(page, base, "/requests?tab=blocked", "a[href^='/requests/']:not([href*='tab'])")


# (file name, who, address or a function that opens the page, full page?)
Shot = tuple[str, str, str | Callable[[Page, str], None], bool]
SHOTS: list[Shot] = [
    ("home", "manager1", "/", False),
    ("board", "manager1", "/board", False),
    ("leads", "manager1", "/leads", False),
    ("funnel", "manager1", "/funnel", False),
    ("deal", "manager1", _deal, False),
    ("deal-two-in-a-box", "manager1", _deal_box, False),
    ("lead", "manager1", _lead, False),
    ("request-blocked", "manager1", _blocked_request, False),
    ("discipline", "manager1", "/pods/discipline", False),
    ("my-day", "se1", "/my-day", False),
    ("gaps", "pm", "/gaps", False),
]


def _signed_in(browser: Browser, base: str, who: str, password: str) -> Page:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{base}/login")
    page.fill("input[name=email]", f"{who}@{DOMAIN}")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def main(base: str, password: str = DEMO_PASSWORD) -> None:
    """Capture every page of :data:`SHOTS` into docs/screenshots."""
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        pages: dict[str, Page] = {}
        for name, who, target, full in SHOTS:
            page = pages.get(who) or pages.setdefault(who, _signed_in(browser, base, who, password))
            if isinstance(target, str):
                page.goto(f"{base}{target}")
                page.wait_for_load_state("networkidle")
            else:
                target(page, base)
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
            print(f"{name}: {page.url}")
        browser.close()
    print(f"saved screenshots to {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:])
