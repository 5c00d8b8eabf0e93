"""The pages on a phone (390 px wide): the menu folds behind one button, and no page is wider
than the screen (wide tables scroll inside their card). Screenshots go to test-artifacts/phone/."""

from __future__ import annotations

import pytest

from tests.browser.seed import PASSWORD, seed
from tests.browser.support import running_server, sign_in

pytestmark = pytest.mark.browser

PAGES = (
    "/",
    "/my-day",
    "/leads",
    "/accounts",
    "/opportunities",
    "/board",
    "/funnel",
    "/requests",
    "/pods",
    "/gaps",
    "/tasks",
)


def test_pages_fit_a_phone_and_the_menu_folds(tmp_path, new_page, artifacts_dir):
    shot = artifacts_dir / "phone"
    shot.mkdir(exist_ok=True)
    with running_server(tmp_path, seed) as base:
        page, errors = new_page()
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, base, "alex.morgan@example.com", PASSWORD)
        menu = page.locator("[data-menu-toggle]")
        assert menu.is_visible()
        leads_link = page.locator(".nav a[href='/leads']")
        assert not leads_link.is_visible()  # folded away
        menu.click()
        assert menu.get_attribute("aria-expanded") == "true"
        page.screenshot(path=shot / "menu-open.png")
        leads_link.click()
        page.wait_for_url(f"{base}/leads")
        assert not page.locator(".nav a[href='/leads']").is_visible()  # folded on the new page

        page.goto(f"{base}/opportunities")
        deal = page.locator("#results tbody a[href^='/opportunities/']").first.get_attribute("href")
        assert deal is not None
        for path in (*PAGES, deal, f"{deal}/edit"):
            response = page.goto(f"{base}{path}")
            assert response is not None, path
            assert response.status == 200, path
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width} px wide on a 390 px screen"
            name = path.strip("/").replace("/", "-") or "home"
            page.screenshot(path=shot / f"{name}.png")
        assert not errors, errors

        # The same pages on a desktop keep the sidebar open and no menu button.
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{base}/my-day")
        assert not page.locator("[data-menu-toggle]").is_visible()
        assert page.locator(".nav a[href='/leads']").is_visible()
