"""The demo's two in a box: pods and charters, SE requests, calls with huddles and debriefs,
stakeholder maps, technical wins, POCs, competitors and product gaps — deterministic,
consistent with the rules the services enforce, and read by the services and pages as is."""

from __future__ import annotations

import functools
import itertools
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.collaboration import overview, reminders, request_flow
from techwin.collaboration.assignment import suggest
from techwin.collaboration.charter_rules import parse_thresholds
from techwin.collaboration.charters import acknowledgements, charter_out, list_current_charters
from techwin.collaboration.debriefs import debrief_out
from techwin.collaboration.enums import (
    MAJOR_KINDS,
    BuyingRole,
    MeetingKind,
    MeetingStatus,
    PainUncovered,
    PodSide,
    RequestKind,
    RequestStatus,
)
from techwin.collaboration.huddles import huddle_out
from techwin.collaboration.meetings import get_meeting, meeting_out
from techwin.collaboration.models import (
    Charter,
    CharterAcknowledgement,
    Debrief,
    Huddle,
    Meeting,
    Pod,
    PodMember,
    RequestEvent,
    SEProfile,
    SERequest,
    Stakeholder,
)
from techwin.collaboration.pods import team_coverage
from techwin.collaboration.requests import get_request, request_out
from techwin.collaboration.stakeholders import coverage, facts_of, list_stakeholders
from techwin.core.time import as_utc, start_of_day
from techwin.demo import DEMO_PASSWORD, empty_database, generate
from techwin.demo import generator as demo_generator
from techwin.demo.box_rows import COUNTED, TABLES
from techwin.demo.generator import ScaleSpec
from techwin.demo.two_in_a_box import write_two_in_a_box
from techwin.evaluation.enums import CriterionResult, PocOutcome, TechnicalWinStatus
from techwin.evaluation.models import (
    Competitor,
    DealCompetitor,
    Poc,
    SuccessCriterion,
    TechnicalWin,
)
from techwin.evaluation.pocs import get_poc, poc_out
from techwin.evaluation.queries import deal_evaluation, dq_rate, running_pocs
from techwin.evaluation.win_rules import DQ_HEALTHY_HIGH, DQ_HEALTHY_LOW
from techwin.feedback.enums import GapSeverity
from techwin.feedback.models import GapDeal, ProductGap
from techwin.feedback.queries import gap_deals, rank_gaps
from techwin.models import (
    AuditEvent,
    Contact,
    Opportunity,
    OpportunityContact,
    PipelineStage,
    StageChange,
)
from techwin.pipeline.models import opportunity_se
from tests.demo.conftest import TODAY
from tests.web.conftest import browser, quick_password_hashes  # noqa: F401 - fixtures

HORIZON = start_of_day(TODAY)
NOW = HORIZON + timedelta(hours=9, minutes=30)  # a morning in the demo's today
S = RequestStatus
# A medium-like organisation, small enough for the suite: three teams, about 300 deals.
MEDIUM_LIKE = ScaleSpec(contacts=6_000, accounts=480, managers=3, ses=9, aes=15)


