"""Product gaps in the web UI: the ranked page with its chart and export, the gap page's
workflow by role, the gap form, linking from a deal, and refusals beside their input."""

from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.feedback.enums import GapStatus
from techwin.feedback.models import GapDeal, ProductGap
from tests import factories


def _count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _lost_deal(session, **kwargs):
    deal = factories.opportunity(session, **kwargs)
    factories.lose(session, actor=None, deal=deal)
    return deal


def test_the_gaps_page_ranks_by_impact_with_a_chart(signed_in, session):
    browser = signed_in(Role.PM)
    lost = _lost_deal(session, acv="400000", name="Lost to SSO")
    open_deal = factories.opportunity(session, acv="50000")
    factories.gap(session, title="Scheduled PDF exports", deal_ids=[open_deal.id])
    factories.gap(
        session, title="No SSO", severity="deal_breaker", deal_ids=[lost.id], lost_because=True
    )
    factories.gap(session, title="Dark mode", severity="minor")
    session.commit()
    page = browser.get("/gaps").text
    ranks = re.findall(r'data-rank="(\d+)"', page)
    titles = re.findall(r'class="row-link strong" href="/gaps/\d+">([^<]+)<', page)
    assert titles == ["No SSO", "Scheduled PDF exports", "Dark mode"]
    assert ranks == ["1", "2", "3"]
    assert "USD 450,000" in page  # held up: both deals, once each
    chart = json.loads(re.search(r'id="gap-chart-data">(.*?)</script>', page, re.S).group(1))
    assert chart["labels"] == ["1. No SSO", "2. Scheduled PDF exports"]
    assert chart["datasets"][1]["data"] == [400000.0, 0.0]
    fragment = browser.htmx("GET", "/gaps", "gap-report", {"severity": "minor"})
    assert "<html" not in fragment.text
    assert "Dark mode" in fragment.text
    assert "No SSO" not in fragment.text


def test_the_export_is_what_the_page_shows(signed_in, session):
    browser = signed_in(Role.PM)
    factories.gap(session, title="Planned one")
    other = factories.gap(session, title="Still new")
    session.commit()
    from techwin.feedback import gaps
    from techwin.feedback.schemas import GapStatusIn

    planned = session.scalar(select(ProductGap).where(ProductGap.title == "Planned one"))
    gaps.change_status(session, actor=None, gap=planned, data=GapStatusIn(status="planned"))
    session.commit()
    response = browser.get("/gaps/export?status=planned")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["title"] for r in rows] == ["Planned one"]
    assert other.title not in response.text
    assert browser.get("/gaps/export?currency=XYZ").status_code == 422


def test_a_pm_moves_a_gap_and_an_se_cannot(signed_in, session, make_user):
    gap = factories.gap(session, title="Row-level security")
    session.commit()
    se_browser = signed_in(Role.SE)
    page = se_browser.get(f"/gaps/{gap.id}").text
    assert "Product managers, managers and admins move gaps" in page
    refused = se_browser.post(
        f"/gaps/{gap.id}/status", {"status": "planned", "reason": "", "version": "1"}
    )
    assert refused.status_code == 403
    assert _count(session, ProductGap) == 1
    session.expire_all()
    assert session.get(ProductGap, gap.id).status is GapStatus.NEW


def test_the_workflow_on_the_gap_page(signed_in, session):
    browser = signed_in(Role.PM)
    gap = factories.gap(session, title="Row-level security")
    session.commit()
    page = browser.get(f"/gaps/{gap.id}").text
    assert 'value="planned">Plan it</button>' in page
    declined = browser.post(
        f"/gaps/{gap.id}/status", {"status": "wont_do", "reason": "", "version": "1"}
    )
    assert declined.status_code == 422
    assert 'id="f-reason-error"' in declined.text
    assert "declining a gap needs a reason" in declined.text
    moved = browser.post(
        f"/gaps/{gap.id}/status", {"status": "planned", "reason": "", "version": "1"}
    )
    assert moved.status_code == 303
    session.expire_all()
    assert session.get(ProductGap, gap.id).status is GapStatus.PLANNED
    after = browser.get(f"/gaps/{gap.id}").text
    assert "Status: New → Planned" in after
    stale = browser.post(
        f"/gaps/{gap.id}/status", {"status": "shipped", "reason": "", "version": "1"}
    )
    assert stale.status_code == 409
    assert "changed by someone else" in stale.text


