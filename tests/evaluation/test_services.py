"""The evaluation services on a database: technical win, no-go, POCs, competitors, running POCs
and the DQ rate. Every refusal leaves the stored records as they were."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from techwin.auth.audit import list_audit
from techwin.auth.enums import Role
from techwin.core.time import utcnow
from techwin.errors import Conflict, InvalidInput, InvalidState, PermissionDenied
from techwin.evaluation import competitors, pocs, queries, technical_win
from techwin.evaluation.enums import CriterionResult, NoGoReason, PocOutcome, TechnicalWinStatus
from techwin.evaluation.models import Poc, TechnicalWin
from techwin.evaluation.schemas import (
    CompetitorIn,
    CriterionIn,
    NoGoIn,
    OutcomeIn,
    PocIn,
    PocPatch,
    ResultIn,
    SignOffIn,
    TechnicalWinIn,
)
from tests import factories

TODAY = utcnow().date()


@pytest.fixture
def team(session):
    se = factories.user(session, role=Role.SE)
    ae = factories.user(session, role=Role.AE)
    deal = factories.opportunity(session, actor=ae, se_ids=[se.id], acv="90000")
    return se, ae, deal


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_poc_starts_the_technical_evaluation(session, team):
    se, _ae, deal = team
    assert technical_win.get_technical_win(session, deal.id) is None
    poc = factories.poc(session, actor=se, deal=deal)
    win = technical_win.get_technical_win(session, deal.id)
    assert win is not None
    assert win.status is TechnicalWinStatus.IN_PROGRESS
    assert [c.description for c in poc.criteria] == ["Dashboard load time"]
    actions = [e.action for e in list_audit(session, entity_type="opportunity", entity_id=deal.id)]
    assert "win.status" in actions


def test_a_poc_ending_before_it_starts_stores_nothing(session, team):
    se, _ae, deal = team
    with pytest.raises(InvalidInput) as refused:
        pocs.create_poc(
            session,
            actor=se,
            opportunity=deal,
            data=PocIn(
                title="Backwards",
                scope="x",
                start_date=TODAY,
                end_date=TODAY - timedelta(days=1),
            ),
        )
    assert refused.value.field == "end_date"
    assert _count(session, Poc) == 0
    assert technical_win.get_technical_win(session, deal.id) is None


def test_a_criterion_without_a_target_names_its_row_and_stores_nothing(session, team):
    se, _ae, deal = team
    data = PocIn(
        title="Two criteria",
        scope="x",
        start_date=TODAY,
        end_date=TODAY + timedelta(days=10),
        criteria=[
            CriterionIn(description="Latency", target="p95 under 200 ms"),
            CriterionIn(description="Throughput", target=None),
        ],
    )
    with pytest.raises(InvalidInput) as refused:
        pocs.create_poc(session, actor=se, opportunity=deal, data=data)
    assert refused.value.field == "criteria.1.target"
    assert _count(session, Poc) == 0


def test_one_open_poc_per_deal(session, team):
    se, _ae, deal = team
    first = factories.poc(session, actor=se, deal=deal, title="First")
    with pytest.raises(InvalidState, match="'First' on this deal is still open"):
        factories.poc(session, actor=se, deal=deal)
    pocs.record_outcome(session, actor=se, poc=first, data=OutcomeIn(outcome=PocOutcome.ABANDONED))
    factories.poc(session, actor=se, deal=deal, title="Second")


def test_the_full_poc_journey_then_the_technical_win(session, team):
    se, _ae, deal = team
    poc = factories.poc(
        session,
        actor=se,
        deal=deal,
        criteria=[("Latency", "p95 under 200 ms"), ("SSO", "all pilot users sign in")],
    )
    first, second = poc.criteria
    with pytest.raises(InvalidInput) as no_evidence:
        pocs.record_result(
            session,
            actor=se,
            poc=poc,
            criterion_id=first.id,
            data=ResultIn(result=CriterionResult.MET),
        )
    assert no_evidence.value.field == "evidence"
    assert first.result is CriterionResult.PENDING
    pocs.record_result(
        session,
        actor=se,
        poc=poc,
        criterion_id=first.id,
        data=ResultIn(result=CriterionResult.MET, evidence="p95 140 ms", version=first.version),
    )
    with pytest.raises(InvalidState, match="1 success criterion has no result yet"):
        pocs.record_outcome(session, actor=se, poc=poc, data=OutcomeIn(outcome="partial"))
    with pytest.raises(InvalidState, match="record the outcome of the POC"):
        technical_win.set_technical_win(
            session, actor=se, opportunity=deal, data=TechnicalWinIn(status="won")
        )
    pocs.record_result(
        session,
        actor=se,
        poc=poc,
        criterion_id=second.id,
        data=ResultIn(result=CriterionResult.PARTIALLY_MET, evidence="Okta yes, ADFS next week"),
    )
    assert pocs.poc_out(poc).suggested_outcome is PocOutcome.PARTIAL
    pocs.record_outcome(
        session, actor=se, poc=poc, data=OutcomeIn(outcome="partial", version=poc.version)
    )
    pocs.sign_off(session, actor=se, poc=poc, data=SignOffIn(signed_off_by="Dana Ruiz, CTO"))
    assert poc.signed_off_on == TODAY
    win = technical_win.set_technical_win(
        session, actor=se, opportunity=deal, data=TechnicalWinIn(status="won")
    )
    assert win.status is TechnicalWinStatus.WON
    assert win.decided_by_id == se.id
    with pytest.raises(InvalidState):
        pocs.add_criterion(
            session, actor=se, poc=poc, data=CriterionIn(description="Late", target="x")
        )


def test_a_stale_version_is_refused(session, team):
    se, _ae, deal = team
    poc = factories.poc(session, actor=se, deal=deal)
    stale = poc.version
    pocs.update_poc(session, actor=se, poc=poc, data=PocPatch(title="Renamed", version=stale))
    with pytest.raises(Conflict) as refused:
        pocs.update_poc(session, actor=se, poc=poc, data=PocPatch(title="Again", version=stale))
    assert refused.value.field == "version"
    assert poc.title == "Renamed"


def test_a_no_go_ends_open_pocs_and_needs_a_code(session, team):
    se, _ae, deal = team
    poc = factories.poc(session, actor=se, deal=deal)
    with pytest.raises(InvalidInput) as refused:
        technical_win.declare_no_go(session, actor=se, opportunity=deal, data=NoGoIn())
    assert refused.value.field == "no_go_reason"
    assert poc.outcome is None
    win = technical_win.declare_no_go(
        session,
        actor=se,
        opportunity=deal,
        data=NoGoIn(no_go_reason=NoGoReason.POOR_TECHNICAL_FIT, reason="Needs on-prem"),
    )
    session.refresh(poc)
    assert win.status is TechnicalWinStatus.NO_GO
    assert poc.outcome is PocOutcome.ABANDONED
    assert "Poor technical fit" in (poc.outcome_notes or "")
    assert queries.running_pocs(session, se_id=se.id) == []
    with pytest.raises(InvalidState, match="re-open it before planning a POC"):
        factories.poc(session, actor=se, deal=deal)


@pytest.mark.parametrize("role", [Role.AE, Role.PM, Role.VIEWER])
def test_only_the_deals_ses_and_managers_declare_a_no_go(session, team, role):
    _se, ae, deal = team
    outsider = ae if role is Role.AE else factories.user(session, role=role)
    with pytest.raises(PermissionDenied):
        technical_win.declare_no_go(
            session, actor=outsider, opportunity=deal, data=NoGoIn(no_go_reason="no_budget")
        )
    assert _count(session, TechnicalWin) == 0


def test_an_se_not_on_the_deal_cannot_but_a_manager_can(session, team):
    _se, _ae, deal = team
    stranger = factories.user(session, role=Role.SE)
    with pytest.raises(PermissionDenied):
        technical_win.declare_no_go(
            session, actor=stranger, opportunity=deal, data=NoGoIn(no_go_reason="no_budget")
        )
    manager = factories.user(session, role=Role.MANAGER)
    win = technical_win.declare_no_go(
        session, actor=manager, opportunity=deal, data=NoGoIn(no_go_reason="no_budget")
    )
    assert win.status is TechnicalWinStatus.NO_GO


def test_reopening_a_decision_needs_a_reason(session, team):
    se, _ae, deal = team
    technical_win.declare_no_go(
        session, actor=se, opportunity=deal, data=NoGoIn(no_go_reason="no_budget")
    )
    with pytest.raises(InvalidInput, match="re-opening"):
        technical_win.set_technical_win(
            session, actor=se, opportunity=deal, data=TechnicalWinIn(status="in_progress")
        )
    win = technical_win.set_technical_win(
        session,
        actor=se,
        opportunity=deal,
        data=TechnicalWinIn(status="in_progress", reason="Budget approved after all"),
    )
    assert win.status is TechnicalWinStatus.IN_PROGRESS
    assert win.no_go_reason is None
    assert win.decided_at is None


def test_the_dq_rate_counts_no_gos_among_decided_deals(session):
    se = factories.user(session, role=Role.SE)
    other = factories.user(session, role=Role.SE)
    deals = [factories.opportunity(session, se_ids=[se.id]) for _ in range(4)]
    elsewhere = factories.opportunity(session, se_ids=[other.id])
    technical_win.declare_no_go(
        session, actor=se, opportunity=deals[0], data=NoGoIn(no_go_reason="no_budget")
    )
    for deal in deals[1:3]:
        technical_win.set_technical_win(
            session, actor=se, opportunity=deal, data=TechnicalWinIn(status="won")
        )
    technical_win.set_technical_win(
        session, actor=se, opportunity=deals[3], data=TechnicalWinIn(status="in_progress")
    )
    technical_win.declare_no_go(
        session, actor=other, opportunity=elsewhere, data=NoGoIn(no_go_reason="no_budget")
    )
    mine = queries.dq_rate(session, start=TODAY, end=TODAY, se_id=se.id)
    assert (mine.decided, mine.no_go) == (3, 1)
    assert mine.rate == pytest.approx(1 / 3)
    assert mine.band == "high"
    assert mine.by_reason == {"no_budget": 1}
    everyone = queries.dq_rate(session, start=TODAY, end=TODAY)
    assert (everyone.decided, everyone.no_go) == (4, 2)
    earlier = queries.dq_rate(
        session, start=TODAY - timedelta(days=9), end=TODAY - timedelta(days=1)
    )
    assert earlier.decided == 0
    assert earlier.band == "none"


def test_running_pocs_of_an_se_with_days_left_and_flags(session):
    se = factories.user(session, role=Role.SE)
    deal_a = factories.opportunity(session, se_ids=[se.id], name="Alpha")
    deal_b = factories.opportunity(session, se_ids=[se.id], name="Beta")
    deal_c = factories.opportunity(session, se_ids=[se.id], name="Gamma")
    not_mine = factories.opportunity(session)
    factories.poc(session, actor=None, deal=deal_a, start_days_ago=70, length_days=65)
    factories.poc(session, actor=None, deal=deal_b, start_days_ago=3, length_days=20, criteria=[])
    factories.poc(session, actor=None, deal=deal_c, start_days_ago=-5, length_days=20)
    factories.poc(session, actor=None, deal=not_mine)
    running = queries.running_pocs(session, se_id=se.id)
    assert [p.deal_name for p in running] == ["Alpha", "Beta"]  # Gamma has not started
    alpha, beta = running
    assert alpha.overdue
    assert alpha.days_left == -5
    assert alpha.long_running
    assert (beta.day_number, beta.days_left, beta.criteria_total) == (4, 17, 0)
    assert not beta.long_running


def test_running_pocs_query_count_does_not_grow(session, count_queries):
    se = factories.user(session, role=Role.SE)
    for _ in range(2):
        factories.poc(session, actor=None, deal=factories.opportunity(session, se_ids=[se.id]))
    with count_queries() as few:
        queries.running_pocs(session, se_id=se.id)
    for _ in range(5):
        factories.poc(session, actor=None, deal=factories.opportunity(session, se_ids=[se.id]))
    with count_queries() as many:
        assert len(queries.running_pocs(session, se_id=se.id)) == 7
    assert len(many) == len(few)


def test_competitors_are_records_once_per_name_and_once_per_deal(session, team):
    se, _ae, deal = team
    link = competitors.add_competitor(
        session, actor=se, opportunity=deal, data=CompetitorIn(name="  Acmeflow ", incumbent=True)
    )
    assert link.competitor.name == "Acmeflow"
    with pytest.raises(Conflict) as twice:
        competitors.add_competitor(
            session, actor=se, opportunity=deal, data=CompetitorIn(name="ACMEFLOW")
        )
    assert twice.value.field == "name"
    other = factories.opportunity(session, se_ids=[se.id])
    again = competitors.add_competitor(
        session, actor=se, opportunity=other, data=CompetitorIn(name="acmeflow")
    )
    assert again.competitor_id == link.competitor_id
    assert [c.deals for c in competitors.catalogue(session)] == [2]
    competitors.remove_competitor(
        session, actor=se, opportunity=deal, competitor_id=link.competitor_id
    )
    assert competitors.deal_competitors(session, deal.id) == []


def test_a_viewer_cannot_add_competitors(session, team):
    _se, _ae, deal = team
    viewer = factories.user(session, role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        competitors.add_competitor(
            session, actor=viewer, opportunity=deal, data=CompetitorIn(name="Stackly")
        )


def test_the_free_text_field_suggests_competitors_not_yet_recorded():
    names = competitors.suggest_names("Acmeflow, Stackly and in-house build; n/a", ["stackly"])
    assert names == ["Acmeflow", "in-house build"]
    assert competitors.suggest_names(None, []) == []


def test_the_deals_ae_sees_its_running_poc_too(session, team):
    se, ae, deal = team
    factories.poc(session, actor=se, deal=deal, title="Latency POC", start_days_ago=2)
    assert [p.title for p in queries.running_pocs(session, se_id=ae.id)] == ["Latency POC"]
    assert [p.title for p in queries.running_pocs(session, se_id=se.id)] == ["Latency POC"]
    stranger = factories.user(session, role=Role.AE)
    assert queries.running_pocs(session, se_id=stranger.id) == []
