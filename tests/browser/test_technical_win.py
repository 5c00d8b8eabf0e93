"""The technical win and product gaps in a real browser against a real server:
an SE plans a POC with two success criteria on their deal, marks one met and one partially met
with evidence, records the outcome and the customer's sign-off, and marks the technical win won;
a product manager finds the gap that lost a deal at the top of the ranking, moves it to planned,
and exports the gaps as CSV. Screenshots go to test-artifacts/technical-win/."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from techwin.auth.enums import Role
from techwin.core.time import utcnow
from techwin.evaluation import competitors
from techwin.evaluation.schemas import CompetitorIn
from techwin.feedback import gaps
from techwin.feedback.schemas import GapIn, GapLinkIn
from techwin.pipeline import accounts, opportunities
from techwin.pipeline.schemas import AccountIn, MoveIn, OpportunityIn
from tests.browser.cast import PASSWORD, SE, person
from tests.browser.support import htmx_settled, running_server, sign_in

pytestmark = pytest.mark.browser

PM = "pat.kim@example.com"


def _seed(session: Session) -> None:
    """An SE's open deal, a deal lost for want of SSO, and three gaps from the field."""
    people = {}
    for email, name, role in (
        (SE, "Priya Shah", Role.SE),
        ("alex.morgan@example.com", "Alex Morgan", Role.AE),
        (PM, "Pat Kim", Role.PM),
        ("maya.chen@example.com", "Maya Chen", Role.MANAGER),
    ):
        people[role] = person(session, email, name, role)
    ae, se = people[Role.AE], people[Role.SE]

    def deal(company: str, acv: str, **extra: object) -> object:
        account = accounts.create_account(
            session, actor=ae, data=AccountIn(name=f"{company} Corp", industry="Logistics")
        )
        return opportunities.create_opportunity(
            session,
            actor=ae,
            data=OpportunityIn(
                name=f"{company} analytics platform",
                account_id=account.id,
                acv=acv,
                se_ids=[se.id],
                **extra,
            ),
        )

    globex = deal("Globex", "180000", competitors="Acmeflow, Stackly")
    soylent = deal("Soylent", "300000")
    umbrella = deal("Umbrella", "95000")
    competitors.add_competitor(
        session,
        actor=se,
        opportunity=globex,
        data=CompetitorIn(name="Acmeflow", incumbent=True, note="Contract ends in June"),
    )
    opportunities.move_opportunity(
        session,
        actor=people[Role.MANAGER],
        opportunity=soylent,
        data=MoveIn(stage="closed_lost", reason="Needed SSO with Azure AD", override=True),
    )
    sso = gaps.create_gap(
        session,
        actor=se,
        data=GapIn(
            title="No single sign-on with Azure AD",
            product_area="Security",
            severity="deal_breaker",
            description="Enterprise buyers require SAML sign-on through Azure AD.",
            workaround="Local accounts with enforced MFA",
            deal_ids=[globex.id],
        ),
    )
    gaps.link_deal(
        session,
        actor=se,
        gap=sso,
        data=GapLinkIn(opportunity_id=soylent.id, lost_because=True, note="Deal-breaker"),
    )
    gaps.create_gap(
        session,
        actor=ae,
        data=GapIn(
            title="Scheduled PDF exports",
            product_area="Reporting",
            severity="major",
            deal_ids=[umbrella.id],
        ),
    )
    gaps.create_gap(
        session, actor=se, data=GapIn(title="Dark mode", product_area="UI", severity="minor")
    )