def _rows(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    snapshot = {}
    for table in TABLES:
        rows = session.execute(select(table).order_by(*table.primary_key.columns))
        snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


def _stages(session: Session) -> dict[int, PipelineStage]:
    return {s.id: s for s in session.scalars(select(PipelineStage))}


def _deals(session: Session) -> dict[int, Opportunity]:
    return {d.id: d for d in session.scalars(select(Opportunity))}


def test_the_same_seed_and_day_give_the_same_records_whatever_the_chunk(session, monkeypatch):
    generate(session, scale="small", seed=42, today=TODAY)
    first = _rows(session)
    session.rollback()
    # Deals read back three at a time: the same rows.
    monkeypatch.setattr(
        demo_generator,
        "write_two_in_a_box",
        functools.partial(write_two_in_a_box, chunk_size=3),
    )
    summary = generate(session, scale="small", seed=42, today=TODAY)
    second = _rows(session)
    for name, rows in first.items():
        assert rows == second[name], f"{name} differs between two identical generations"
    for name in COUNTED:
        seeded = 1 if name == "charter" else 0  # the playbook's default charter
        assert summary.rows[name] == len(second[name]) - seeded, name
        assert summary.rows[name] > 0, name


def test_pods_pair_each_team_s_aes_with_its_ses_under_the_charters(session, demo):
    users = {u.id: u for u in session.scalars(select(User))}
    members = list(session.scalars(select(PodMember)))
    aes = [m.user_id for m in members if m.side is PodSide.AE]
    assert sorted(aes) == sorted(u.id for u in users.values() if u.role is Role.AE)
    pods = {p.id: p for p in session.scalars(select(Pod))}
    by_pod: dict[int, list[PodMember]] = defaultdict(list)
    for member in members:
        by_pod[member.pod_id].append(member)
        assert users[member.user_id].team_id == pods[member.pod_id].team_id
    for pod_members in by_pod.values():
        assert sum(m.side is PodSide.SE for m in pod_members) == 1
        assert 1 <= sum(m.side is PodSide.AE for m in pod_members) <= 2
    # Each deal's first engineer is its AE's pod SE (the history's pairing).
    pod_se = {
        ae.user_id: next(m.user_id for m in by_pod[ae.pod_id] if m.side is PodSide.SE)
        for ae in members
        if ae.side is PodSide.AE
    }
    engineers = defaultdict(set)
    for deal_id, user_id in session.execute(select(opportunity_se)):
        engineers[deal_id].add(user_id)
    for deal_id, owner_id in session.execute(select(Opportunity.id, Opportunity.owner_id)):
        assert pod_se[owner_id] in engineers[deal_id]
    profiles = list(session.scalars(select(SEProfile)))
    assert len(profiles) == sum(u.role is Role.SE for u in users.values())
    assert all(p.skills and p.territories and 20 <= p.weekly_capacity_hours <= 45 for p in profiles)
    for row in team_coverage(session):
        assert row.pods
        assert 1.0 <= row.ae_count / row.se_count <= 2.0
    # The default, a team's own charter (a second revision, stricter) and a pod's override.
    charters = list_current_charters(session)
    scopes = Counter("pod" if c.pod_id else "team" if c.team_id else "default" for c in charters)
    assert scopes == {"default": 1, "team": 1, "pod": 1}
    for charter in session.scalars(select(Charter)):
        parse_thresholds(charter.thresholds)
        assert as_utc(charter.created_at) < HORIZON
    team = next(c for c in charters if c.team_id)
    assert team.revision == 2
    assert "notice" in {t["kind"] for t in team.thresholds}
    pending = [a for c in charters for a in acknowledgements(session, c) if a.at is None]
    acknowledged = [a for c in charters for a in acknowledgements(session, c) if a.at]
    assert pending
    assert len(acknowledged) > 2 * len(pending)
    for ack in session.scalars(select(CharterAcknowledgement)):
        charter = session.get(Charter, ack.charter_id)
        assert charter is not None
        assert as_utc(charter.created_at) <= as_utc(ack.at) <= HORIZON


def test_every_deal_past_the_poc_stage_has_a_poc_its_customer_signed_off(session, demo):
    stages = _stages(session)
    poc_stage = next(s.id for s in stages.values() if s.key == "proof_of_concept")
    pocs: dict[int, list[Poc]] = defaultdict(list)
    for poc in session.scalars(select(Poc)):
        pocs[poc.opportunity_id].append(poc)
    moved_on = session.execute(
        select(StageChange.opportunity_id, StageChange.to_stage_id, StageChange.at).where(
            StageChange.from_stage_id == poc_stage
        )
    ).all()
    past = [
        (deal_id, at)
        for deal_id, to, at in moved_on
        if stages[to].is_won or not stages[to].is_closed
    ]
    assert past
    for deal_id, at in past:
        signed = [p for p in pocs[deal_id] if p.signed_off_by and p.signed_off_on]
        assert signed, f"deal {deal_id} left the POC stage without a signed-off POC"
        assert all(p.signed_off_on <= as_utc(at).date() for p in signed)
        assert all(p.outcome in (PocOutcome.PASSED, PocOutcome.PARTIAL) for p in signed)
    deals = _deals(session)
    for deal_id, found in pocs.items():
        deal = deals[deal_id]
        for poc in found:
            assert poc.start_date <= poc.end_date
            if poc.concluded_on is not None:
                assert poc.start_date <= poc.concluded_on <= TODAY
            if poc.signed_off_on is not None:
                assert poc.outcome not in (None, PocOutcome.ABANDONED)
                assert poc.concluded_on <= poc.signed_off_on <= TODAY
            if stages[deal.stage_id].key == "proof_of_concept":
                assert poc.outcome is None  # still running (or about to start)
            if poc.outcome is PocOutcome.FAILED:
                assert poc.signed_off_by is None
    criteria = list(session.scalars(select(SuccessCriterion)))
    assert criteria
    for criterion in criteria:
        assert criterion.description.strip()
        assert criterion.target.strip()
        tested = criterion.result is not CriterionResult.PENDING
        assert tested == bool(criterion.evidence) == (criterion.result_at is not None)
    by_poc = defaultdict(list)
    for criterion in criteria:
        by_poc[criterion.poc_id].append(criterion.result)
    for poc in session.scalars(select(Poc).where(Poc.outcome == PocOutcome.PASSED)):
        assert by_poc[poc.id]
        assert set(by_poc[poc.id]) == {CriterionResult.MET}


def test_technical_wins_agree_with_how_deals_ended(session, demo):
    stages = _stages(session)
    deals = _deals(session)
    wins = list(session.scalars(select(TechnicalWin)))
    assert wins
    for win in wins:
        deal = deals[win.opportunity_id]
        stage = stages[deal.stage_id]
        if stage.is_won:
            assert win.status is TechnicalWinStatus.WON
        if win.status is TechnicalWinStatus.NO_GO:
            assert win.no_go_reason is not None
        if win.status.is_decided:
            assert win.decided_at is not None
            assert win.decided_by_id is not None
            assert as_utc(win.decided_at) <= HORIZON
            if deal.closed_at is not None:
                assert as_utc(win.decided_at) <= as_utc(deal.closed_at)
        if win.status is TechnicalWinStatus.WON:
            assert not any(
                p.outcome is None
                for p in session.scalars(select(Poc).where(Poc.opportunity_id == deal.id))
            )
    assert {w.status for w in wins} >= {TechnicalWinStatus.WON, TechnicalWinStatus.IN_PROGRESS}


def test_requests_follow_the_status_flow_inside_their_deal_s_life(session, demo):
    deals = _deals(session)
    events: dict[int, list[RequestEvent]] = defaultdict(list)
    for event in session.scalars(select(RequestEvent).order_by(RequestEvent.at, RequestEvent.id)):
        events[event.request_id].append(event)
    requests = list(session.scalars(select(SERequest)))
    assert requests
    for request in requests:
        trail = events[request.id]
        deal = deals[request.opportunity_id]
        assert trail[0].from_status is None
        assert trail[0].to_status is S.SUBMITTED
        for before, after in itertools.pairwise(trail):
            assert after.from_status is before.to_status
            assert request_flow.can_move(before.to_status, after.to_status)
        assert request.status is trail[-1].to_status
        assert as_utc(request.status_changed_at) == as_utc(trail[-1].at)
        assert request.version == len(trail)
        assert as_utc(deal.created_at) <= as_utc(trail[0].at)
        assert as_utc(trail[-1].at) <= HORIZON
        if deal.closed_at is not None:
            assert as_utc(trail[-1].at) <= as_utc(deal.closed_at)
            assert request.status in request_flow.TERMINAL
        assert request.needed_by >= as_utc(trail[0].at).date()
        assert (request.override_reason is not None) == any(
            (e.note or "").startswith("charter overridden") for e in trail
        )
        if request.status is S.BLOCKED:
            assert request.unmet
            assert all(not v["met"] for v in request.unmet)
        if request.status is S.DECLINED:
            assert request.decline_reason
            assert request.assignee_id is not None
        request_out(get_request(session, request.id))  # the API shape accepts it


def test_calls_have_their_people_huddles_before_and_debriefs_after(session, demo):
    deals = _deals(session)
    meetings = {m.id: m for m in session.scalars(select(Meeting))}
    assert meetings
    for meeting in meetings.values():
        deal = deals[meeting.opportunity_id]
        start = as_utc(meeting.starts_at)
        assert as_utc(meeting.created_at) <= start
        assert as_utc(deal.created_at) <= start
        if deal.closed_at is not None and meeting.status is not MeetingStatus.CANCELLED:
            assert start <= as_utc(deal.closed_at)
        if meeting.status is MeetingStatus.HELD:
            assert start <= HORIZON
            assert meeting.held_at is not None
        assert meeting.is_major == (meeting.kind in MAJOR_KINDS)
        loaded = get_meeting(session, meeting.id)
        assert deal.owner_id in {u.id for u in loaded.attendees}
        meeting_out(loaded)
    huddles = list(session.scalars(select(Huddle)))
    debriefs = list(session.scalars(select(Debrief)))
    assert huddles
    assert debriefs
    for huddle in huddles:
        meeting = meetings[huddle.meeting_id]
        assert meeting.is_major
        assert as_utc(huddle.held_at) <= min(as_utc(meeting.starts_at), HORIZON)
        assert huddle.commercial_owner_id == deals[meeting.opportunity_id].owner_id
        huddle_out(huddle)
    for debrief in debriefs:
        meeting = meetings[debrief.meeting_id]
        ended = as_utc(meeting.starts_at) + timedelta(minutes=meeting.duration_minutes)
        assert meeting.status is MeetingStatus.HELD
        assert ended <= as_utc(debrief.created_at) <= HORIZON
        if debrief.next_step_date is not None:
            assert debrief.next_step
            assert debrief.next_step_date >= meeting.starts_at.date()
        debrief_out(debrief)
    # Requests served by a call: scheduled once it is planned, done once it was held.
    for meeting in meetings.values():
        if meeting.request_id is None:
            continue
        request = session.get(SERequest, meeting.request_id)
        assert request is not None
        if meeting.status is MeetingStatus.HELD:
            assert request.status is S.DONE
        if meeting.status is MeetingStatus.PLANNED:
            assert request.status is S.SCHEDULED


def test_stakeholders_competitors_and_gaps_hang_together(session, demo):
    deals = _deals(session)
    stages = _stages(session)
    linked = set(
        session.execute(select(OpportunityContact.opportunity_id, OpportunityContact.contact_id))
    )
    stakeholders = list(session.scalars(select(Stakeholder)))
    assert stakeholders
    for stakeholder in stakeholders:
        assert (stakeholder.opportunity_id, stakeholder.contact_id) in linked
    for deal_id in {s.opportunity_id for s in stakeholders}:
        for person in list_stakeholders(session, deal_id):
            assert person.contact.account_id == deals[deal_id].account_id
    assert all(any(s.opportunity_id == d for s in stakeholders) for d in deals)
    names = {c.id: c.name for c in session.scalars(select(Competitor))}
    assert names
    assert not any(n.startswith(("an ", "the ")) for n in names.values())
    for link in session.scalars(select(DealCompetitor)):
        assert names[link.competitor_id] in (deals[link.opportunity_id].competitors or "")
    links = session.execute(
        select(GapDeal.gap_id, GapDeal.opportunity_id, GapDeal.lost_because)
    ).all()
    assert len({(g, d) for g, d, _lost in links}) == len(links)
    for _gap, deal_id, lost in links:
        stage = stages[deals[deal_id].stage_id]
        if lost:
            assert stage.is_closed
            assert not stage.is_won
    assert 10 <= session.scalar(select(func.count(ProductGap.id))) <= 25


def test_a_medium_like_organisation_gives_every_page_its_story(session):
    """Blocked and overridden requests, reminders due today, pods that differ in discipline,
    gaps ranked by the revenue they hold up, POCs running, a DQ rate in the healthy band."""
    generate(session, scale="medium", spec=MEDIUM_LIKE, seed=42, today=TODAY)
    session.flush()
    trails = session.execute(select(RequestEvent.to_status, RequestEvent.note)).all()
    assert any(to is S.BLOCKED for to, _note in trails)
    assert any((note or "").startswith("charter overridden") for _to, note in trails)
    statuses = Counter(session.scalars(select(SERequest.status)))
    assert statuses[S.DECLINED]
    assert statuses[S.CANCELLED]
    assert statuses[S.DONE]
    assert all(statuses[s] for s in (S.BLOCKED, S.ACCEPTED, S.ASSIGNED, S.SCHEDULED)), statuses
    overrides = session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "se_request.override")
    )
    assert overrides == sum(1 for _to, note in trails if (note or "").startswith("charter over"))
    # Today's reminders, through the service.
    ses = list(session.scalars(select(User).where(User.role == Role.SE).order_by(User.id)))
    kinds: Counter[str] = Counter()
    for se in ses:
        found, _calls = reminders.reminders_for(session, user=se, now=NOW)
        kinds.update(r.kind for r in found)
    assert kinds["huddle_missing"] > 0
    assert kinds["debrief_owed"] > 0
    # Each pod's discipline over the last quarter, differing between pods.
    figures = reminders.discipline(session, start=NOW - timedelta(days=90), end=NOW, now=NOW)
    rates = [f.huddle_rate for f in figures if f.major_calls >= 5]
    assert len(rates) >= 3
    assert len({round(r or 0, 2) for r in rates}) >= 3
    assert all(0.3 <= (r or 0) <= 1.0 for r in rates)
    # An SE's day, and the manager's queue.
    day = overview.my_day(session, user=ses[0], now=NOW)
    assert day.upcoming
    assert day.reminders
    manager = session.scalar(select(User).where(User.email == "manager1@demo.techwin.dev"))
    assert manager is not None
    queue = overview.my_day(session, user=manager, now=NOW).queue
    assert queue
    assert {r.status for r in queue} <= {S.BLOCKED, S.ACCEPTED}
    assert suggest(session, actor=manager, request=queue[0], now=NOW)
    # Gaps ranked by the revenue they hold up.
    ranking = rank_gaps(session)
    impacts = [g.impact.total(ranking.currency) for g in ranking.gaps]
    assert sum(1 for amount in impacts if amount > 0) >= 8
    assert impacts == sorted(impacts, reverse=True)
    assert gap_deals(session, ranking.gaps[0].gap.id)
    # POCs running on open deals, some past 60 days; the DQ rate inside the healthy band.
    running = [p for se in ses for p in running_pocs(session, se_id=se.id, today=TODAY)]
    assert running
    assert any(p.long_running for p in running)
    rate = dq_rate(session, start=TODAY - timedelta(days=365), end=TODAY)
    assert rate.rate is not None
    assert DQ_HEALTHY_LOW <= rate.rate <= DQ_HEALTHY_HIGH
    # Won deals are better threaded than lost ones.
    stages = _stages(session)
    threads: dict[str, list[int]] = defaultdict(list)
    for deal in session.scalars(select(Opportunity).where(Opportunity.closed_at.is_not(None))):
        cover = coverage(facts_of(list_stakeholders(session, deal.id)))
        threads["won" if stages[deal.stage_id].is_won else "lost"].append(cover.engaged_people)
    assert sum(threads["won"]) / len(threads["won"]) > sum(threads["lost"]) / len(threads["lost"])


