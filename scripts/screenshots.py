"""Take the README's screenshots from a running Techwin with the demo organisation.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000

Uses Debian's Chromium through Playwright (never a downloaded browser).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {
    "board": "/board",
    "leads": "/leads",
    "funnel": "/funnel",
    "home": "/",
}


DEMO_PASSWORD = "techwin-demo"  # noqa: S105 - the published demo password


def main(
    base: str, email: str = "manager1@demo.techwin.dev", password: str = DEMO_PASSWORD
) -> None:
    """Sign in and capture each page (and the first deal) at 1440×900."""
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{base}/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for name, path in PAGES.items():
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"{name}.png"))
        page.goto(f"{base}/opportunities?sort=-acv")
        page.wait_for_load_state("networkidle")
        link = page.locator("table a[href^='/opportunities/']").first
        link.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "deal.png"), full_page=True)
        page.goto(f"{base}/leads?stage=sal")
        page.wait_for_load_state("networkidle")
        page.locator("table a[href^='/leads/']").first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "lead.png"), full_page=True)
        browser.close()
    print(f"saved screenshots to {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:])
