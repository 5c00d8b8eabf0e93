"""The technical win in the web UI: the deal page's panels, the POC form and page, refusals
beside their input with nothing stored, and fixed query counts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.core.time import utcnow
from techwin.evaluation import competitors, pocs
from techwin.evaluation.enums import CriterionResult, PocOutcome, TechnicalWinStatus
from techwin.evaluation.models import DealCompetitor, Poc, SuccessCriterion, TechnicalWin
from techwin.evaluation.queries import running_pocs
from techwin.evaluation.schemas import CompetitorIn, CriterionIn
from techwin.web.rendering import templates
from tests import factories

TODAY = utcnow().date()


def _deal_for(session, se, **kwargs):
    deal = factories.opportunity(session, se_ids=[se.id], **kwargs)
    session.commit()
    return deal


def _count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_the_deal_page_shows_the_evaluation_panels(signed_in, session):
    browser = signed_in(Role.SE)
    deal = _deal_for(session, browser.user, competitors="Acmeflow, Stackly")
    factories.poc(session, actor=browser.user, deal=deal, title="Latency POC")
    session.commit()
    page = browser.get(f"/opportunities/{deal.id}").text
    assert 'id="technical-win"' in page
    assert 'data-technical-win="in_progress"' in page
    assert "Declare a no-go" in page
    assert "Latency POC" in page
    assert "Dashboard load time" in page
    assert 'id="competitors"' in page
    assert "From the deal's notes" in page
    assert 'title="Add Stackly as a competitor"' in page
    assert 'id="gaps"' in page


def test_an_ae_sees_the_technical_win_but_cannot_decide_it(signed_in, session):
    browser = signed_in(Role.AE)
    deal = factories.opportunity(session, actor=browser.user)
    session.commit()
    page = browser.get(f"/opportunities/{deal.id}").text
    assert "decide the technical win" in page
    assert 'id="nogo-form"' not in page
    refused = browser.post(f"/opportunities/{deal.id}/no-go", {"no_go_reason": "no_budget"})
    assert refused.status_code == 403
    assert "only the deal&#39;s solutions engineers" in refused.text
    assert _count(session, TechnicalWin) == 0


def test_a_no_go_without_a_reason_code_is_shown_beside_the_field(signed_in, session):
    browser = signed_in(Role.SE)
    deal = _deal_for(session, browser.user)
    response = browser.post(
        f"/opportunities/{deal.id}/no-go", {"no_go_reason": "", "reason": "", "version": "0"}
    )
    assert response.status_code == 422
    assert 'id="f-no_go_reason-error"' in response.text
    assert "a no-go needs a reason code" in response.text
    assert '<details class="tw-nogo" open>' in response.text
    assert _count(session, TechnicalWin) == 0
    done = browser.post(
        f"/opportunities/{deal.id}/no-go",
        {"no_go_reason": "poor_technical_fit", "reason": "Needs on-prem", "version": "0"},
    )
    assert done.status_code == 303
    assert _count(session, TechnicalWin) == 1
    page = browser.get(f"/opportunities/{deal.id}").text
    assert "Poor technical fit" in page
    assert "Win no-go: Poor technical fit: Needs on-prem" in page  # on the deal's timeline


def test_won_with_an_open_poc_is_refused_on_the_deal_page(signed_in, session):
    browser = signed_in(Role.SE)
    deal = _deal_for(session, browser.user)
    factories.poc(session, actor=browser.user, deal=deal, title="Latency POC")
    session.commit()
    response = browser.post(
        f"/opportunities/{deal.id}/technical-win", {"status": "won", "reason": "", "version": "1"}
    )
    assert response.status_code == 409
    assert "record the outcome of the POC &#39;Latency POC&#39;" in response.text
    session.expire_all()
    win = session.scalar(select(TechnicalWin).where(TechnicalWin.opportunity_id == deal.id))
    assert win.status is TechnicalWinStatus.IN_PROGRESS


def _poc_form(**changes):
    data = {
        "title": "Latency",
        "scope": "Their heaviest reports",
        "start_date": TODAY.isoformat(),
        "end_date": (TODAY + timedelta(days=20)).isoformat(),
        "environment": "",
        "criteria.0.description": "Dashboard load",
        "criteria.0.target": "under 2 s",
        "criteria.1.description": "",
        "criteria.1.target": "",
    }
    data.update(changes)
    return data


def test_the_poc_form_refuses_an_end_before_the_start(signed_in, session):
    browser = signed_in(Role.SE)
    deal = _deal_for(session, browser.user)
    assert browser.get(f"/opportunities/{deal.id}/pocs/new").status_code == 200
    response = browser.post(
        f"/opportunities/{deal.id}/pocs",
        _poc_form(end_date=(TODAY - timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 422
    assert 'id="f-end_date-error"' in response.text
    assert "is before the start date" in response.text
    assert 'value="Dashboard load"' in response.text  # what was typed stays
    assert _count(session, Poc) == 0


def test_the_poc_form_refuses_a_criterion_without_a_target(signed_in, session):
    browser = signed_in(Role.SE)
    deal = _deal_for(session, browser.user)
    response = browser.post(
        f"/opportunities/{deal.id}/pocs",
        _poc_form(**{"criteria.1.description": "Throughput"}),
    )
    assert response.status_code == 422
    assert 'id="f-criteria.1.target-error"' in response.text
    assert "needs a measurable target" in response.text
    assert _count(session, Poc) == 0
    created = browser.post(f"/opportunities/{deal.id}/pocs", _poc_form())
    assert created.status_code == 303
    assert _count(session, SuccessCriterion) == 1


def test_results_need_evidence_on_the_poc_page(signed_in, session):
    browser = signed_in(Role.SE)
    deal = _deal_for(session, browser.user)
    poc = factories.poc(session, actor=browser.user, deal=deal)
    session.commit()
    criterion = poc.criteria[0]
    url = f"/opportunities/{deal.id}/pocs/{poc.id}"
    page = browser.get(url).text
    assert "Record outcome" in page
    refused = browser.post(
        f"{url}/criteria/{criterion.id}/result",
        {"result": "met", "evidence": "", "version": str(criterion.version)},
    )
    assert refused.status_code == 422
    assert "needs evidence" in refused.text
    assert _count(session, SuccessCriterion) == 1
    session.expire_all()
    assert session.get(SuccessCriterion, criterion.id).result is CriterionResult.PENDING
    done = browser.post(
        f"{url}/criteria/{criterion.id}/result",
        {"result": "met", "evidence": "p95 1.2 s", "version": str(criterion.version)},
    )
    assert done.status_code == 303
    outcome = browser.post(
        f"{url}/outcome", {"outcome": "passed", "notes": "", "version": str(poc.version)}
    )
    assert outcome.status_code == 303
    session.expire_all()
    assert session.get(Poc, poc.id).outcome is PocOutcome.PASSED
    after = browser.get(url).text
    assert "Customer sign-off" in after
    assert "POC planned:" in after  # the history speaks of POCs, not of audit actions


def test_a_poc_of_another_deal_is_not_found(signed_in, session):
    browser = signed_in(Role.SE)
    deal = _deal_for(session, browser.user)
    other = _deal_for(session, browser.user)
    poc = factories.poc(session, actor=browser.user, deal=deal)
    session.commit()
    assert browser.get(f"/opportunities/{other.id}/pocs/{poc.id}").status_code == 404


def test_a_competitor_added_twice_is_refused_on_the_deal_page(signed_in, session):
    browser = signed_in(Role.SE)
    deal = _deal_for(session, browser.user)
    added = browser.post(f"/opportunities/{deal.id}/competitors", {"name": "Stackly", "note": ""})
    assert added.status_code == 303
    again = browser.post(f"/opportunities/{deal.id}/competitors", {"name": "stackly", "note": ""})
    assert again.status_code == 409
    assert "Stackly is already on this deal" in again.text
    assert _count(session, DealCompetitor) == 1


def _queries(browser, count_queries, url):
    with count_queries() as statements:
        response = browser.get(url)
    assert response.status_code == 200, response.text
    return len(statements)


def test_the_deal_and_poc_pages_do_not_query_per_row(signed_in, session, count_queries):
    browser = signed_in(Role.SE)
    deal = _deal_for(session, browser.user)
    poc = factories.poc(session, actor=browser.user, deal=deal, criteria=[("a", "b")])
    competitors.add_competitor(
        session, actor=browser.user, opportunity=deal, data=CompetitorIn(name="Acmeflow")
    )
    factories.gap(session, deal_ids=[deal.id])
    session.commit()
    urls = (f"/opportunities/{deal.id}", f"/opportunities/{deal.id}/pocs/{poc.id}")
    few = {url: _queries(browser, count_queries, url) for url in urls}
    for i in range(6):
        pocs.add_criterion(
            session, actor=browser.user, poc=poc, data=CriterionIn(description=f"c{i}", target="t")
        )
        competitors.add_competitor(
            session, actor=browser.user, opportunity=deal, data=CompetitorIn(name=f"Rival {i}")
        )
        factories.gap(session, deal_ids=[deal.id])
    session.commit()
    for url, before in few.items():
        assert _queries(browser, count_queries, url) == before, url


def test_the_my_day_partial_lists_running_pocs(session):
    se = factories.user(session, role=Role.SE)
    deal = factories.opportunity(session, se_ids=[se.id], name="Umbrella platform")
    factories.poc(session, actor=se, deal=deal, title="Ingestion POC", start_days_ago=70)
    html = templates.get_template("evaluation/_my_day.html").render(
        running_pocs=running_pocs(session, se_id=se.id)
    )
    assert "Ingestion POC" in html
    assert "Umbrella platform" in html
    assert "60+ days" in html
    assert "overdue" in html
    empty = templates.get_template("evaluation/_my_day.html").render(running_pocs=[])
    assert "No POC is running on your deals." in empty


def test_the_poc_gate_is_met_by_the_recorded_sign_off_not_a_tick(signed_in, session):
    browser = signed_in(Role.SE)
    deal = _deal_for(session, browser.user, stage="proof_of_concept")
    page = browser.get(f"/opportunities/{deal.id}").text
    gate = page[page.index('id="gate"') : page.index("</section>", page.index('id="gate"'))]
    assert 'data-criterion="poc_signed_off"' in gate
    assert 'name="met"' not in gate.split('data-criterion="poc_signed_off"')[1][:600]
    assert "record the POC on the deal" in gate
    assert 'href="#poc"' in gate

    factories.signed_off_poc(session, actor=browser.user, deal=deal)
    session.commit()
    gate = browser.get(f"/opportunities/{deal.id}").text
    assert "met by the record: the POC&#39;s customer sign-off" in gate


def test_the_technical_win_form_preselects_nothing_and_asks_for_a_choice(signed_in, session):
    browser = signed_in(Role.SE)
    deal = _deal_for(session, browser.user)
    page = browser.get(f"/opportunities/{deal.id}").text
    assert '<option value="">Choose…</option>' in page
    refused = browser.post(
        f"/opportunities/{deal.id}/technical-win", {"status": "", "reason": "", "version": "0"}
    )
    assert refused.status_code == 422
    assert 'id="f-status-error"' in refused.text
    assert _count(session, TechnicalWin) == 0