def test_the_services_and_pages_read_the_demo_as_is(session, demo, request):
    session.commit()
    manager = session.scalar(select(User).where(User.email == "manager1@demo.techwin.dev"))
    se = session.scalar(select(User).where(User.email == "se1@demo.techwin.dev"))
    assert manager is not None
    assert se is not None
    for charter in list_current_charters(session):
        charter_out(charter, acknowledgements(session, charter))
    poc = session.scalar(select(Poc).order_by(Poc.id))
    assert poc is not None
    poc_out(get_poc(session, poc.id), today=TODAY)
    deal_evaluation(session, poc.opportunity_id)
    ever_blocked = select(RequestEvent.request_id).where(RequestEvent.to_status == S.BLOCKED)
    blocked = session.scalar(select(SERequest.id).where(SERequest.id.in_(ever_blocked)))
    meeting = session.scalar(select(Meeting.id).join(Huddle).join(Debrief).order_by(Meeting.id))
    gap = session.scalar(select(GapDeal.gap_id).order_by(GapDeal.gap_id))
    team_charter = session.scalar(select(Charter.id).where(Charter.team_id.is_not(None)))
    web = request.getfixturevalue("browser")
    assert web.login(manager, password=DEMO_PASSWORD).status_code == 303
    pages = [
        "/my-day",
        "/requests",
        "/pods",
        "/pods/discipline",
        "/gaps",
        f"/gaps/{gap}",
        f"/charters/{team_charter}",
        f"/meetings/{meeting}",
        f"/opportunities/{poc.opportunity_id}",
        f"/opportunities/{poc.opportunity_id}/pocs/{poc.id}",
    ]
    if blocked is not None:
        pages.append(f"/requests/{blocked}")
    for url in pages:
        page = web.get(url)
        assert page.status_code == 200, url
    web.client.cookies.clear()
    assert web.login(se, password=DEMO_PASSWORD).status_code == 303
    assert web.get("/my-day").status_code == 200


