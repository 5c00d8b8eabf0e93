"""Two in a box in a real browser against a real server: an AE asks for a custom demo on an
unqualified deal and the charter blocks it with its reasons; the AE qualifies the deal (budget,
close date) and adds a VP sponsor, resubmits and it passes; the manager assigns it from the queue
with the ranked suggestions; the SE plans the call, records the huddle, holds the call and writes
the debrief, then the POC the debrief agreed and the technical win. Screenshots go to
test-artifacts/two-in-a-box/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.schemas import TeamCreate
from techwin.collaboration import meetings, pods, requests
from techwin.collaboration.enums import MeetingKind
from techwin.collaboration.models import Huddle, Meeting
from techwin.collaboration.schemas import (
    MeetingIn,
    RequestIn,
    SEProfileIn,
)
from techwin.core.time import utcnow
from techwin.pipeline import accounts, contacts, opportunities
from techwin.pipeline.enums import Seniority
from techwin.pipeline.schemas import AccountIn, ContactIn, OpportunityIn
from tests.browser.cast import AE, MANAGER, PASSWORD, SE, person, pod
from tests.browser.support import database, running_server, sign_in

pytestmark = pytest.mark.browser


def _seed(session: Session) -> None:
    """A team with its manager, two AEs, two SEs, a pod, SE profiles, and a few deals."""
    maya = person(session, MANAGER, "Maya Chen", Role.MANAGER)
    team = auth_service.create_team(
        session, actor=None, data=TeamCreate(name="Enterprise East", manager_id=maya.id)
    )
    maya.team_id = team.id
    alex = person(session, AE, "Alex Morgan", Role.AE, team.id)
    jordan = person(session, "jordan.lee@example.com", "Jordan Lee", Role.AE, team.id)
    priya = person(session, SE, "Priya Shah", Role.SE, team.id)
    lukas = person(session, "lukas.becker@example.com", "Lukas Becker", Role.SE, team.id)
    pod(session, "Alex + Priya", team.id, alex, priya)
    pod(session, "Jordan + Lukas", team.id, jordan, lukas)
    for user, skills, territories in (
        (priya, ["custom_demo", "sso", "kubernetes"], ["EMEA"]),
        (lukas, ["poc", "security_review"], ["NA East"]),
    ):
        pods.save_profile(
            session,
            actor=None,
            user_id=user.id,
            data=SEProfileIn(skills=skills, territories=territories, weekly_capacity_hours=30),
        )

    def account(name: str, region: str) -> int:
        data = AccountIn(name=name, domain=f"{name.lower()}.example", region=region)
        return accounts.create_account(session, actor=alex, data=data).id

    initech = account("Initech", "EMEA")
    contacts.create_contact(
        session,
        actor=alex,
        data=ContactIn(
            first_name="Peggy",
            last_name="Hill",
            title="Platform Lead",
            seniority=Seniority.MANAGER,
            account_id=initech,
        ),
    )
    opportunities.create_opportunity(
        session,
        actor=alex,
        data=OpportunityIn(name="Initech platform", account_id=initech, acv="180000"),
    )
    # Other requests and calls, so that the queue and the SE's day look like a working week.
    soon = utcnow().date() + timedelta(days=5)
    deals = {}
    for owner, name, region, kind in (
        (jordan, "Globex analytics", "NA East", "standard_demo"),
        (jordan, "Umbrella security", "NA East", "security_review"),
        (alex, "Hooli expansion", "EMEA", "poc"),
    ):
        deal = opportunities.create_opportunity(
            session,
            actor=owner,
            data=OpportunityIn(name=name, account_id=account(name.split()[0], region)),
        )
        requests.submit_request(
            session,
            actor=owner,
            data=RequestIn(opportunity_id=deal.id, kind=kind, needed_by=soon),
        )
        deals[name] = deal
    hooli = deals["Hooli expansion"]
    for title, kind, hours in (
        ("Hooli discovery follow-up", MeetingKind.TECHNICAL_DEEP_DIVE, -20),
        ("Hooli security questionnaire walkthrough", MeetingKind.SECURITY_REVIEW, 30),
    ):
        meetings.plan_meeting(
            session,
            actor=None,
            data=MeetingIn(
                opportunity_id=hooli.id,
                kind=kind,
                title=title,
                starts_at=utcnow() + timedelta(hours=hours),
                attendee_ids=[priya.id, alex.id],
            ),
        )


def _rate_budget(page, base: str, deal_url: str) -> None:
    page.goto(f"{deal_url}?framework=bant#qualification")
    item = page.locator("#qe-budget")
    item.locator(".seg-opt.lvl-2").click()
    item.locator("input[name=evidence]").fill("CFO confirmed a 200k budget line for this year")
    with page.expect_response(re.compile(r"/qualification/bant")):
        item.locator("button:has-text('Save')").click()
    page.locator('#qe-budget[data-score="2"]').wait_for()


def test_request_blocked_then_qualified_assigned_huddled_and_debriefed(
    tmp_path, new_page, artifacts_dir
):
    shots = artifacts_dir / "two-in-a-box"
    shots.mkdir(exist_ok=True)
    with running_server(tmp_path, _seed) as base:
        # ---- The AE asks for a custom demo on an unqualified deal.
        ae, ae_errors = new_page()
        sign_in(ae, base, AE, PASSWORD)
        ae.goto(f"{base}/opportunities?q=initech")
        ae.click("#results a.row-link:has-text('Initech platform')")
        ae.wait_for_url(re.compile(r"/opportunities/\d+$"))
        deal_url = ae.url
        assert "Pod Alex + Priya" in ae.inner_text("#two-in-a-box")
        ae.locator("#two-in-a-box").scroll_into_view_if_needed()
        ae.locator("#two-in-a-box").screenshot(path=shots / "01-deal-two-in-a-box.png")

        ae.click("a[data-request-se]")
        ae.wait_for_url(re.compile(r"/requests/new"))
        check = ae.inner_text("#charter-check")
        assert "0 / 3 met" in check
        assert "Budget confirmed" in check
        needed = (utcnow().date() + timedelta(days=10)).isoformat()
        ae.fill("#f-needed_by", needed)
        ae.fill("#f-topics", "sso, kubernetes")
        ae.fill("#f-attendees", "Bill Lumbergh (VP Engineering), two platform engineers")
        ae.fill("#f-notes", "Release takes six weeks; they want two. Competing with Stackly.")
        ae.screenshot(path=shots / "02-request-form-charter-check.png", full_page=True)
        # The check follows the chosen kind: a standard demo needs nothing.
        ae.click(".kind-opt:has-text('Standard demo')")
        ae.locator("#charter-check:has-text('goes straight to the queue')").wait_for()
        ae.click(".kind-opt:has-text('Custom demo')")
        ae.locator("#charter-check:has-text('0 / 3 met')").wait_for()
        ae.click("button:has-text('Submit request')")
        ae.wait_for_url(re.compile(r"/requests/\d+$"))
        request_url = ae.url
        blocked = ae.inner_text("#blocked")
        for reason in ("Budget confirmed", "Decision expected within 6 months", "VP-level sponsor"):
            assert reason in blocked
        assert "How to meet it" in blocked
        assert "blocked by the charter: 3 thresholds unmet" in ae.inner_text("#toasts")
        assert ae.locator("#override").count() == 0  # the AE cannot override
        ae.screenshot(path=shots / "03-request-blocked.png", full_page=True)

        # ---- Meet the thresholds: budget rated, close date set, a VP sponsor engaged.
        _rate_budget(ae, base, deal_url)
        ae.goto(f"{deal_url}/edit")
        ae.fill("#f-close_date", (utcnow().date() + timedelta(days=75)).isoformat())
        ae.click("button:has-text('Save changes')")
        ae.wait_for_url(deal_url)
        ae.click("#stakeholders summary:has-text('Add a stakeholder')")
        ae.fill("#stakeholders #f-first_name", "Bill")
        ae.fill("#stakeholders #f-last_name", "Lumbergh")
        ae.fill("#stakeholders #f-title", "VP Engineering")
        ae.select_option("#stakeholders #f-seniority", "vp")
        ae.select_option("#stakeholders #f-role", "economic_buyer")
        ae.select_option("#stakeholders #f-engagement", "engaged")
        ae.select_option("#stakeholders #f-sentiment", "positive")
        ae.click("#stakeholders button:has-text('Add to the map')")
        ae.wait_for_url(re.compile(r"/opportunities/\d+"))
        assert "Bill Lumbergh" in ae.inner_text("#stakeholders")
        assert "Economic buyer" in ae.inner_text("#stakeholders .role-chips .is-covered")
        ae.click("#two-in-a-box button:has-text('Acknowledge')")
        ae.wait_for_url(re.compile(r"/opportunities/\d+"))
        assert "acknowledged" in ae.inner_text("#two-in-a-box .box-people")

        # ---- Resubmit: the charter is met now.
        ae.goto(request_url)
        ae.click("button[data-resubmit]")
        ae.wait_for_url(request_url)
        assert ae.get_attribute("h1 .req-status", "data-status") == "accepted"
        assert "The charter is met now" in ae.inner_text("#toasts")
        assert not ae_errors, ae_errors

        # ---- The manager assigns it from the queue, guided by the ranking.
        manager, manager_errors = new_page()
        sign_in(manager, base, MANAGER, PASSWORD)
        manager.click(".nav-item:has-text('SE requests')")
        manager.wait_for_url(f"{base}/requests")
        item = manager.locator(".queue-item:has-text('Initech platform')")
        top = item.locator(".mini-sugg li").first
        assert "Priya Shah" in top.inner_text()
        assert "in the AE's pod (+40)" in top.inner_text()
        assert "covers EMEA (+15)" in top.inner_text()
        manager.screenshot(path=shots / "04-manager-queue.png", full_page=True)
        top.locator("button:has-text('Assign')").click()
        manager.wait_for_url(re.compile(r"/requests/\d+$"))
        assert manager.get_attribute("h1 .req-status", "data-status") == "assigned"
        assert "Assigned to Priya Shah" in manager.inner_text("#toasts")
        manager.screenshot(path=shots / "04b-request-assigned.png", full_page=True)

        # Pods with their ratio; the team adopts its own charter and edits a threshold.
        manager.click(".nav-item:has-text('Pods & charters')")
        manager.wait_for_url(f"{base}/pods")
        team = manager.locator("[data-team]").first
        assert team.locator("[data-ratio]").inner_text() == "1:1"
        manager.screenshot(path=shots / "09-pods.png", full_page=True)
        team.locator("button:has-text('Adopt a team charter')").click()
        manager.wait_for_url(re.compile(r"/charters/\d+/edit"))
        manager.fill("#f-t3_label", "Technical evaluator engaged")
        manager.select_option("#f-t3_kind", "stakeholder")
        manager.check("[data-row='3'] .th-applies .check:has-text('Proof of concept') input")
        manager.select_option("#f-t3_roles", "technical_evaluator")
        manager.fill("#f-change_note", "POCs also need a technical evaluator")
        manager.screenshot(path=shots / "10-charter-form.png", full_page=True)
        manager.click("button:has-text('Publish revision 2')")
        manager.wait_for_url(re.compile(r"/charters/\d+$"))
        assert "Technical evaluator engaged" in manager.inner_text("#thresholds")
        assert "0 / 4" in manager.inner_text("#acknowledgements")
        manager.screenshot(path=shots / "11-charter.png", full_page=True)
        assert not manager_errors, manager_errors

        # ---- The SE: my day, plan the call, huddle, hold it, debrief.
        se, se_errors = new_page()
        sign_in(se, base, SE, PASSWORD)
        se.click(".nav-item:has-text('My day')")
        se.wait_for_url(f"{base}/my-day")
        assert se.inner_text('[data-kpi="waiting"]') == "1"
        assert se.inner_text('[data-kpi="debriefs"]') == "1"
        assert se.inner_text('[data-kpi="huddles"]') == "1"
        assert "Hooli discovery follow-up" in se.inner_text("#owed")
        assert "Custom demo · Initech platform" in se.inner_text("#waiting")
        se.screenshot(path=shots / "05-my-day.png", full_page=True)
        se.click("#waiting a.action-main:has-text('Initech platform')")
        se.wait_for_url(re.compile(r"/requests/\d+$"))
        assert "Who signs off on the spend" in se.inner_text("#qualify-the-ae")
        se.screenshot(path=shots / "05b-request-se-view.png", full_page=True)
        se.go_back()
        se.click("#waiting a:has-text('Plan')")
        se.wait_for_url(re.compile(r"/meetings/new\?request_id="))
        starts = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT15:00")
        se.fill("#f-starts_at", starts)
        se.fill("#f-location", "https://meet.example/initech")
        se.click("button:has-text('Plan the call')")
        se.wait_for_url(re.compile(r"/meetings/\d+$"))
        meeting_url = se.url

        # The charter keeps pricing with the AE: an SE on commercial questions is refused.
        se.fill("#f-objective", "Show SSO with their IdP and the audit trail on their data")
        se.fill("#f-call_to_action", "Agree a two-week POC with three success criteria")
        se.select_option("#f-commercial_owner_id", label="Priya Shah (SE)")
        se.click("button:has-text('Record the huddle')")
        error = se.inner_text("#f-commercial_owner_id-error")
        assert "the charter keeps pricing with the AE" in error
        se.select_option("#f-commercial_owner_id", label="Alex Morgan (AE)")
        se.select_option("#f-screen_sharer_id", label="Priya Shah (SE)")
        for text in ("Prospect researched", "The one objective", "Who shares the screen"):
            se.check(f"#huddle .check:has-text('{text}') input")
        se.locator("#huddle").screenshot(path=shots / "06-huddle-form.png")
        se.click("button:has-text('Record the huddle')")
        se.wait_for_url(re.compile(r"/meetings/\d+"))
        assert "Huddle recorded." in se.inner_text("#toasts")
        assert "on time" in se.inner_text("#huddle .card-head")

        # Before the call starts there is nothing to mark as held. Three days pass: the call
        # began an hour ago.
        assert se.locator("button[data-hold]").count() == 0
        meeting_id = int(meeting_url.rsplit("/", 1)[1])
        with database(tmp_path) as db:
            meeting = db.get_one(Meeting, meeting_id)
            shift = meeting.starts_at - (utcnow() - timedelta(hours=1))
            meeting.starts_at -= shift
            huddle = db.scalars(select(Huddle).where(Huddle.meeting_id == meeting_id)).one()
            huddle.held_at -= shift
        se.reload()
        se.click("button[data-hold]")
        se.wait_for_url(re.compile(r"/meetings/\d+"))
        se.fill("#f-what_we_missed", "Their data residency question; we had no answer ready")
        se.click("#debrief .seg-opt.pain-yes")
        se.check("#debrief input[name=next_step_secured]")
        se.fill("#f-next_step", "POC kick-off with the platform team")
        se.fill("#f-next_step_date", (utcnow().date() + timedelta(days=8)).isoformat())
        se.select_option("#f-rating_element_0", "meddpicc.identify_pain")
        se.select_option("#f-rating_score_0", "2")
        se.fill("#f-rating_evidence_0", "Six-week release cycle costs them a quarter's roadmap")
        se.locator("#debrief").screenshot(path=shots / "07-debrief-form.png")
        se.click("button:has-text('Write the debrief')")
        se.wait_for_url(re.compile(r"/opportunities/\d+"))
        calls = se.inner_text("#calls")
        assert "written" in calls
        assert "on time" in calls
        assert "POC kick-off with the platform team" in se.inner_text(".col-side")
        requests_card = se.inner_text("#se-requests")
        assert "Done" in requests_card
        for name in ("se-requests", "stakeholders", "calls"):
            se.locator(f"#{name}").screenshot(path=shots / f"08-deal-{name}.png")
        assert meeting_url

        # The POC the debrief agreed, its criteria met with evidence, then the technical win.
        deal_url = se.url.split("#")[0]
        today = utcnow().date()
        se.click("#poc >> text=Plan a POC")
        se.wait_for_url(re.compile(r"/pocs/new$"))
        se.fill("#f-title", "SSO and audit trail on Initech's data")
        se.fill("#f-start_date", today.isoformat())
        se.fill("#f-end_date", (today + timedelta(days=14)).isoformat())
        se.fill("#f-scope", "Their IdP, their staging data, the platform team's release flow.")
        se.fill('[name="criteria.0.description"]', "Sign-on through their IdP")
        se.fill('[name="criteria.0.target"]', "all 25 pilot users, no local accounts")
        se.fill('[name="criteria.1.description"]', "Audit trail")
        se.fill('[name="criteria.1.target"]', "every change attributable within 1 minute")
        se.click("button:has-text('Plan POC')")
        se.wait_for_url(re.compile(r"/pocs/\d+$"))
        for name, evidence in (
            ("Sign-on through their IdP", "25 of 25 signed in on day 2"),
            ("Audit trail", "Spot check of 40 changes, all attributed in under 10 s"),
        ):
            item = se.locator(f'.crit-item[data-criterion="{name}"]')
            item.locator(".seg-opt.res-met").click()
            item.locator("input[name=evidence]").fill(evidence)
            item.locator("button:has-text('Save')").click()
            se.locator(f'.crit-item[data-criterion="{name}"][data-result="met"]').wait_for()
        assert se.input_value("#f-outcome") == "passed"
        se.click("button:has-text('Record outcome')")
        se.wait_for_url(re.compile(r"/pocs/\d+#outcome$"))
        se.fill("#f-signed_off_by", "Sam Lee, VP Platform")
        se.click("button:has-text('Record sign-off')")
        se.wait_for_url(re.compile(r"/pocs/\d+#sign-off$"))
        se.goto(deal_url)
        se.select_option("#f-status", "won")
        se.fill("#tw-form #f-reason", "Both criteria met and signed off by the VP Platform")
        se.click("#tw-form button:has-text('Save')")
        se.wait_for_url(re.compile(r"/opportunities/\d+#technical-win$"))
        assert se.locator("[data-technical-win]").inner_text() == "Won"
        se.locator("#technical-win").screenshot(path=shots / "09-technical-win.png")
        assert not se_errors, se_errors
