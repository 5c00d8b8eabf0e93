"""Two in a box in the web UI: the deal panel, the request form and its charter check, the request
page's actions per role, the queue, my day, calls with huddles and debriefs, pods and charters."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.collaboration.enums import RequestStatus
from techwin.collaboration.models import Charter, Huddle, Meeting, SERequest, Stakeholder
from techwin.core.time import utcnow
from techwin.pipeline import opportunities
from techwin.pipeline.schemas import MoveIn, OpportunityPatch
from tests import factories

S = RequestStatus


@pytest.fixture
def people(session, org, make_user):
    """The org's people with passwords, so they can sign in."""
    from techwin.auth import service as auth_service

    for user in (org.manager, org.ae, org.other_ae, org.se, org.other_se):
        auth_service.set_password(session, actor=None, user=user, password=factories.PASSWORD)
    session.commit()
    return org


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_the_deal_page_shows_the_box_the_charter_stakeholders_and_calls(signed_in, people):
    browser = signed_in(user=people.ae)
    page = browser.get(f"/opportunities/{people.deal.id}")
    assert page.status_code == 200
    text = page.text
    assert 'id="two-in-a-box"' in text
    assert "Pod Alex + Priya" in text
    assert "Priya Shah" in text
    assert "Let me zoom out to the big picture" in text
    assert "You have not acknowledged revision 1" in text
    assert "Request an SE" in text
    assert 'id="stakeholders"' in text
    assert "No stakeholder is engaged yet." in text
    assert 'id="calls"' in text


def test_an_ae_requests_a_custom_demo_and_sees_why_it_is_blocked(signed_in, people, session):
    browser = signed_in(user=people.ae)
    form = browser.get(f"/opportunities/{people.deal.id}/requests/new?kind=custom_demo")
    assert form.status_code == 200
    assert "Charter check" in form.text
    assert "Budget confirmed" in form.text
    check = browser.htmx(
        "GET",
        f"/opportunities/{people.deal.id}/requests/check",
        "charter-check",
        {"kind": "standard_demo"},
    )
    assert check.status_code == 200
    assert "<html" not in check.text
    assert "goes straight to the queue" in check.text
    needed = (utcnow().date() + timedelta(days=10)).isoformat()
    sent = browser.post(
        f"/opportunities/{people.deal.id}/requests",
        {"kind": "custom_demo", "needed_by": needed, "topics": "SSO, kubernetes", "notes": "x"},
    )
    assert sent.status_code == 303
    request_url = sent.headers["location"]
    page = browser.get(request_url)
    assert "Blocked by the charter" in page.text
    for label in ("Budget confirmed", "Decision expected within 6 months", "VP-level sponsor"):
        assert label in page.text
    assert "How to meet it" in page.text
    assert "Override" not in page.text  # an AE has no override path
    assert "Check again" in page.text
    assert "data-met-now" not in page.text
    stored = session.scalar(select(SERequest).order_by(SERequest.id.desc()))
    assert stored.topics == ["sso", "kubernetes"]
    # The AE fixes one thing on the deal: the page reads the block against the deal as it is now.
    opportunities.update_opportunity(
        session,
        actor=people.ae,
        opportunity=people.deal,
        data=OpportunityPatch(close_date=utcnow().date() + timedelta(days=45)),
    )
    session.commit()
    later = browser.get(request_url).text
    met = re.findall(r'data-threshold="([a-z0-9_]+)" data-met-now', later)
    assert met == ["timeline_within_6_months"]
    assert "data-all-met" not in later  # budget and the sponsor are still missing
    session.refresh(stored)
    assert stored.status is RequestStatus.BLOCKED  # reading the page changes nothing


def test_bad_request_input_stays_on_the_form_and_stores_nothing(signed_in, people, session):
    browser = signed_in(user=people.ae)
    before = _count(session, SERequest)
    past = (utcnow().date() - timedelta(days=2)).isoformat()
    response = browser.post(
        f"/opportunities/{people.deal.id}/requests", {"kind": "poc", "needed_by": past}
    )
    assert response.status_code == 422
    assert 'id="f-needed_by-error"' in response.text
    assert "is in the past" in response.text
    missing = browser.post(f"/opportunities/{people.deal.id}/requests", {"kind": "poc"})
    assert missing.status_code == 422
    assert "this field is required" in missing.text
    opportunities.move_opportunity(
        session,
        actor=people.manager,
        opportunity=people.deal,
        data=MoveIn(stage="closed_lost", reason="no budget"),
    )
    session.commit()
    future = (utcnow().date() + timedelta(days=5)).isoformat()
    closed = browser.post(
        f"/opportunities/{people.deal.id}/requests", {"kind": "poc", "needed_by": future}
    )
    assert closed.status_code == 409
    assert "SE time is requested on open deals only" in closed.text
    assert _count(session, SERequest) == before


