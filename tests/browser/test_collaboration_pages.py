"""The discipline page and editing a call, in a real browser against a real server: the manager
opens each pod's huddle/debrief discipline from Pods & charters (table, chart, a bad period
shown beside its input), then the AE moves and re-staffs a planned call (a bad length is shown
beside its input first) and cannot move a debriefed call into the future; an SE sees their own
pod, an AE in no pod is told so. Screenshots go to /tmp/shots/."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.collaboration import stakeholders
from techwin.collaboration.schemas import NewContactIn, StakeholderIn
from techwin.core.time import utcnow
from techwin.pipeline import accounts, opportunities
from techwin.pipeline.enums import Seniority
from techwin.pipeline.schemas import AccountIn, OpportunityIn
from tests.browser.cast import AE, MANAGER, PASSWORD, SE, call, person, two_teams
from tests.browser.support import running_server, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")


def _deal(session: Session, owner: User, name: str) -> int:
    account = accounts.create_account(
        session,
        actor=owner,
        data=AccountIn(name=name.split()[0], domain=f"{name.split()[0].lower()}.example"),
    )
    deal = opportunities.create_opportunity(
        session, actor=owner, data=OpportunityIn(name=name, account_id=account.id, acv="90000")
    )
    return deal.id


def _seed(session: Session) -> None:
    """Maya's team with three pods and a quarter of calls; another team's pod; one planned call."""
    org = two_teams(session)
    alex, jordan, sam, priya, riley = org.alex, org.jordan, org.sam, org.priya, org.riley
    person(session, "casey.wu@example.com", "Casey Wu", Role.AE, org.east.id)  # in no pod yet

    initech = _deal(session, alex, "Initech platform")
    for first, last, title, role in (
        ("Peggy", "Hill", "Platform Lead", "champion"),
        ("Bill", "Lumbergh", "VP Engineering", "economic_buyer"),
    ):
        stakeholders.add_stakeholder(
            session,
            actor=alex,
            deal=opportunities.get_opportunity(session, initech),
            data=StakeholderIn(
                new_contact=NewContactIn(
                    first_name=first, last_name=last, title=title, seniority=Seniority.MANAGER
                ),
                role=role,
                engagement="engaged",
            ),
        )
    # Alex + Priya: disciplined. Jordan + Lukas: huddles yes, debriefs rarely. Sam + Noor: late.
    history = (
        (
            alex,
            initech,
            "Demo",
            ((3, True, True), (9, True, True), (20, True, True), (45, True, False)),
        ),
        (
            jordan,
            _deal(session, jordan, "Globex analytics"),
            "Workshop",
            ((2, True, False), (12, True, True), (25, True, False), (60, False, False)),
        ),
        (
            sam,
            _deal(session, sam, "Hooli expansion"),
            "Deep dive",
            ((5, False, True), (15, False, False), (70, True, False)),
        ),
    )
    for owner, deal_id, what, calls in history:
        for day, huddled, debriefed in calls:
            call(
                session,
                owner,
                deal_id,
                f"{what}, {day} days ago",
                utcnow() - timedelta(days=day),
                huddle=huddled,
                debrief=debriefed,
            )
    springfield = _deal(session, riley, "City of Springfield")
    four_days_ago = utcnow() - timedelta(days=4)
    call(session, riley, springfield, "Security review", four_days_ago, huddle=True, debrief=True)
    # The planned call Alex will move, and a debriefed one that must stay in the past.
    soon, earlier = utcnow() + timedelta(days=3), utcnow() - timedelta(hours=6)
    call(session, alex, initech, "Custom demo for Initech", soon, attendees=[priya])
    call(session, alex, initech, "Initech discovery follow-up", earlier, huddle=True, debrief=True)


def test_the_manager_reads_discipline_and_the_ae_edits_a_call(tmp_path, new_page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_server(tmp_path, _seed) as base:
        # ---- The manager: Pods & charters → discipline.
        manager, manager_errors = new_page()
        sign_in(manager, base, MANAGER, PASSWORD)
        manager.click(".nav-item:has-text('Pods & charters')")
        manager.wait_for_url(f"{base}/pods")
        manager.click("a[data-discipline]")
        manager.wait_for_url(f"{base}/pods/discipline")
        assert manager.locator(".nav-item.is-active").inner_text() == "Pods & charters"
        rows = manager.locator("tr[data-pod]")
        assert rows.count() == 3  # Maya's team only
        alex_row = manager.locator("tr:has-text('Alex + Priya')")
        assert alex_row.locator("[data-calls]").inner_text() == "5"
        assert "80%" in alex_row.locator("[data-debriefs]").inner_text()
        manager.wait_for_function(
            "() => window.Chart && Chart.getChart(document.getElementById('discipline-chart'))"
        )
        bars = manager.evaluate(
            "() => Chart.getChart(document.getElementById('discipline-chart')).data.datasets"
            ".map(d => d.data)"
        )
        assert bars[0] == [1, 0.75, 0.3333]
        tick = manager.evaluate(
            "() => Chart.getChart(document.getElementById('discipline-chart'))"
            ".options.scales.y.ticks.callback(0.75)"
        )
        assert tick == "75%"
        manager.screenshot(path=SHOTS / "01-discipline-90-days.png", full_page=True)

        manager.click(".tab:has-text('Last 30 days')")
        manager.wait_for_url(re.compile(r"days=30"))
        assert manager.locator("tr:has-text('Alex + Priya') [data-calls]").inner_text() == "4"
        assert manager.locator("tr:has-text('Sam + Noor') [data-owed]").inner_text() == "1"
        manager.click("a:has-text('Every team')")
        manager.wait_for_url(re.compile(r"teams=all"))
        assert manager.locator("tr[data-pod]").count() == 4
        manager.wait_for_function(
            "() => window.Chart && Chart.getChart(document.getElementById('discipline-chart'))"
        )
        manager.screenshot(path=SHOTS / "02-discipline-30-days-every-team.png", full_page=True)

        today = utcnow().date()
        manager.fill("#f-start", today.isoformat())
        manager.fill("#f-end", (today - timedelta(days=10)).isoformat())
        manager.click("button:has-text('Show these dates')")
        manager.wait_for_url(re.compile(r"start="))
        assert "the period starts after it ends" in manager.inner_text("#f-start-error")
        assert manager.locator("tr[data-pod]").count() == 0
        manager.screenshot(path=SHOTS / "03-discipline-bad-period.png", full_page=True)

        quiet = today - timedelta(days=300)
        manager.fill("#f-start", quiet.isoformat())
        manager.fill("#f-end", (quiet + timedelta(days=7)).isoformat())
        manager.click("button:has-text('Show these dates')")
        manager.wait_for_url(re.compile(r"start="))
        assert "No major calls took place in this period" in manager.inner_text("#chart")
        manager.screenshot(path=SHOTS / "04-discipline-no-calls.png", full_page=True)
        assert not manager_errors, manager_errors

        # ---- The AE: move and re-staff the planned call.
        ae, ae_errors = new_page()
        sign_in(ae, base, AE, PASSWORD)
        ae.goto(f"{base}/opportunities?q=initech")
        ae.click("#results a.row-link:has-text('Initech platform')")
        ae.wait_for_url(re.compile(r"/opportunities/\d+$"))
        deal_url = ae.url
        ae.click("#calls a.row-link:has-text('Custom demo for Initech')")
        ae.wait_for_url(re.compile(r"/meetings/\d+$"))
        meeting_url = ae.url
        ae.click("a[data-edit-meeting]")
        ae.wait_for_url(re.compile(r"/meetings/\d+/edit$"))
        assert ae.input_value("#f-title") == "Custom demo for Initech"
        ae.fill("#f-title", "Custom demo: SSO and the audit trail")
        starts = (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT10:30")
        ae.fill("#f-starts_at", starts)
        ae.fill("#f-duration_minutes", "2")
        ae.fill("#f-location", "https://meet.example/initech")
        ae.select_option("#f-attendee_ids", label="Priya Shah (SE)")  # Priya only...
        ae.click("button:has-text('Save changes')")
        assert "must be 5 or more" in ae.inner_text("#f-duration_minutes-error")
        assert ae.input_value("#f-title") == "Custom demo: SSO and the audit trail"
        ae.screenshot(path=SHOTS / "05-edit-call-bad-length.png", full_page=True)
        ae.fill("#f-duration_minutes", "90")
        ae.select_option("#f-attendee_ids", label=["Alex Morgan (AE)", "Priya Shah (SE)"])
        ae.select_option("#f-contact_ids", label="Peggy Hill")
        ae.fill("#f-agenda", "SSO with their IdP first, then the audit trail on their data.")
        ae.click("button:has-text('Save changes')")
        ae.wait_for_url(meeting_url)
        assert "saved." in ae.inner_text("#toasts")
        assert ae.inner_text("h1").startswith("Custom demo: SSO and the audit trail")
        assert "90 min" in ae.inner_text(".page-head .sub")
        assert "meet.example/initech" in ae.inner_text(".page-head .sub")
        assert "Peggy Hill" in ae.inner_text(".col-side")
        ae.screenshot(path=SHOTS / "06-call-after-edit.png", full_page=True)

        # ---- A debriefed call stays in the past.
        ae.goto(deal_url)
        ae.click("#calls a.row-link:has-text('Initech discovery follow-up')")
        ae.wait_for_url(re.compile(r"/meetings/\d+$"))
        assert "Initech discovery follow-up" in ae.inner_text("h1")
        ae.click("a[data-edit-meeting]")
        ae.wait_for_url(re.compile(r"/edit$"))
        ae.fill("#f-starts_at", (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT09:00"))
        ae.click("button:has-text('Save changes')")
        error = ae.inner_text("#f-starts_at-error")
        assert "debriefed already, so it cannot be moved into the future" in error
        ae.screenshot(path=SHOTS / "07-edit-debriefed-call-refused.png", full_page=True)
        assert not ae_errors, ae_errors

        # ---- An SE sees their own pod.
        se, se_errors = new_page()
        sign_in(se, base, SE, PASSWORD)
        se.goto(f"{base}/pods/discipline?days=30")
        assert se.locator("tr[data-pod]").count() == 1
        assert "Alex + Priya" in se.inner_text("tr[data-pod]")
        se.screenshot(path=SHOTS / "08-discipline-se-own-pod.png", full_page=True)
        assert not se_errors, se_errors

        # ---- An AE in no pod yet is told so.
        casey, casey_errors = new_page()
        sign_in(casey, base, "casey.wu@example.com", PASSWORD)
        casey.goto(f"{base}/pods")
        casey.click("a[data-discipline]")
        casey.wait_for_url(f"{base}/pods/discipline")
        assert "You are not in a pod yet" in casey.inner_text(".empty")
        casey.screenshot(path=SHOTS / "09-discipline-not-in-a-pod.png", full_page=True)
        assert not casey_errors, casey_errors
