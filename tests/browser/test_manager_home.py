"""The manager's home in a real browser against a real server: Maya signs in and sees her team's
day — requests waiting for an SE (the oldest first, one past its needed-by date), the SEs'
load this week (one overbooked, one with a very long name), huddle/debrief discipline, deals at
risk and the pipeline — and follows a request and the discipline link. A manager without a team
is told how to get one; an AE of the team sees their own home. Screenshots go to /tmp/shots/."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.auth.schemas import TeamCreate
from techwin.collaboration import (
    assignment,
    pods,
    requests,
    stakeholders,
)
from techwin.collaboration.enums import RequestKind
from techwin.collaboration.schemas import (
    NewContactIn,
    RequestIn,
    SEProfileIn,
    StakeholderIn,
)
from techwin.core.time import utcnow
from techwin.pipeline import accounts, opportunities
from techwin.pipeline.enums import Seniority
from techwin.pipeline.models import Opportunity
from techwin.pipeline.schemas import AccountIn, OpportunityIn
from tests.browser.cast import AE, MANAGER, PASSWORD, call, person, two_teams
from tests.browser.support import running_server, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
LONE_MANAGER = "tom.baker@example.com"
NEW_MANAGER = "eve.stone@example.com"
LONG_SE = "Maximiliana Alexandrina Konstantinopoulou-Vandenberghe"
LONG_DEAL = "Umbrella Corporation — global data platform migration and analytics modernisation"


def _deal(
    session: Session,
    owner: User,
    name: str,
    acv: str,
    *,
    close_in: int,
    next_step: str | None = None,
    engaged: int = 0,
) -> Opportunity:
    company = name.split()[0]
    account = accounts.create_account(
        session,
        actor=owner,
        data=AccountIn(name=company, domain=f"{company.lower()}.example", region="EMEA"),
    )
    deal = opportunities.create_opportunity(
        session,
        actor=owner,
        data=OpportunityIn(
            name=name,
            account_id=account.id,
            acv=Decimal(acv),
            close_date=utcnow().date() + timedelta(days=close_in),
            next_step=next_step,
        ),
    )
    people = [("Peggy", "Hill", "champion"), ("Bill", "Lumbergh", "economic_buyer")]
    for first, last, role in people[:engaged]:
        stakeholders.add_stakeholder(
            session,
            actor=owner,
            deal=deal,
            data=StakeholderIn(
                new_contact=NewContactIn(
                    first_name=first, last_name=f"{last} {company}", seniority=Seniority.VP
                ),
                role=role,
                engagement="engaged",
            ),
        )
    return deal


def _request(
    session: Session, ae: User, deal: Opportunity, kind: RequestKind, *, waited_days: int = 0
) -> int:
    found = requests.submit_request(
        session,
        actor=ae,
        data=RequestIn(
            opportunity_id=deal.id, kind=kind, needed_by=utcnow().date() + timedelta(days=6)
        ),
    )
    found.status_changed_at = utcnow() - timedelta(days=waited_days, hours=2)
    return found.id


def _seed(session: Session) -> None:
    """Maya's team (three pods, four SEs), its deals, requests and calls; another team; a
    manager without a team and one whose team is still empty."""
    org = two_teams(session)
    maya, alex, jordan, sam, riley = org.maya, org.alex, org.jordan, org.sam, org.riley
    priya, lukas, noor = org.priya, org.lukas, org.noor
    maxi = person(session, "maxi.k@example.com", LONG_SE, Role.SE, org.east.id)
    for se, capacity in ((lukas, 20), (maxi, 25)):
        pods.save_profile(
            session, actor=None, user_id=se.id, data=SEProfileIn(weekly_capacity_hours=capacity)
        )
    person(session, LONE_MANAGER, "Tom Baker", Role.MANAGER)
    eve = person(session, NEW_MANAGER, "Eve Stone", Role.MANAGER)
    auth_service.create_team(
        session, actor=None, data=TeamCreate(name="New logos", manager_id=eve.id)
    )

    initech = _deal(
        session, alex, "Initech platform", "180000", close_in=40, next_step="POC plan", engaged=2
    )
    umbrella = _deal(session, alex, LONG_DEAL, "420000", close_in=75)
    globex = _deal(
        session, jordan, "Globex analytics", "96000", close_in=12, next_step="Demo", engaged=1
    )
    hooli = _deal(session, sam, "Hooli expansion", "64000", close_in=20, engaged=2)
    stark = _deal(
        session, sam, "Stark pilot", "48000", close_in=55, next_step="Read-out", engaged=2
    )
    springfield = _deal(session, riley, "City of Springfield", "50000", close_in=8)

    # Requests: three waiting (one of them late), one blocked, two in progress.
    _request(session, alex, initech, RequestKind.STANDARD_DEMO, waited_days=4)
    late = _request(session, jordan, globex, RequestKind.WORKSHOP, waited_days=2)
    requests.get_request(session, late).needed_by = utcnow().date() - timedelta(days=1)
    _request(session, sam, hooli, RequestKind.SECURITY_REVIEW, waited_days=1)
    _request(session, alex, umbrella, RequestKind.CUSTOM_DEMO)  # blocked by the charter
    for deal, ae, se in ((stark, sam, priya), (globex, jordan, lukas)):
        request_id = _request(session, ae, deal, RequestKind.RFP)
        found = requests.get_request(session, request_id)
        requests.assign_request(
            session, actor=maya, request=found, se_id=se.id, version=found.version
        )
    _request(session, riley, springfield, RequestKind.RFP)  # another team's

    # This week's calls: Lukas overbooked, Priya busy, Noor light, the long-named SE free.
    monday, _next = assignment.week_bounds(utcnow())
    for day, hours in ((0, 5), (1, 5), (2, 4.5), (3, 4), (4, 4)):
        call(
            session,
            jordan,
            globex.id,
            f"Workshop day {day + 1}",
            monday + timedelta(days=day, hours=9),
            hours=hours,
            attendees=[lukas],
        )
    for day in (1, 3, 4):
        call(
            session,
            alex,
            initech.id,
            f"Initech session {day}",
            monday + timedelta(days=day, hours=14),
            hours=4,
            attendees=[priya],
        )
    read_out = monday + timedelta(days=2, hours=16)
    call(session, sam, stark.id, "Stark read-out", read_out, attendees=[noor])

    # The last 30 days' major calls: huddles mostly, debriefs less often.
    history = (
        (alex, initech, ((3, True, True), (9, True, True), (20, True, False))),
        (jordan, globex, ((6, True, False), (16, False, False))),
        (sam, hooli, ((5, True, True), (25, False, True))),
    )
    now = utcnow()
    for owner, deal, calls in history:
        for days, huddled, debriefed in calls:
            call(
                session,
                owner,
                deal.id,
                f"Deep dive, {days} days ago",
                now - timedelta(days=days),
                huddle=huddled,
                debrief=debriefed,
            )
    call(session, riley, springfield.id, "Security review", now - timedelta(days=4), huddle=True)


def test_the_manager_home_shows_the_teams_day(tmp_path, new_page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_server(tmp_path, _seed) as base:
        page, errors = new_page()
        sign_in(page, base, MANAGER, PASSWORD)
        assert "Enterprise East" in page.inner_text("[data-scope]")
        assert page.inner_text("[data-kpi=waiting]") == "3"
        assert page.inner_text("[data-kpi=blocked]") == "1"

        waiting = page.locator("#waiting li[data-request]")
        assert waiting.count() == 3
        assert "Standard demo · Initech platform" in waiting.nth(0).inner_text()
        assert "was needed by" in waiting.nth(1).inner_text()

        ses = page.locator("#capacity tr[data-se]")
        assert ses.count() == 4
        assert "Lukas Becker" in ses.nth(0).inner_text()
        assert "22.5 of 20 h" in ses.nth(0).inner_text()
        assert ses.nth(0).locator(".load.is-over").count() == 1
        assert "Priya Shah" in ses.nth(1).inner_text()
        assert "Kim Novak" not in page.inner_text("#capacity")
        clipped = page.locator(f"#capacity a[title='{LONG_SE}'] span.clip")
        assert clipped.evaluate("el => el.scrollWidth > el.clientWidth")  # shortened, not wrapped

        risks = page.locator("#at-risk tr[data-risk]")
        names = risks.all_inner_texts()
        assert any("Globex analytics" in n and "single-threaded" in n for n in names)
        assert any("Hooli expansion" in n and "no next step recorded" in n for n in names)
        assert any(LONG_DEAL in n for n in names)
        assert not any("Initech platform" in n or "City of Springfield" in n for n in names)

        assert "With a huddle" in page.inner_text("#discipline")
        assert page.inner_text("[data-pipeline=deals]") == "5"
        assert page.inner_text("[data-pipeline=acv]") == "808k"
        page.screenshot(path=SHOTS / "manager-home.png", full_page=True)

        page.set_viewport_size({"width": 1024, "height": 900})
        page.screenshot(path=SHOTS / "manager-home-narrow.png", full_page=True)
        page.set_viewport_size({"width": 1440, "height": 900})

        page.click("#waiting li[data-request] >> nth=0 >> a.action-main")
        page.wait_for_url(re.compile(r"/requests/\d+$"))
        assert "Initech platform" in page.inner_text(".page-head")
        page.go_back()
        page.click("#discipline a.link-more")
        page.wait_for_url(re.compile(r"/pods/discipline\?days=30$"))
        assert page.locator("tr[data-pod]").count() == 3
        assert not errors, errors

        lone, lone_errors = new_page()
        sign_in(lone, base, LONE_MANAGER, PASSWORD)
        assert "You do not manage a team yet" in lone.inner_text("#team-home")
        lone.screenshot(path=SHOTS / "manager-home-no-team.png", full_page=True)
        assert not lone_errors, lone_errors

        fresh, fresh_errors = new_page()
        sign_in(fresh, base, NEW_MANAGER, PASSWORD)
        assert "New logos" in fresh.inner_text("[data-scope]")
        assert "No SEs in your team yet" in fresh.inner_text("#capacity")
        assert "No request is waiting for an SE." in fresh.inner_text("#waiting")
        fresh.screenshot(path=SHOTS / "manager-home-empty-team.png", full_page=True)
        assert not fresh_errors, fresh_errors

        ae, ae_errors = new_page()
        sign_in(ae, base, AE, PASSWORD)
        assert "My open deals" in ae.inner_text("main")
        assert ae.locator("#team-kpis, #capacity").count() == 0
        assert not ae_errors, ae_errors