def test_an_se_cannot_override_and_a_manager_can(signed_in, people, session, browser):
    request = factories.se_request(session, actor=people.ae, deal=people.deal)
    session.commit()
    se = signed_in(user=people.se)
    refused = se.post(f"/requests/{request.id}/override", {"reason": "I like this deal"})
    assert refused.status_code == 403
    assert "only a manager or an admin can override the charter" in refused.text
    session.expire_all()
    assert session.get(SERequest, request.id).status is S.BLOCKED
    browser.client.cookies.clear()
    manager = signed_in(user=people.manager)
    page = manager.get(f"/requests/{request.id}")
    assert "Override and accept" in page.text
    empty = manager.post(f"/requests/{request.id}/override", {"reason": ""})
    assert empty.status_code == 422
    assert 'id="f-reason-error"' in empty.text
    done = manager.post(f"/requests/{request.id}/override", {"reason": "Board-level sponsor"})
    assert done.status_code == 303
    session.expire_all()
    assert session.get(SERequest, request.id).status is S.ACCEPTED


def test_the_manager_assigns_from_the_queue_and_an_ae_cannot(signed_in, people, session, browser):
    request = factories.se_request(session, actor=people.ae, deal=people.deal, kind="standard_demo")
    session.commit()
    ae = signed_in(user=people.ae)
    refused = ae.post(f"/requests/{request.id}/assign", {"se_id": str(people.se.id)})
    assert refused.status_code == 403
    browser.client.cookies.clear()
    manager = signed_in(user=people.manager)
    queue = manager.get("/requests")
    assert queue.status_code == 200
    assert "Suggested SEs" in queue.text
    assert "in the AE&#39;s pod (+40)" in queue.text
    first = re.search(r'name="se_id" value="(\d+)"', queue.text)
    assert first is not None
    assert int(first.group(1)) == people.se.id  # Priya, in Alex's pod, ranks first
    assigned = manager.post(f"/requests/{request.id}/assign", {"se_id": first.group(1)})
    assert assigned.status_code == 303
    session.expire_all()
    stored = session.get(SERequest, request.id)
    assert stored.status is S.ASSIGNED
    assert stored.assignee_id == people.se.id


def test_assigning_without_choosing_an_se_is_explained(signed_in, people, session):
    request = factories.se_request(session, actor=people.ae, deal=people.deal, kind="standard_demo")
    session.commit()
    manager = signed_in(user=people.manager)
    response = manager.post(f"/requests/{request.id}/assign", {})
    assert response.status_code == 422
    assert "choose the SE who takes this request" in response.text


def test_an_unknown_request_action_is_not_found_and_changes_nothing(signed_in, people, session):
    request = factories.se_request(session, actor=people.ae, deal=people.deal, kind="standard_demo")
    session.commit()
    before = request.status
    manager = signed_in(user=people.manager)
    response = manager.post(f"/requests/{request.id}/approve", {})
    assert response.status_code == 404
    session.expire_all()
    assert session.get(SERequest, request.id).status is before


def test_the_se_declines_with_the_question_bank(signed_in, people, session):
    request = factories.se_request(session, actor=people.ae, deal=people.deal, kind="standard_demo")
    from techwin.collaboration import requests

    requests.assign_request(
        session, actor=people.manager, request=request, se_id=people.se.id, version=None
    )
    session.commit()
    se = signed_in(user=people.se)
    page = se.get(f"/requests/{request.id}")
    assert "Qualify the AE first" in page.text
    assert "Who signs off on the spend" in page.text
    declined = se.post(
        f"/requests/{request.id}/decline",
        {"reason": "No economic buyer yet", "unanswered": ["economic_buyer", "why_now"]},
    )
    assert declined.status_code == 303
    after = se.get(f"/requests/{request.id}")
    assert "Declined by the SE" in after.text
    assert "What forces a decision now?" in after.text


