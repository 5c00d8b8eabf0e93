"""Product gaps on a database: recording, linking deals (once), the workflow and who moves it,
and the ranking by impact with each deal counted once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from techwin.auth.audit import list_audit
from techwin.auth.enums import Role
from techwin.errors import Conflict, InvalidInput, InvalidState, PermissionDenied
from techwin.feedback import gaps, queries
from techwin.feedback.enums import GapStatus
from techwin.feedback.models import GapDeal, ProductGap
from techwin.feedback.schemas import GapIn, GapLinkIn, GapPatch, GapStatusIn
from techwin.pipeline import opportunities
from techwin.pipeline.schemas import MoveIn
from tests import factories


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_gap_needs_a_title_an_area_and_a_severity(session):
    se = factories.user(session, role=Role.SE)
    for data, field in (
        ({"product_area": "Reporting", "severity": "major"}, "title"),
        ({"title": "PDF exports", "severity": "major"}, "product_area"),
        ({"title": "PDF exports", "product_area": "Reporting"}, "severity"),
    ):
        with pytest.raises(InvalidInput) as refused:
            gaps.create_gap(session, actor=se, data=GapIn(**data))
        assert refused.value.field == field
    assert _count(session, ProductGap) == 0


def test_a_gap_links_to_a_deal_once(session):
    se = factories.user(session, role=Role.SE)
    deal = factories.opportunity(session, actor=None)
    gap = factories.gap(session, actor=se, deal_ids=[deal.id])
    with pytest.raises(Conflict) as twice:
        gaps.link_deal(session, actor=se, gap=gap, data=GapLinkIn(opportunity_id=deal.id))
    assert twice.value.field == "opportunity_id"
    assert "already linked" in twice.value.message
    with pytest.raises(Conflict) as listed_twice:
        factories.gap(session, actor=se, deal_ids=[deal.id, deal.id])
    assert listed_twice.value.field == "deal_ids"
    assert _count(session, GapDeal) == 1


def test_a_missing_deal_is_a_field_error(session):
    gap = factories.gap(session)
    with pytest.raises(InvalidInput) as refused:
        gaps.link_deal(session, actor=None, gap=gap, data=GapLinkIn(opportunity_id=999_999))
    assert refused.value.field == "opportunity_id"


def test_only_a_lost_deal_can_be_lost_to_a_gap(session):
    deal = factories.opportunity(session)
    gap = factories.gap(session)
    with pytest.raises(InvalidState) as refused:
        gaps.link_deal(
            session, actor=None, gap=gap, data=GapLinkIn(opportunity_id=deal.id, lost_because=True)
        )
    assert refused.value.field == "lost_because"
    assert _count(session, GapDeal) == 0
    factories.lose(session, actor=None, deal=deal)
    gaps.link_deal(session, actor=None, gap=gap, data=GapLinkIn(opportunity_id=deal.id))
    gaps.set_loss_reason(session, actor=None, gap=gap, opportunity_id=deal.id, lost=True)
    assert queries.gap_impact(session, gap.id).lost_deals == 1


@pytest.mark.parametrize("role", [Role.PM, Role.MANAGER, Role.ADMIN])
def test_pms_managers_and_admins_move_a_gap(session, role):
    person = factories.user(session, role=role)
    gap = factories.gap(session)
    gaps.change_status(
        session, actor=person, gap=gap, data=GapStatusIn(status="planned", version=gap.version)
    )
    assert gap.status is GapStatus.PLANNED
    events = list_audit(session, entity_type="product_gap", entity_id=gap.id)
    assert events[0].action == "gap.status"
    assert events[0].summary == "New → Planned"


@pytest.mark.parametrize("role", [Role.SE, Role.AE, Role.VIEWER])
def test_the_field_cannot_move_a_gap(session, role):
    person = factories.user(session, role=role)
    gap = factories.gap(session)
    with pytest.raises(PermissionDenied):
        gaps.change_status(session, actor=person, gap=gap, data=GapStatusIn(status="planned"))
    assert gap.status is GapStatus.NEW


def test_a_refused_move_changes_nothing(session):
    pm = factories.user(session, role=Role.PM)
    gap = factories.gap(session)
    with pytest.raises(InvalidState):
        gaps.change_status(session, actor=pm, gap=gap, data=GapStatusIn(status="shipped"))
    with pytest.raises(InvalidInput):
        gaps.change_status(session, actor=pm, gap=gap, data=GapStatusIn(status="wont_do"))
    assert gap.status is GapStatus.NEW
    assert gap.status_changed_at is None


def test_a_stale_edit_is_refused(session):
    se = factories.user(session, role=Role.SE)
    gap = factories.gap(session, actor=se)
    version = gap.version
    gaps.update_gap(session, actor=se, gap=gap, data=GapPatch(title="Better", version=version))
    with pytest.raises(Conflict):
        gaps.update_gap(session, actor=se, gap=gap, data=GapPatch(title="Worse", version=version))
    other_se = factories.user(session, role=Role.SE)
    with pytest.raises(PermissionDenied):
        gaps.update_gap(session, actor=other_se, gap=gap, data=GapPatch(title="Mine now"))
    assert gap.title == "Better"


def test_a_viewer_records_no_gaps(session):
    viewer = factories.user(session, role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        factories.gap(session, actor=viewer)


def test_the_ranking_counts_open_and_lost_acv_each_deal_once(session):
    open_a = factories.opportunity(session, acv="100000")
    open_b = factories.opportunity(session, acv="30000")
    lost = factories.opportunity(session, acv="250000")
    won = factories.opportunity(session, acv="500000")
    euro = factories.opportunity(session, acv="90000", currency="EUR")
    factories.lose(session, actor=None, deal=lost)
    manager = factories.user(session, role=Role.MANAGER)
    opportunities.move_opportunity(
        session,
        actor=manager,
        opportunity=won,
        data=MoveIn(stage="closed_won", override=True, reason="signed"),
    )
    sso = factories.gap(session, title="SSO", severity="deal_breaker", deal_ids=[open_a.id, won.id])
    gaps.link_deal(
        session, actor=None, gap=sso, data=GapLinkIn(opportunity_id=lost.id, lost_because=True)
    )
    pdf = factories.gap(session, title="PDF", deal_ids=[open_a.id, open_b.id, euro.id])
    factories.gap(session, title="Dark mode", severity="minor")
    ranking = queries.rank_gaps(session)
    assert ranking.currency == "USD"
    assert [r.gap.title for r in ranking.gaps] == ["SSO", "PDF", "Dark mode"]
    by_title = {r.gap.title: r.impact for r in ranking.gaps}
    assert by_title["SSO"].total("USD") == Decimal("350000")
    assert by_title["PDF"].total("USD") == Decimal("130000")
    assert by_title["PDF"].totals["EUR"] == Decimal("90000")
    # open_a is blocked by both gaps but held up once overall
    assert ranking.overall.total("USD") == Decimal("380000")
    assert ranking.overall.deals == 4
    in_euro = queries.rank_gaps(session, currency="EUR")
    assert in_euro.gaps[0].gap.title == "PDF"
    planned = queries.rank_gaps(session, filters=queries.GapFilter(statuses=(GapStatus.PLANNED,)))
    assert planned.gaps == []
    assert pdf.id in {r.gap.id for r in ranking.gaps}


def test_the_ranking_and_export_query_counts_do_not_grow(session, count_queries):
    def add(n):
        for _ in range(n):
            deal = factories.opportunity(session)
            factories.gap(session, deal_ids=[deal.id])

    add(2)
    with count_queries() as few:
        queries.rank_gaps(session)
        list(queries.export_rows(session))
    add(6)
    with count_queries() as many:
        assert len(queries.rank_gaps(session).gaps) == 8
        assert len(list(queries.export_rows(session))) == 8
    assert len(many) == len(few)
