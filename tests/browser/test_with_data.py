"""The main pages with a realistic amount of data: lists filter and page through HTMX, the board
carries many cards, a manager overrides a gate with a reason, and the funnel splits by source.
Screenshots of every page go to test-artifacts/data/."""

from __future__ import annotations

import re

import pytest

from tests.browser.seed import PASSWORD, seed
from tests.browser.support import drag_card, htmx_settled, running_server, sign_in

pytestmark = pytest.mark.browser


def test_pages_with_a_realistic_organisation(tmp_path, new_page, artifacts_dir):
    shot = artifacts_dir / "data"
    shot.mkdir(exist_ok=True)
    with running_server(tmp_path, seed) as base:
        page, errors = new_page()
        sign_in(page, base, "alex.morgan@example.com", PASSWORD)
        assert int(page.inner_text(".kpi-value >> nth=0")) > 0
        page.screenshot(path=shot / "01-home.png", full_page=True)

        # Leads: 140 of them, filtered with HTMX (the URL follows), paged, exported.
        page.goto(f"{base}/leads")
        assert page.inner_text(".results-count strong") == "140"
        page.screenshot(path=shot / "02-leads.png")
        with htmx_settled(page):
            page.select_option("select[name=stage]", "mql")
        page.wait_for_url(re.compile(r"stage=mql"))
        badges = page.locator("#results tbody .badge").all_inner_texts()
        assert badges
        assert set(badges) == {"Marketing qualified"}
        export = page.get_attribute("#results a[download]", "href")
        assert export is not None
        assert export.startswith("/leads/export?")
        assert "stage=mql" in export
        with htmx_settled(page):
            page.select_option("select[name=sort]", "name")
        names = page.locator("#results tbody td:first-child a").all_inner_texts()
        last_names = [n.split()[-1] for n in names]
        assert last_names == sorted(last_names)
        page.screenshot(path=shot / "03-leads-mql-by-name.png")
        page.goto(f"{base}/leads")
        with htmx_settled(page):
            page.click(".pager a[rel=next]")
        assert "26–50 of 140" in page.inner_text(".pager-info")

        # Sorted by score, highest first; the scores follow what the leads did.
        page.goto(f"{base}/leads?sort=-score")
        scores = [
            float(t) for t in page.locator("#results [data-score] .score-pill").all_inner_texts()
        ]
        assert scores == sorted(scores, reverse=True)
        page.screenshot(path=shot / "03b-leads-by-score.png")

        # Nurturing handed the owner calls and drafted messages.
        page.click(".nav-item:has-text('My tasks')")
        assert page.locator(".task").count() > 0
        page.screenshot(path=shot / "03c-my-tasks.png", full_page=True)

        # Accounts and an account's page.
        page.goto(f"{base}/accounts")
        assert page.locator("#results tbody tr").count() == 25
        page.screenshot(path=shot / "04-accounts.png")

        # Deals: sorted by ACV, and one deal's page.
        page.goto(f"{base}/opportunities?sort=-acv&open_only=1")
        page.screenshot(path=shot / "06-opportunities.png")
        page.click("#results tbody tr:first-child a.row-link")
        page.wait_for_url(re.compile(r"/opportunities/\d+$"))
        assert page.locator("#gate").count() == 1
        page.screenshot(path=shot / "07-deal.png", full_page=True)
        page.click(".crumbs a[href^='/accounts/']")
        page.wait_for_url(re.compile(r"/accounts/\d+$"))
        assert page.locator("table").count() == 2  # its deals and its contacts
        page.screenshot(path=shot / "05-account.png", full_page=True)

        # A lead with a long history.
        page.goto(f"{base}/leads?stage=opportunity")
        page.click("#results tbody tr:first-child a.row-link")
        page.wait_for_url(re.compile(r"/leads/\d+$"))
        assert page.locator(".timeline .tl-item").count() >= 4
        page.screenshot(path=shot / "08-lead.png", full_page=True)

        # The board with many cards.
        page.goto(f"{base}/board")
        assert page.locator(".deal-card").count() > 15
        page.screenshot(path=shot / "09-board.png")

        # The funnel, overall and split by source.
        page.goto(f"{base}/funnel")
        assert page.inner_text('tr[data-stage="lead"] [data-reached]') == "140"
        page.screenshot(path=shot / "10-funnel.png")
        with page.expect_response(re.compile(r"/funnel\?.*split_by=source")):
            page.select_option("select[name=split_by]", "source")
        page.get_by_role("heading", name="By source", exact=True).wait_for()
        assert page.evaluate("() => Chart.getChart('funnel-chart').data.datasets.length") > 1
        page.screenshot(path=shot / "11-funnel-by-source.png", full_page=True)

        # A manager passes a gate with a reason, from the board.
        manager, manager_errors = new_page()
        sign_in(manager, base, "maya.chen@example.com", PASSWORD)
        manager.goto(f"{base}/board")
        card = manager.locator('[data-column="discovery"] .deal-card').first
        deal_id = card.get_attribute("data-id")
        before = int(manager.inner_text('[data-column="proposal"] [data-count]'))
        drag_card(manager, card, manager.locator('.cards[data-stage="proposal"]'))
        dialog = manager.locator("#move-dialog[open]")
        dialog.wait_for()
        assert "Override and move" in dialog.inner_text()
        dialog.locator("textarea[name=reason]").fill("The economic buyer signed the proposal early")
        manager.screenshot(path=shot / "12-board-override.png")
        with manager.expect_response(re.compile(rf"/board/{deal_id}/move")) as moved:
            dialog.locator("button:has-text('Override and move')").click()
        assert moved.value.status == 200
        manager.locator(f'[data-column="proposal"] .deal-card[data-id="{deal_id}"]').wait_for()
        assert int(manager.inner_text('[data-column="proposal"] [data-count]')) == before + 1
        manager.goto(f"{base}/opportunities/{deal_id}")
        assert "Gate overridden" in manager.inner_text(".timeline")
        assert "The economic buyer signed the proposal early" in manager.inner_text(".timeline")

        assert errors == []
        assert manager_errors == []