def test_stakeholders_are_added_and_bad_input_is_shown_beside_the_field(signed_in, people, session):
    browser = signed_in(user=people.ae)
    missing = browser.post(
        f"/opportunities/{people.deal.id}/stakeholders",
        {"role": "champion", "engagement": "engaged", "sentiment": "positive"},
    )
    assert missing.status_code == 422
    assert 'id="f-last_name-error"' in missing.text
    assert _count(session, Stakeholder) == 0
    added = browser.post(
        f"/opportunities/{people.deal.id}/stakeholders",
        {
            "first_name": "Hank",
            "last_name": "Hill",
            "title": "VP Engineering",
            "seniority": "vp",
            "role": "economic_buyer",
            "engagement": "engaged",
            "sentiment": "positive",
        },
    )
    assert added.status_code == 303
    page = browser.get(f"/opportunities/{people.deal.id}")
    assert "Hank Hill" in page.text
    assert "Single-threaded" in page.text
    stakeholder = session.scalar(select(Stakeholder))
    changed = browser.post(
        f"/stakeholders/{stakeholder.id}",
        {"role": "economic_buyer", "engagement": "active", "sentiment": "positive"},
    )
    assert changed.status_code == 303
    session.expire_all()
    assert session.get(Stakeholder, stakeholder.id).engagement.value == "active"


def test_huddle_call_and_debrief_through_the_pages(signed_in, people, session):
    factories.qualify_for_charter(session, actor=people.ae, deal=people.deal)
    request = factories.se_request(session, actor=people.ae, deal=people.deal)
    from techwin.collaboration import requests

    requests.assign_request(
        session, actor=people.manager, request=request, se_id=people.se.id, version=None
    )
    session.commit()
    se = signed_in(user=people.se)
    form = se.get(f"/opportunities/{people.deal.id}/meetings/new?request_id={request.id}")
    assert form.status_code == 200
    starts = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT15:00")
    planned = se.post(
        f"/opportunities/{people.deal.id}/meetings",
        {
            "kind": "custom_demo",
            "title": "Custom demo for Initech",
            "starts_at": starts,
            "duration_minutes": "60",
            "is_major": "true",
            "request_id": str(request.id),
            "attendee_ids": [str(people.se.id)],
        },
    )
    assert planned.status_code == 303, planned.text
    meeting_url = planned.headers["location"]
    page = se.get(meeting_url)
    assert "The debrief opens once the call has taken place" in page.text
    early = se.post(
        f"{meeting_url}/debrief", {"pain_uncovered": "yes", "what_we_missed": "nothing"}
    )
    assert early.status_code == 409
    assert "the call has not happened yet" in early.text
    # Pricing stays with the AE: an SE on commercial questions is refused beside the field.
    refused = se.post(
        f"{meeting_url}/huddle",
        {
            "objective": "Show SSO and the audit trail",
            "call_to_action": "Agree a POC with success criteria",
            "commercial_owner_id": str(people.se.id),
        },
    )
    assert refused.status_code == 422
    assert 'id="f-commercial_owner_id-error"' in refused.text
    assert _count(session, Huddle) == 0
    saved = se.post(
        f"{meeting_url}/huddle",
        {
            "objective": "Show SSO and the audit trail",
            "call_to_action": "Agree a POC with success criteria",
            "commercial_owner_id": str(people.ae.id),
            "driver_id": str(people.ae.id),
            "screen_sharer_id": str(people.se.id),
            "checklist": ["prospect_researched", "objective_confirmed"],
        },
    )
    assert saved.status_code == 303
    early = se.post(f"{meeting_url}/held", {})
    assert early.status_code == 422
    assert "cannot have taken place before" in early.text
    assert "data-hold" not in se.get(meeting_url).text
    meeting = session.get_one(Meeting, int(meeting_url.rsplit("/", 1)[1]))
    meeting.starts_at = utcnow() - timedelta(hours=1)  # three days pass
    session.commit()
    assert "data-hold" in se.get(meeting_url).text
    held = se.post(f"{meeting_url}/held", {})
    assert held.status_code == 303
    debrief = se.post(
        f"{meeting_url}/debrief",
        {
            "what_we_missed": "Their data residency question",
            "pain_uncovered": "yes",
            "next_step_secured": "true",
            "next_step": "POC kick-off",
            "next_step_date": (utcnow().date() + timedelta(days=10)).isoformat(),
            "update_deal_next_step": "true",
            "rating_element_0": "meddpicc.identify_pain",
            "rating_score_0": "2",
            "rating_evidence_0": "Release takes six weeks",
        },
    )
    assert debrief.status_code == 303, debrief.text
    session.expire_all()
    deal = opportunities.get_opportunity(session, people.deal.id)
    assert deal.next_step == "POC kick-off"
    assert deal.next_step_due == utcnow().date() + timedelta(days=10)
    assert session.get(SERequest, request.id).status is S.DONE
    ics = se.get(f"{meeting_url}.ics")
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics.text