def test_an_se_wins_the_poc_and_a_pm_plans_the_gap_that_lost_a_deal(
    tmp_path, new_page, artifacts_dir
):
    shot = artifacts_dir / "technical-win"
    shot.mkdir(exist_ok=True)
    today = utcnow().date()
    with running_server(tmp_path, _seed) as base:
        page, errors = new_page()
        sign_in(page, base, SE, PASSWORD)

        # The deal page: the technical win has not started; no POC yet.
        page.goto(f"{base}/opportunities")
        page.click("text=Globex analytics platform")
        page.wait_for_url(re.compile(r"/opportunities/\d+$"))
        deal_url = page.url
        panel = page.locator("#technical-win")
        assert panel.locator("[data-technical-win]").inner_text() == "Not started"
        assert "No POC on this deal" in page.inner_text("#poc")
        assert "Acmeflow" in page.inner_text("#competitors")
        page.locator("#technical-win").screenshot(path=shot / "01-technical-win-not-started.png")

        # Plan a POC; the end date before the start is refused beside the field first.
        page.click("#poc >> text=Plan a POC")
        page.wait_for_url(re.compile(r"/pocs/new$"))
        page.fill("#f-title", "Query speed on production data")
        page.fill("#f-environment", "eu-sandbox-3")
        page.fill("#f-start_date", today.isoformat())
        page.fill("#f-end_date", (today - timedelta(days=1)).isoformat())
        page.fill("#f-scope", "Load a year of order history and run the 20 heaviest reports.")
        page.fill('[name="criteria.0.description"]', "Dashboard load time")
        page.fill('[name="criteria.0.target"]', "under 2 s for 95% of loads")
        page.fill('[name="criteria.1.description"]', "Single sign-on")
        page.fill('[name="criteria.1.target"]', "all 40 pilot users sign in through Okta")
        page.click("button:has-text('Plan POC')")
        assert "is before the start date" in page.inner_text("#f-end_date-error")
        assert page.input_value('[name="criteria.1.target"]').startswith("all 40 pilot")
        page.fill("#f-end_date", (today + timedelta(days=30)).isoformat())
        page.screenshot(path=shot / "02-poc-form.png", full_page=True)
        page.click("button:has-text('Plan POC')")
        page.wait_for_url(re.compile(r"/pocs/\d+$"))
        assert "POC Query speed on production data planned." in page.inner_text("#toasts")
        assert page.locator(".crit-item").count() == 2

        # Results with evidence: one met, one partially met (evidence is required).
        first = page.locator('.crit-item[data-criterion="Dashboard load time"]')
        first.locator(".seg-opt.res-met").click()
        first.locator("button:has-text('Save')").click()
        refused = page.locator('.crit-item.has-error[data-criterion="Dashboard load time"]')
        assert "needs evidence" in refused.inner_text()
        first = page.locator('.crit-item[data-criterion="Dashboard load time"]')
        first.locator(".seg-opt.res-met").click()
        first.locator("input[name=evidence]").fill("p95 1.4 s over 3,200 loads (Grafana export)")
        first.locator("button:has-text('Save')").click()
        page.locator(
            '.crit-item[data-criterion="Dashboard load time"][data-result="met"]'
        ).wait_for()
        second = page.locator('.crit-item[data-criterion="Single sign-on"]')
        second.locator(".seg-opt.res-partially_met").click()
        second.locator("input[name=evidence]").fill("Okta works; Azure AD users wait for SAML")
        second.locator("button:has-text('Save')").click()
        page.locator(
            '.crit-item[data-criterion="Single sign-on"][data-result="partially_met"]'
        ).wait_for()
        assert "2 / 2" in page.inner_text("[data-tested]")

        # The outcome the results point to, then the customer's sign-off.
        assert "partly passed" in page.inner_text("#outcome")
        assert page.input_value("#f-outcome") == "partial"
        page.fill("#f-notes", "Fast enough; SSO for Azure AD users is on the roadmap.")
        page.click("button:has-text('Record outcome')")
        page.wait_for_url(re.compile(r"/pocs/\d+#outcome$"))
        page.fill("#f-signed_off_by", "Dana Ruiz, CTO")
        page.click("button:has-text('Record sign-off')")
        page.wait_for_url(re.compile(r"/pocs/\d+#sign-off$"))
        assert "Dana Ruiz, CTO" in page.inner_text("#sign-off")
        assert page.locator("[data-poc-status]").inner_text() == "Concluded"
        page.wait_for_timeout(300)
        page.screenshot(path=shot / "03-poc-concluded.png", full_page=True)

        # The technical win is won.
        page.goto(deal_url)
        page.select_option("#f-status", "won")
        page.fill("#tw-form #f-reason", "Performance criteria met and signed off by the CTO")
        page.click("#tw-form button:has-text('Save')")
        page.wait_for_url(re.compile(r"/opportunities/\d+#technical-win$"))
        assert page.locator("[data-technical-win]").inner_text() == "Won"
        assert "Technical win now won." in page.inner_text("#toasts")
        assert "Partly passed" in page.inner_text("#poc")
        assert "signed off by Dana Ruiz, CTO" in page.inner_text("#poc")
        page.wait_for_timeout(300)
        page.locator("#technical-win").screenshot(path=shot / "04-technical-win-won.png")
        page.locator("#poc").screenshot(path=shot / "05-deal-poc-panel.png")
        page.locator(".ev-duo").screenshot(path=shot / "06-deal-competitors-gaps.png")
        assert errors == []

        # A product manager: the gap that lost a deal ranks first; plan it; export the CSV.
        pm_page, pm_errors = new_page()
        sign_in(pm_page, base, PM, PASSWORD, home="/gaps")  # a PM's home is the ranking
        first_row = pm_page.locator(".gap-table tbody tr").first
        assert "No single sign-on with Azure AD" in first_row.inner_text()
        assert "USD 480,000" in first_row.inner_text()  # 180,000 blocked + 300,000 lost
        assert first_row.get_attribute("data-rank") == "1"
        pm_page.locator("#gap-chart").wait_for()
        pm_page.wait_for_timeout(300)
        pm_page.screenshot(path=shot / "07-pm-gaps-ranked.png", full_page=True)
        first_row.locator("a.row-link").click()
        pm_page.wait_for_url(re.compile(r"/gaps/\d+$"))
        assert "lost to it" in pm_page.inner_text("#deals")
        assert "Needed SSO with Azure AD" in pm_page.inner_text("#deals")
        pm_page.click("#workflow button:has-text('Plan it')")
        pm_page.wait_for_url(re.compile(r"/gaps/\d+$"))
        assert pm_page.locator("[data-gap-status]").inner_text() == "Planned"
        assert "Status: New → Planned" in pm_page.inner_text(".timeline")
        pm_page.wait_for_timeout(300)
        pm_page.screenshot(path=shot / "08-pm-gap-planned.png", full_page=True)
        pm_page.goto(f"{base}/gaps?status=all")
        with pm_page.expect_download() as download:
            pm_page.click("#gaps-export")
        rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8"))))
        assert rows[0]["title"] == "No single sign-on with Azure AD"
        assert rows[0]["status"] == "planned"
        assert rows[0]["impact"] == "480000.00"
        assert len(rows) == 3
        # Filtering with HTMX swaps the ranking and the export link with it.
        with htmx_settled(pm_page):
            pm_page.select_option("#gap-filters select[name=severity]", "deal_breaker")
        href = pm_page.get_attribute("#gaps-export", "href") or ""
        assert "severity=deal_breaker" in href
        assert pm_page.locator("#gaps-export").count() == 1
        with pm_page.expect_download() as download:
            pm_page.click("#gaps-export")
        filtered = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8"))))
        assert filtered
        assert {r["severity"] for r in filtered} == {"deal_breaker"}
        assert len(filtered) < len(rows)
        assert pm_errors == []
