"""A new person's first journey, in a real browser against a real server:
sign in, create a lead, qualify it (the SQL gate wants BANT rated first), convert it, meet the
gate on the board, satisfy it, move on, and find the lead counted in the funnel. Screenshots of
each main page go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.schemas import UserCreate
from tests.browser.support import drag_card, running_server, sign_in

pytestmark = pytest.mark.browser

EMAIL = "alex.morgan@example.com"
PASSWORD = "correct horse battery"


def _people(session: Session) -> None:
    for email, name, role in (
        (EMAIL, "Alex Morgan", Role.AE),
        ("priya.shah@example.com", "Priya Shah", Role.SE),
    ):
        auth_service.create_user(
            session,
            actor=None,
            data=UserCreate(email=email, full_name=name, role=role, password=PASSWORD),
        )


def test_first_journey_from_lead_to_a_gated_deal(tmp_path, new_page, artifacts_dir):
    shot = artifacts_dir / "journey"
    shot.mkdir(exist_ok=True)
    with running_server(tmp_path, _people) as base:
        page, errors = new_page()

        # Sign in (a wrong password first: the form says so).
        page.goto(f"{base}/login")
        page.screenshot(path=shot / "01-login.png")
        page.fill("#f-email", EMAIL)
        page.fill("#f-password", "wrong password")
        page.click("button[type=submit]")
        assert page.locator(".alert-error").inner_text().strip() == "email or password is wrong"
        sign_in(page, base, EMAIL, PASSWORD)
        assert "Welcome back, Alex" in page.inner_text("h1")
        page.screenshot(path=shot / "02-home-empty.png")

        # An account to sell to.
        page.click("text=New account")
        page.fill("#f-name", "Globex Corporation")
        page.fill("#f-domain", "globex.example")
        page.fill("#f-industry", "Manufacturing")
        page.fill("#f-employee_count", "4200")
        page.click("button:has-text('Create account')")
        page.wait_for_url(re.compile(r"/accounts/\d+$"))
        assert "Globex Corporation" in page.inner_text("h1")

        # A lead at that account; a bad email is caught beside the field first.
        page.goto(f"{base}/leads/new")
        page.fill("#f-first_name", "Hank")
        page.fill("#f-last_name", "Scorpio")
        page.fill("#f-email", "hank-at-globex")
        page.fill("#f-title", "VP Engineering")
        page.select_option("#f-seniority", "vp")
        page.select_option("#f-source", "webinar")
        with page.expect_response(re.compile(r"/accounts/options")):
            page.fill("input[name=account_q]", "globex")
        page.select_option("#f-account_id", label="Globex Corporation")
        page.click("button:has-text('Create lead')")
        assert "not a valid email address" in page.inner_text("#f-email-error")
        page.screenshot(path=shot / "03-lead-form-error.png")
        page.fill("#f-email", "hank@globex.example")
        page.click("button:has-text('Create lead')")
        page.wait_for_url(re.compile(r"/leads/\d+$"))
        lead_url = page.url
        assert "Lead Hank Scorpio created." in page.inner_text("#toasts")

        # Qualify it: lead → MQL → SAL, then SQL once BANT is rated.
        for label in ("Marketing qualified", "Sales accepted"):
            page.click(f"button:has-text('Move to {label}')")
            page.wait_for_url(lead_url)
            assert label in page.inner_text(".page-head h1")
        page.click("button:has-text('Move to Sales qualified')")
        refused = page.locator("#move-refused").inner_text()
        assert "BANT complete" in refused
        assert "rate Budget, Authority, Need, Timeline as validated" in refused
        assert "Sales accepted" in page.inner_text(".page-head h1")
        for element in ("budget", "authority", "need", "timeline"):
            item = page.locator(f"#qe-{element}")
            item.locator(".seg-opt.lvl-2").click()
            with page.expect_response(re.compile(r"/qualification/bant")):
                item.locator("button:has-text('Save')").click()
            page.locator(f'#qe-{element}[data-score="2"]').wait_for()
        assert "4 of 4" in page.inner_text("#qualification [data-validated]")
        assert "1 / 1 met" in page.inner_text("#lead-gate")
        page.click("button:has-text('Move to Sales qualified')")
        page.wait_for_url(lead_url)
        assert "Sales qualified" in page.inner_text(".page-head h1")
        assert "Sales accepted → Sales qualified" in page.inner_text(".timeline")
        page.wait_for_timeout(300)  # let the toast finish sliding in
        page.screenshot(path=shot / "04-lead-sql.png", full_page=True)

        # Convert it to a deal.
        page.fill("#convert #f-acv", "48000")
        page.click("button:has-text('Convert to opportunity')")
        page.wait_for_url(re.compile(r"/opportunities/\d+$"))
        deal_url = page.url
        deal_id = deal_url.rsplit("/", 1)[1]
        assert "Globex Corporation — Hank Scorpio" in page.inner_text("h1")
        assert "0 / 2 met" in page.inner_text("#gate")

        # Drag it to the next stage: the gate refuses and says why; the card goes back.
        page.goto(f"{base}/board")
        card = page.locator(f'.deal-card[data-id="{deal_id}"]')
        drag_card(page, card, page.locator('.cards[data-stage="technical_validation"]'))
        dialog = page.locator("#move-dialog[open]")
        dialog.wait_for()
        text = dialog.inner_text()
        assert "The gate is not met" in text
        assert "The business pain is written down in the customer's words" in text
        assert "A discovery call with the prospect has taken place" in text
        page.screenshot(path=shot / "05-board-gate-refused.png")
        dialog.locator("button:has-text('OK')").click()
        assert page.locator(f'[data-column="discovery"] .deal-card[data-id="{deal_id}"]').count()
        assert page.inner_text('[data-column="discovery"] [data-count]') == "1"

        # Tick the exit criteria on the deal page.
        page.goto(deal_url)
        for box in page.locator("#gate .check-item").all():
            with page.expect_response(re.compile(r"/checks/\d+")):
                box.click()
            page.wait_for_timeout(50)
        page.locator("#gate .pill-ok").wait_for()
        assert "2 / 2 met" in page.inner_text("#gate")
        page.screenshot(path=shot / "06-deal-criteria-met.png", full_page=True)

        # Drag again: it moves, the totals follow.
        page.goto(f"{base}/board")
        card = page.locator(f'.deal-card[data-id="{deal_id}"]')
        with page.expect_response(re.compile(rf"/board/{deal_id}/move")) as moved:
            drag_card(page, card, page.locator('.cards[data-stage="technical_validation"]'))
        assert moved.value.status == 200
        page.locator(
            f'[data-column="technical_validation"] .deal-card[data-id="{deal_id}"]'
        ).wait_for()
        assert page.inner_text('[data-column="technical_validation"] [data-count]') == "1"
        assert page.inner_text('[data-column="technical_validation"] [data-total]') == "48k"
        assert page.inner_text('[data-column="discovery"] [data-count]') == "0"
        assert "moved from Discovery to Technical validation" in page.inner_text("#toasts")
        page.wait_for_timeout(300)
        page.screenshot(path=shot / "07-board-moved.png")

        # The funnel counts the lead at every stage it reached.
        page.goto(f"{base}/funnel")
        for stage in ("lead", "mql", "sal", "sql", "opportunity"):
            assert page.inner_text(f'tr[data-stage="{stage}"] [data-reached]') == "1"
        assert page.inner_text('tr[data-stage="customer"] [data-reached]') == "0"
        assert page.evaluate("() => !!Chart.getChart(document.getElementById('funnel-chart'))"), (
            "the chart is drawn"
        )
        page.screenshot(path=shot / "08-funnel.png")

        # The lists show it too, and export what they show.
        page.goto(f"{base}/leads")
        assert "Hank Scorpio" in page.inner_text("#results")
        page.screenshot(path=shot / "09-leads.png")
        page.goto(f"{base}/opportunities")
        assert "Globex Corporation — Hank Scorpio" in page.inner_text("#results")
        page.screenshot(path=shot / "10-opportunities.png")
        page.goto(f"{base}/")
        assert "Globex Corporation — Hank Scorpio" in page.inner_text(".col-main")
        page.screenshot(path=shot / "11-home.png")

        assert errors == []