def test_records_added_after_the_demo_get_fresh_ids(session, demo):
    """Every new table takes an ORM insert after the demo: on PostgreSQL the sequences were
    moved past the ids the demo wrote itself."""
    deal = session.scalar(
        select(Opportunity)
        .where(~Opportunity.id.in_(select(TechnicalWin.opportunity_id)))
        .order_by(Opportunity.id)
    )
    assert deal is not None
    owner = session.get(User, deal.owner_id)
    assert owner is not None
    contact = Contact(first_name="Later", last_name="Person", account_id=deal.account_id)
    pod = Pod(name="A pod added later", team_id=owner.team_id)
    charter = Charter(
        name="Later", rescue_phrase="Zoom out", team_id=owner.team_id, is_current=False
    )
    gap = ProductGap(title="A later gap", product_area="Platform", severity=GapSeverity.MINOR)
    competitor = Competitor(name="Later Vendor", name_key="later vendor")
    request = SERequest(opportunity_id=deal.id, kind=RequestKind.WORKSHOP, needed_by=TODAY)
    meeting = Meeting(
        opportunity_id=deal.id, kind=MeetingKind.DEMO, title="Later call", starts_at=NOW
    )
    poc = Poc(opportunity_id=deal.id, title="Later", scope="x", start_date=TODAY, end_date=TODAY)
    session.add_all([contact, pod, charter, gap, competitor, request, meeting, poc])
    session.flush()
    later = [
        Stakeholder(opportunity_id=deal.id, contact_id=contact.id, role=BuyingRole.USER),
        RequestEvent(request_id=request.id, to_status=S.SUBMITTED),
        Huddle(meeting_id=meeting.id, held_at=NOW, objective="x", call_to_action="y"),
        Debrief(meeting_id=meeting.id, pain_uncovered=PainUncovered.YES),
        TechnicalWin(opportunity_id=deal.id),
        SuccessCriterion(poc_id=poc.id, description="d", target="t"),
        AuditEvent(action="test", entity_type="pod", entity_id=pod.id),
    ]
    session.add_all(later)
    session.flush()
    for record in (pod, charter, gap, competitor, request, meeting, poc, *later):
        table = type(record).__table__
        assert isinstance(table, Table)
        highest = session.scalar(select(func.max(table.c.id)))
        assert record.id == highest, table.name  # type: ignore[attr-defined]


def test_a_reset_empties_every_new_table(session, demo):
    empty_database(session)
    for table in TABLES:
        if table.name == "audit_event":
            continue  # the playbook's seeding records its own
        left = session.scalar(select(func.count()).select_from(table))
        assert left == (1 if table.name == "charter" else 0), table.name  # the seeded default
    overrides = select(AuditEvent.id).where(AuditEvent.action == "se_request.override")
    assert session.scalar(overrides) is None