def test_my_day_lists_waiting_requests_reminders_and_deals_at_risk(signed_in, people, session):
    request = factories.se_request(session, actor=people.ae, deal=people.deal, kind="standard_demo")
    from techwin.collaboration import requests

    requests.assign_request(
        session, actor=people.manager, request=request, se_id=people.se.id, version=None
    )
    factories.meeting(session, actor=people.se, deal=people.deal, hours_from_now=-3)
    factories.meeting(session, actor=people.se, deal=people.deal, hours_from_now=20)
    session.commit()
    se = signed_in(user=people.se)
    page = se.get("/my-day")
    assert page.status_code == 200
    text = page.text
    assert 'data-kpi="waiting">1<' in text
    assert 'data-reminder="debrief_owed"' in text
    assert 'data-reminder="huddle_missing"' in text
    assert "Initech platform" in text
    assert "no engaged stakeholder" in text


def test_my_day_and_the_queue_do_not_query_per_row(signed_in, people, session, count_queries):
    manager = signed_in(user=people.manager)

    def queries(url):
        with count_queries() as statements:
            assert manager.get(url).status_code == 200
        return len(statements)

    def add(n):
        for _ in range(n):
            deal = factories.opportunity(session, actor=people.ae)
            factories.se_request(session, actor=people.ae, deal=deal, kind="standard_demo")
            factories.meeting(session, actor=people.manager, deal=deal, hours_from_now=-2)
            factories.meeting(session, actor=people.manager, deal=deal, hours_from_now=30)
        session.commit()

    add(2)
    few = {url: queries(url) for url in ("/requests", "/my-day", "/requests?tab=all")}
    add(6)
    for url, before in few.items():
        assert queries(url) == before, url


def test_pods_page_shows_ratios_and_a_manager_edits_the_charter(signed_in, people, session):
    manager = signed_in(user=people.manager)
    page = manager.get("/pods")
    assert page.status_code == 200
    assert "Enterprise East" in page.text
    assert "1:1" in page.text  # two SEs and two AEs in the team
    adopted = manager.post("/charters/adopt", {"team_id": str(people.team.id)})
    assert adopted.status_code == 303
    edit_url = adopted.headers["location"]
    form = manager.get(edit_url)
    assert form.status_code == 200
    assert "Publish revision 2" in form.text
    bad = manager.post(
        edit_url,
        {
            "name": "Rules of Engagement",
            "rescue_phrase": "Zoom out",
            "prep_lead_hours": "24",
            "prep_minutes": "15",
            "pricing_with_ae": "true",
            "based_on": "1",
            "t0_label": "Two weeks' notice",
            "t0_kind": "notice",
            "t0_applies_to": ["poc"],
            "t0_min_days": "0",
        },
    )
    assert bad.status_code == 422
    assert 'id="f-t0_min_days-error"' in bad.text
    assert "Threshold 1: Notice (days)" in bad.text  # the summary names the row and the field
    assert '<option value="bant"' in form.text  # frameworks are picked, not typed
    good = manager.post(
        edit_url,
        {
            "name": "Rules of Engagement",
            "rescue_phrase": "Zoom out",
            "prep_lead_hours": "48",
            "prep_minutes": "15",
            "pricing_with_ae": "true",
            "based_on": "1",
            "change_note": "POCs need notice",
            "t0_label": "Two weeks' notice",
            "t0_kind": "notice",
            "t0_applies_to": ["poc"],
            "t0_min_days": "14",
        },
    )
    assert good.status_code == 303, good.text
    current = session.scalar(
        select(Charter).where(Charter.team_id == people.team.id, Charter.is_current.is_(True))
    )
    assert current.revision == 2
    assert current.prep_lead_hours == 48
    assert [t["key"] for t in current.thresholds] == ["two_weeks_notice"]


def test_an_ae_cannot_edit_a_charter(signed_in, people):
    ae = signed_in(user=people.ae)
    refused = ae.post("/charters/adopt", {"team_id": str(people.team.id)})
    assert refused.status_code == 403


def test_the_nav_shows_two_in_a_box_by_role(signed_in, make_user):
    se = signed_in(Role.SE)
    home = se.get("/")
    assert 'href="/my-day"' in home.text
    assert 'href="/requests"' in home.text
    assert 'href="/pods"' in home.text