def test_the_gap_form_keeps_input_and_names_the_field(signed_in, session):
    browser = signed_in(Role.SE)
    deal = factories.opportunity(session, name="Globex platform")
    session.commit()
    form = browser.get(f"/gaps/new?deal_id={deal.id}").text
    assert f'<option value="{deal.id}" selected>Globex platform' in form
    refused = browser.post(
        "/gaps",
        {"title": "SSO", "product_area": "Security", "severity": "", "deal_ids": str(deal.id)},
    )
    assert refused.status_code == 422
    assert 'id="f-severity-error"' in refused.text
    assert 'value="SSO"' in refused.text
    lost_flag = browser.post(
        "/gaps",
        {
            "title": "SSO",
            "product_area": "Security",
            "severity": "major",
            "deal_ids": str(deal.id),
            "lost_because": "true",
        },
    )
    assert lost_flag.status_code == 409
    assert "is not lost" in lost_flag.text
    assert _count(session, ProductGap) == 0
    created = browser.post(
        "/gaps",
        {"title": "SSO", "product_area": "Security", "severity": "major", "deal_ids": str(deal.id)},
    )
    assert created.status_code == 303
    assert _count(session, GapDeal) == 1


def test_linking_a_deal_twice_is_refused_beside_the_picker(signed_in, session):
    browser = signed_in(Role.SE)
    deal = factories.opportunity(session, name="Globex platform")
    gap = factories.gap(session, deal_ids=[deal.id])
    session.commit()
    refused = browser.post(f"/gaps/{gap.id}/deals", {"opportunity_id": str(deal.id), "note": ""})
    assert refused.status_code == 409
    assert 'id="f-opportunity_id-error"' in refused.text
    assert "already linked to this gap" in refused.text
    assert _count(session, GapDeal) == 1
    options = browser.get("/gaps/deal-options?deal_q=globex").text
    assert "Globex platform" in options


def test_linking_a_gap_from_the_deal_page(signed_in, session):
    browser = signed_in(Role.SE)
    deal = _lost_deal(session, name="Lost deal", se_ids=[browser.user.id])
    gap = factories.gap(session, title="No SSO")
    session.commit()
    page = browser.get(f"/opportunities/{deal.id}").text
    assert "A reason this deal was lost" in page
    assert f'<option value="{gap.id}">No SSO · Reporting</option>' in page
    linked = browser.post(
        f"/opportunities/{deal.id}/gaps", {"gap_id": str(gap.id), "lost_because": "true"}
    )
    assert linked.status_code == 303
    again = browser.post(f"/opportunities/{deal.id}/gaps", {"gap_id": str(gap.id)})
    assert again.status_code == 409
    assert "already linked" in again.text
    missing = browser.post(f"/opportunities/{deal.id}/gaps", {"gap_id": ""})
    assert missing.status_code == 422
    session.expire_all()
    link = session.scalar(select(GapDeal))
    assert link.lost_because


def test_the_gaps_page_does_not_query_per_gap(signed_in, session, count_queries):
    browser = signed_in(Role.PM)

    def add(n):
        for _ in range(n):
            deal = factories.opportunity(session)
            factories.gap(session, deal_ids=[deal.id])
        session.commit()

    add(2)
    urls = ("/gaps", "/gaps/export")
    few = {}
    for url in urls:
        with count_queries() as statements:
            assert browser.get(url).status_code == 200
        few[url] = len(statements)
    add(8)
    for url in urls:
        with count_queries() as statements:
            assert browser.get(url).status_code == 200
        assert len(statements) == few[url], url


def test_the_nav_shows_product_gaps_to_the_people_who_use_them(signed_in):
    assert 'href="/gaps"' in signed_in(Role.PM).get("/tasks").text


def test_a_viewer_does_not_get_the_nav_item(signed_in):
    assert 'href="/gaps"' not in signed_in(Role.VIEWER).get("/").text
