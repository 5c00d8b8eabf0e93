"""SE requests through the services: the charter check, the status flow per role, overrides,
assignment, declines, and the bad input that changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.auth.models import AuditEvent
from techwin.collaboration import requests
from techwin.collaboration.enums import RequestStatus
from techwin.collaboration.models import RequestEvent, SERequest
from techwin.collaboration.schemas import RequestIn
from techwin.core.time import utcnow
from techwin.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from techwin.pipeline import opportunities
from techwin.pipeline.schemas import MoveIn
from tests import factories

S = RequestStatus


def _statuses(session, request_id):
    events = session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.id)
    )
    return [e.to_status for e in events]


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_custom_demo_on_an_unqualified_deal_is_blocked_with_every_reason(session, org):
    request = factories.se_request(session, actor=org.ae, deal=org.deal)
    assert request.status is S.BLOCKED
    assert [v["key"] for v in request.unmet] == [
        "budget_confirmed",
        "timeline_within_6_months",
        "vp_sponsor_engaged",
    ]
    assert all(v["how"] for v in request.unmet)
    assert _statuses(session, request.id) == [S.SUBMITTED, S.BLOCKED]
    assert request.charter_id is not None


def test_a_standard_demo_is_not_guarded_by_the_default_charter(session, org):
    request = factories.se_request(session, actor=org.ae, deal=org.deal, kind="standard_demo")
    assert request.status is S.ACCEPTED
    assert request.unmet == []


def test_resubmitting_after_qualifying_the_deal_lets_the_request_through(session, org):
    request = factories.se_request(session, actor=org.ae, deal=org.deal)
    factories.qualify_for_charter(session, actor=org.ae, deal=org.deal)
    requests.resubmit_request(session, actor=org.ae, request=request, version=request.version)
    assert request.status is S.ACCEPTED
    assert request.unmet == []
    assert _statuses(session, request.id) == [S.SUBMITTED, S.BLOCKED, S.ACCEPTED]


def test_resubmitting_a_still_unqualified_request_keeps_it_blocked_with_fewer_reasons(session, org):
    request = factories.se_request(session, actor=org.ae, deal=org.deal)
    factories.stakeholder(session, actor=org.ae, deal=org.deal, seniority="c_level")
    requests.resubmit_request(session, actor=org.ae, request=request)
    assert request.status is S.BLOCKED
    assert [v["key"] for v in request.unmet] == ["budget_confirmed", "timeline_within_6_months"]


def test_the_full_flow_assigned_scheduled_done(session, org):
    factories.qualify_for_charter(session, actor=org.ae, deal=org.deal)
    request = factories.se_request(session, actor=org.ae, deal=org.deal)
    assert request.status is S.ACCEPTED
    requests.assign_request(
        session, actor=org.manager, request=request, se_id=org.se.id, version=None
    )
    assert request.status is S.ASSIGNED
    deal = opportunities.get_opportunity(session, org.deal.id)
    assert org.se.id in {u.id for u in deal.engineers}  # the SE joins the deal
    meeting = factories.meeting(
        session, actor=org.se, deal=org.deal, request_id=request.id, hours_from_now=-2
    )
    assert request.status is S.SCHEDULED
    assert {u.id for u in meeting.attendees} >= {org.se.id, org.ae.id}
    factories_held = meeting
    from techwin.collaboration import meetings
    from techwin.collaboration.schemas import HeldIn

    meetings.hold_meeting(session, actor=org.se, meeting=factories_held, data=HeldIn())
    assert request.status is S.DONE
    assert _statuses(session, request.id) == [
        S.SUBMITTED,
        S.ACCEPTED,
        S.ASSIGNED,
        S.SCHEDULED,
        S.DONE,
    ]
    events = session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id))
    assert all(e.at is not None for e in events)


def test_only_a_manager_overrides_the_charter_and_the_reason_is_audited(session, org):
    request = factories.se_request(session, actor=org.ae, deal=org.deal)
    for actor in (org.se, org.ae):
        with pytest.raises(PermissionDenied, match="override the charter"):
            requests.override_request(
                session, actor=actor, request=request, reason="strategic logo", version=None
            )
    with pytest.raises(InvalidInput) as caught:
        requests.override_request(
            session, actor=org.manager, request=request, reason=" ", version=None
        )
    assert caught.value.field == "reason"
    requests.override_request(
        session, actor=org.manager, request=request, reason="Strategic logo for Q4", version=None
    )
    assert request.status is S.ACCEPTED
    assert request.override_reason == "Strategic logo for Q4"
    audit = session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "se_request",
            AuditEvent.entity_id == request.id,
            AuditEvent.action == "se_request.override",
        )
    )
    assert audit is not None
    assert audit.actor_id == org.manager.id
    assert "Strategic logo for Q4" in (audit.reason or "")
    assert "Budget confirmed" in (audit.reason or "")


def test_an_ae_cannot_assign_ses(session, org):
    request = factories.se_request(session, actor=org.ae, deal=org.deal, kind="discovery_call")
    for actor in (org.ae, org.se):
        with pytest.raises(PermissionDenied, match="assign SEs"):
            requests.assign_request(
                session, actor=actor, request=request, se_id=org.se.id, version=None
            )
    assert request.status is S.ACCEPTED
    assert request.assignee_id is None


def test_a_manager_cannot_assign_an_se_of_another_team(session, org):
    other_team = factories.team(session, name="Mid-market")
    outsider = factories.user(
        session, role=Role.SE, full_name="Amara Okafor", team_id=other_team.id
    )
    request = factories.se_request(session, actor=org.ae, deal=org.deal, kind="discovery_call")
    before = _count(session, RequestEvent)
    with pytest.raises(PermissionDenied) as caught:
        requests.assign_request(
            session, actor=org.manager, request=request, se_id=outsider.id, version=None
        )
    assert caught.value.field == "se_id"
    assert "another team" in caught.value.message
    assert request.status is S.ACCEPTED
    assert _count(session, RequestEvent) == before
    admin = factories.user(session, role=Role.ADMIN, password=None)
    requests.assign_request(session, actor=admin, request=request, se_id=outsider.id, version=None)
    assert request.assignee_id == outsider.id


def test_assigning_someone_who_is_not_an_se_names_the_field(session, org):
    request = factories.se_request(session, actor=org.ae, deal=org.deal, kind="discovery_call")
    with pytest.raises(InvalidInput) as caught:
        requests.assign_request(
            session, actor=org.manager, request=request, se_id=org.other_ae.id, version=None
        )
    assert caught.value.field == "se_id"
    assert "not a solutions engineer" in caught.value.message


def test_an_se_cannot_request_se_time_and_an_ae_only_on_their_own_deals(session, org):
    data = RequestIn(
        opportunity_id=org.deal.id, kind="discovery_call", needed_by=utcnow().date() + timedelta(3)
    )
    with pytest.raises(PermissionDenied, match="only an AE or a manager"):
        requests.submit_request(session, actor=org.se, data=data)
    with pytest.raises(PermissionDenied) as caught:
        requests.submit_request(session, actor=org.other_ae, data=data)
    assert caught.value.field == "opportunity_id"
    assert requests.submit_request(session, actor=org.manager, data=data).status is S.ACCEPTED


def test_a_request_on_a_closed_deal_is_refused_and_nothing_is_stored(session, org):
    opportunities.move_opportunity(
        session,
        actor=org.manager,
        opportunity=org.deal,
        data=MoveIn(stage="closed_lost", reason="went with a competitor"),
    )
    before = _count(session, SERequest)
    with pytest.raises(InvalidState) as caught:
        factories.se_request(session, actor=org.ae, deal=org.deal)
    assert caught.value.field == "opportunity_id"
    assert "closed lost" in caught.value.message
    assert _count(session, SERequest) == before


def test_needed_by_in_the_past_or_an_unknown_deal_are_refused(session, org):
    with pytest.raises(InvalidInput) as caught:
        factories.se_request(
            session, actor=org.ae, deal=org.deal, needed_by=utcnow().date() - timedelta(days=1)
        )
    assert caught.value.field == "needed_by"
    data = RequestIn(opportunity_id=999_999, kind="poc", needed_by=utcnow().date())
    with pytest.raises(NotFound) as missing:
        requests.submit_request(session, actor=org.ae, data=data)
    assert missing.value.field == "opportunity_id"


def test_the_assigned_se_declines_with_the_questions_left_open(session, org):
    request = factories.se_request(session, actor=org.ae, deal=org.deal, kind="standard_demo")
    requests.assign_request(
        session, actor=org.manager, request=request, se_id=org.se.id, version=None
    )
    with pytest.raises(PermissionDenied):
        requests.decline_request(session, actor=org.other_se, request=request, reason="busy")
    with pytest.raises(InvalidInput) as caught:
        requests.decline_request(
            session, actor=org.se, request=request, reason="No pain yet", unanswered=["vibes"]
        )
    assert caught.value.field == "unanswered"
    requests.decline_request(
        session,
        actor=org.se,
        request=request,
        reason="No pain or economic buyer named yet",
        unanswered=["pain_and_cost", "economic_buyer"],
    )
    assert request.status is S.DECLINED
    assert request.unanswered == ["pain_and_cost", "economic_buyer"]
    with pytest.raises(InvalidState, match="already declined"):
        requests.cancel_request(session, actor=org.ae, request=request, reason="oops", version=None)


def test_stale_versions_are_refused(session, org):
    request = factories.se_request(session, actor=org.ae, deal=org.deal, kind="discovery_call")
    stale = request.version - 1
    with pytest.raises(Conflict) as caught:
        requests.cancel_request(
            session, actor=org.ae, request=request, reason="no longer needed", version=stale
        )
    assert caught.value.field == "version"


def test_the_requester_cancels_and_the_list_filters(session, org):
    first = factories.se_request(session, actor=org.ae, deal=org.deal, kind="discovery_call")
    second = factories.se_request(session, actor=org.ae, deal=org.deal)
    requests.cancel_request(session, actor=org.ae, request=first, reason="call moved", version=None)
    from techwin.core.pagination import PageRequest

    page = requests.list_requests(
        session,
        filters=requests.RequestFilter(statuses=(S.BLOCKED,), opportunity_id=org.deal.id),
        page=PageRequest(),
    )
    assert [r.id for r in page.items] == [second.id]
    cancelled = requests.list_requests(
        session, filters=requests.RequestFilter(statuses=(S.CANCELLED,)), page=PageRequest()
    )
    assert first.id in [r.id for r in cancelled.items]


def test_allowed_actions_follow_role_and_status(session, org):
    request = factories.se_request(session, actor=org.ae, deal=org.deal)
    assert requests.allowed_actions(org.ae, request) == {"resubmit", "cancel"}
    assert requests.allowed_actions(org.se, request) == set()
    assert "override" in requests.allowed_actions(org.manager, request)
