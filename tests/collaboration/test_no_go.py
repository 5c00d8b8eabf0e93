"""The SE's no-go ends SE work on the deal: open requests are cancelled, the planned calls that
serve them are called off, no new request is taken until the technical win is re-opened; and
only the managers of the deal's team override its charter or assign its SEs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.collaboration import requests
from techwin.collaboration.enums import MeetingStatus, RequestStatus
from techwin.collaboration.models import RequestEvent, SERequest
from techwin.collaboration.schemas import RequestIn
from techwin.core.time import utcnow
from techwin.errors import InvalidState, PermissionDenied
from techwin.evaluation import se_requests, technical_win
from techwin.evaluation.enums import TechnicalWinStatus
from techwin.evaluation.schemas import NoGoIn, TechnicalWinIn
from techwin.pipeline import opportunities
from techwin.pipeline.schemas import OpportunityPatch
from tests import factories

S = RequestStatus


def _request_count(session):
    return session.scalar(select(func.count()).select_from(SERequest))


@pytest.fixture
def worked(session, org):
    """Alex's qualified deal with an assigned custom demo whose call is planned, a standard demo
    waiting for an SE, and a call of Alex's own."""
    factories.qualify_for_charter(session, actor=org.ae, deal=org.deal)
    demo = factories.se_request(session, actor=org.ae, deal=org.deal)
    requests.assign_request(session, actor=org.manager, request=demo, se_id=org.se.id, version=None)
    served = factories.meeting(session, actor=org.ae, deal=org.deal, request_id=demo.id)
    waiting = factories.se_request(session, actor=org.ae, deal=org.deal, kind="standard_demo")
    own = factories.meeting(
        session, actor=org.ae, deal=org.deal, kind="discovery_call", title="Own"
    )
    session.commit()
    assert (demo.status, waiting.status) == (S.SCHEDULED, S.ACCEPTED)
    return demo, waiting, served, own


def _deal(session, org):
    return opportunities.get_opportunity(session, org.deal.id)  # with its SEs loaded


def _no_go(session, org):
    return technical_win.declare_no_go(
        session,
        actor=org.se,
        opportunity=_deal(session, org),
        data=NoGoIn(no_go_reason="no_budget", reason="Budget moved to next year"),
    )


def test_a_no_go_cancels_open_requests_and_calls_off_their_calls(session, org, worked):
    demo, waiting, served, own = worked
    _no_go(session, org)
    assert (demo.status, waiting.status) == (S.CANCELLED, S.CANCELLED)
    last = session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == waiting.id).order_by(RequestEvent.id)
    ).all()[-1]
    assert last.to_status is S.CANCELLED
    assert last.note == "SE no-go: No budget"
    assert last.actor_id == org.se.id
    assert served.status is MeetingStatus.CANCELLED
    assert own.status is MeetingStatus.PLANNED  # the AE's own call stays on the calendar


def test_no_request_is_taken_while_the_no_go_stands(session, org, worked):
    _no_go(session, org)
    before = _request_count(session)
    data = RequestIn(
        opportunity_id=org.deal.id, kind="workshop", needed_by=utcnow().date() + timedelta(days=5)
    )
    with pytest.raises(InvalidState, match="no-go") as refused:
        se_requests.submit_request(session, actor=org.ae, data=data)
    assert refused.value.field == "opportunity_id"
    assert "no budget" in str(refused.value)
    assert _request_count(session) == before

    win = technical_win.get_technical_win(session, org.deal.id)
    assert win is not None
    technical_win.set_technical_win(
        session,
        actor=org.se,
        opportunity=_deal(session, org),
        data=TechnicalWinIn(
            status=TechnicalWinStatus.IN_PROGRESS, reason="Budget is back", version=win.version
        ),
    )
    again = se_requests.submit_request(session, actor=org.ae, data=data)
    assert again.status is S.ACCEPTED


def test_a_blocked_request_is_not_resubmitted_on_a_no_go_deal(session, org):
    blocked = factories.se_request(session, actor=org.ae, deal=org.deal)
    assert blocked.status is S.BLOCKED
    opportunities.update_opportunity(  # the SE is on the deal without an assigned request
        session,
        actor=org.ae,
        opportunity=_deal(session, org),
        data=OpportunityPatch(se_ids=[org.se.id]),
    )
    _no_go(session, org)
    assert blocked.status is S.CANCELLED
    with pytest.raises(InvalidState):
        se_requests.resubmit_request(session, actor=org.ae, request=blocked)


def test_the_deal_page_and_the_form_say_why_no_se_can_be_asked(session, org, worked, signed_in):
    _no_go(session, org)
    session.commit()
    browser = signed_in(user=org.ae)
    page = browser.get(f"/opportunities/{org.deal.id}")
    assert page.status_code == 200
    assert "data-no-go" in page.text
    assert "SE work ended with a no-go (no budget)" in page.text
    assert "data-request-se" not in page.text
    form = browser.get(f"/opportunities/{org.deal.id}/requests/new")
    assert form.status_code == 409
    assert "re-open the technical win" in form.text
    before = _request_count(session)
    sent = browser.post(
        f"/opportunities/{org.deal.id}/requests",
        {"kind": "workshop", "needed_by": (utcnow().date() + timedelta(days=5)).isoformat()},
    )
    assert sent.status_code == 409
    assert "re-open the technical win" in sent.text
    assert _request_count(session) == before


def test_the_request_form_is_refused_on_a_closed_deal(session, org, signed_in):
    factories.lose(session, actor=None, deal=org.deal)
    session.commit()
    browser = signed_in(user=org.ae)
    form = browser.get(f"/opportunities/{org.deal.id}/requests/new")
    assert form.status_code == 409
    assert "open deals only" in form.text


def test_another_teams_manager_neither_overrides_nor_assigns(session, org):
    stranger = factories.user(session, role=Role.MANAGER, full_name="Omar Other")
    factories.team(session, name="Public sector", manager=stranger)
    blocked = factories.se_request(session, actor=org.ae, deal=org.deal)
    with pytest.raises(PermissionDenied, match="another team"):
        requests.override_request(
            session, actor=stranger, request=blocked, reason="Strategic logo", version=None
        )
    assert blocked.status is S.BLOCKED
    assert requests.allowed_actions(stranger, blocked, managed={stranger.team_id}) == set()
    assert "override" in requests.allowed_actions(org.manager, blocked, managed={org.team.id})

    waiting = factories.se_request(session, actor=org.ae, deal=org.deal, kind="standard_demo")
    with pytest.raises(PermissionDenied, match="another team"):
        requests.assign_request(
            session, actor=stranger, request=waiting, se_id=org.se.id, version=None
        )
    assert waiting.status is S.ACCEPTED
    assert waiting.assignee_id is None
    requests.assign_request(
        session, actor=org.manager, request=waiting, se_id=org.se.id, version=None
    )
    assert waiting.status is S.ASSIGNED


def test_the_api_refuses_a_request_on_a_no_go_deal_naming_the_deal(session, org, worked, api_as):
    _no_go(session, org)
    session.commit()
    before = _request_count(session)
    needed = (utcnow().date() + timedelta(days=5)).isoformat()
    sent = api_as(user=org.ae).post(
        "/api/v1/se-requests",
        json={"opportunity_id": org.deal.id, "kind": "workshop", "needed_by": needed},
    )
    assert sent.status_code == 409
    assert sent.json()["field"] == "opportunity_id"
    assert "no-go" in sent.json()["detail"]
    assert _request_count(session) == before