def test_the_deal_and_request_pages_do_not_query_per_row(signed_in, people, session, count_queries):
    ae = signed_in(user=people.ae)

    def queries(url):
        with count_queries() as statements:
            assert ae.get(url).status_code == 200
        return len(statements)

    def add(n):
        for _ in range(n):
            factories.stakeholder(session, actor=people.ae, deal=people.deal, engagement="aware")
            factories.se_request(session, actor=people.ae, deal=people.deal, kind="standard_demo")
            factories.meeting(session, actor=people.ae, deal=people.deal, hours_from_now=-2)
        session.commit()

    add(1)
    request = session.scalar(select(SERequest).order_by(SERequest.id))
    urls = (f"/opportunities/{people.deal.id}", f"/requests/{request.id}")
    few = {url: queries(url) for url in urls}
    add(5)
    for url, before in few.items():
        assert queries(url) == before, url


@pytest.mark.parametrize("role", list(Role))
def test_every_page_renders_for_every_role(signed_in, people, session, role):
    request = factories.se_request(session, actor=people.ae, deal=people.deal)
    meeting = factories.meeting(session, actor=people.ae, deal=people.deal)
    session.commit()
    browser = signed_in(role)
    charter_id = session.scalar(select(Charter.id))
    for url in (
        f"/opportunities/{people.deal.id}",
        f"/requests/{request.id}",
        "/requests?tab=all",
        "/my-day",
        "/pods",
        f"/charters/{charter_id}",
        f"/meetings/{meeting.id}",
    ):
        response = browser.get(url)
        assert response.status_code == 200, (role, url)
        assert 'class="nav-heading nav-heading-gap">Two in a box' in response.text


def test_the_charter_check_follows_the_needed_by_date(signed_in, people, session):
    from techwin.collaboration import charters
    from techwin.collaboration.schemas import CharterScopeIn
    from tests.collaboration.test_charters import _edit

    pod = charters.start_charter(
        session, actor=people.manager, scope=CharterScopeIn(pod_id=people.pod.id)
    )
    notice = {
        "key": "week_notice",
        "label": "A week's notice",
        "kind": "notice",
        "applies_to": ["standard_demo"],
        "min_days": 7,
    }
    charters.edit_charter(
        session,
        actor=people.manager,
        charter=pod,
        data=_edit(pod, thresholds=[*pod.thresholds, notice]),
    )
    session.commit()
    browser = signed_in(user=people.ae)
    url = f"/opportunities/{people.deal.id}/requests/check"

    def check(days):
        needed = {"needed_by": (utcnow().date() + timedelta(days=days)).isoformat()}
        return browser.htmx("GET", url, "charter-check", {"kind": "standard_demo", **needed})

    soon, later = check(3), check(10)
    assert "needed in 3 days" in soon.text
    assert "ask for a needed-by date on or after" in soon.text
    assert "no needed-by date" not in soon.text
    assert "needed in 10 days" in later.text
    assert "ask for a needed-by date on or after" not in later.text
    form = browser.get(f"/opportunities/{people.deal.id}/requests/new?kind=standard_demo")
    assert 'hx-include="[name=kind]:checked"' in form.text


def test_an_ae_has_a_day_too_with_their_blocked_requests_and_owed_debriefs(
    signed_in, people, session
):
    blocked = factories.se_request(session, actor=people.ae, deal=people.deal)
    assert blocked.status is S.BLOCKED
    factories.meeting(session, actor=people.ae, deal=people.deal, hours_from_now=-3)
    session.commit()
    ae = signed_in(user=people.ae)
    home = ae.get("/")
    assert 'href="/my-day"' in home.text
    page = ae.get("/my-day")
    assert page.status_code == 200
    assert 'data-kpi="waiting">1<' in page.text
    assert "blocked by the charter" in page.text
    assert f'href="/requests/{blocked.id}"' in page.text
    assert 'data-reminder="debrief_owed"' in page.text


def test_a_managers_day_queues_only_their_teams_requests(signed_in, people, session):
    from techwin.auth.enums import Role

    outsider = factories.user(session, role=Role.AE, full_name="Riley Park")
    factories.team(session, name="Public sector")
    elsewhere = factories.opportunity(session, actor=outsider, name="Springfield")
    factories.se_request(session, actor=outsider, deal=elsewhere, kind="standard_demo")
    outsider.team_id = factories.team(session, name="West").id
    factories.se_request(session, actor=people.ae, deal=people.deal, kind="standard_demo")
    session.commit()
    page = signed_in(user=people.manager).get("/my-day").text
    assert "Initech platform" in page
    assert "Springfield" not in page


def test_a_product_managers_home_is_the_gap_ranking(signed_in, session):
    from techwin.auth.enums import Role

    pm = signed_in(Role.PM)
    home = pm.get("/", follow_redirects=False)
    assert home.status_code == 303
    assert home.headers["location"] == "/gaps"
