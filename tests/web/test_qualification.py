"""Qualification on lead and deal pages: the panel under each framework, ratings over HTMX and
without JavaScript, refusals beside their element with nothing stored, and the hints that say
what to rate wherever a gate refuses a move."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.pipeline import contacts
from techwin.pipeline.enums import LifecycleStage
from techwin.pipeline.models import Contact, Opportunity
from techwin.qualification.models import Rating
from tests import factories

BANT_HINT = "rate Budget, Authority, Need, Timeline as validated"


def _ratings(session):
    return session.scalar(select(func.count(Rating.id)))


def _lead_at_sal(session, owner):
    lead = factories.contact(session, actor=owner, first_name="Hank", last_name="Hill")
    for stage in (LifecycleStage.MQL, LifecycleStage.SAL):
        contacts.transition_contact(session, actor=owner, contact=lead, to_stage=stage)
    session.commit()
    return lead


def _rate(browser, lead, element, score, evidence="", *, htmx=True, framework="bant"):
    data = {"element": element, "evidence": evidence}
    if score is not None:
        data["score"] = str(score)
    url = f"/leads/{lead.id}/qualification/{framework}"
    if htmx:
        return browser.htmx("POST", url, "qualification", data)
    return browser.post(url, data)


def test_leads_default_to_bant_and_deals_to_meddpicc(signed_in, session):
    browser = signed_in(Role.AE)
    lead = factories.contact(session, actor=browser.user)
    deal = factories.opportunity(session, actor=browser.user)
    session.commit()
    page = browser.get(f"/leads/{lead.id}").text
    assert 'data-framework="bant"' in page
    for element in ("budget", "authority", "need", "timeline"):
        assert f'id="qe-{element}"' in page
    assert "0 of 4" in page
    assert "Ask next" in page
    deal_page = browser.get(f"/opportunities/{deal.id}").text
    assert 'data-framework="meddpicc"' in deal_page
    assert 'id="qe-identify_pain"' in deal_page
    assert "0 of 8" in deal_page


def test_switching_the_framework(signed_in, session):
    browser = signed_in(Role.AE)
    lead = factories.contact(session, actor=browser.user)
    session.commit()
    fragment = browser.htmx(
        "GET", f"/leads/{lead.id}/qualification", "qualification", {"framework": "meddic"}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'data-framework="meddic"' in fragment.text
    assert 'id="qe-economic_buyer"' in fragment.text
    plain = browser.get(f"/leads/{lead.id}/qualification?framework=meddic")
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/leads/{lead.id}?framework=meddic#qualification"
    page = browser.get(f"/leads/{lead.id}?framework=meddic").text
    assert 'data-framework="meddic"' in page
    unknown = browser.get(f"/leads/{lead.id}?framework=nonsense").text
    assert 'data-framework="bant"' in unknown  # the default, not an error


def test_a_rating_over_htmx_refreshes_the_panel_and_the_gate(signed_in, session):
    browser = signed_in(Role.AE)
    lead = _lead_at_sal(session, browser.user)
    before = browser.get(f"/leads/{lead.id}").text
    assert BANT_HINT in before
    response = _rate(browser, lead, "budget", 2, "CFO confirmed a budget line")
    assert response.status_code == 200, response.text
    html = response.text
    assert re.search(r'id="qe-budget" data-element="budget" data-score="2"', html)
    assert "1 of 4" in html
    assert "CFO confirmed a budget line" in html
    assert 'id="lead-gate" hx-swap-oob="true"' in html
    assert "rate Authority, Need, Timeline as validated" in html
    assert "Budget rated validated." in html  # the toast, out of band
    rating = session.scalar(select(Rating).order_by(Rating.id.desc()))
    assert (rating.element_key, rating.score, rating.rated_by_id) == ("budget", 2, browser.user.id)


def test_confirmed_without_evidence_is_refused_beside_its_element(signed_in, session):
    browser = signed_in(Role.AE)
    lead = _lead_at_sal(session, browser.user)
    before = _ratings(session)
    response = _rate(browser, lead, "authority", 3)
    assert response.status_code == 422
    assert response.headers["X-Techwin-Form"] == "invalid"  # swapped in place by app.js
    error = re.search(r'id="qe-authority-evidence-error">(.*?)</p>', response.text, re.S)
    assert error
    assert "a score of 3 needs evidence" in error.group(1)
    assert re.search(r'value="3" checked', response.text)  # the choice is kept
    assert _ratings(session) == before
    plain = _rate(browser, lead, "authority", 3, htmx=False)
    assert plain.status_code == 422
    assert "<html" in plain.text
    assert 'id="qe-authority-evidence-error"' in plain.text
    assert _ratings(session) == before


def test_a_missing_level_or_an_unknown_element_is_named(signed_in, session):
    browser = signed_in(Role.AE)
    lead = _lead_at_sal(session, browser.user)
    before = _ratings(session)
    missing = _rate(browser, lead, "need", None)
    assert missing.status_code == 422
    assert "choose a level" in missing.text
    unknown = _rate(browser, lead, "nonsense", 2)
    assert unknown.status_code == 422
    assert "BANT has no element &#39;nonsense&#39;" in unknown.text
    out_of_scale = _rate(browser, lead, "need", 7)
    assert out_of_scale.status_code == 422
    assert _ratings(session) == before


def test_without_javascript_a_rating_returns_to_the_panel(signed_in, session):
    browser = signed_in(Role.AE)
    lead = _lead_at_sal(session, browser.user)
    response = _rate(browser, lead, "need", 1, htmx=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/leads/{lead.id}?framework=bant#qualification"
    page = browser.get(response.headers["location"]).text
    assert "Need rated identified." in page


def test_the_sql_gate_opens_once_bant_is_validated_and_history_says_who(signed_in, session):
    browser = signed_in(Role.AE)
    lead = _lead_at_sal(session, browser.user)
    refused = browser.post(f"/leads/{lead.id}/transition", {"to_stage": "sql", "reason": ""})
    assert refused.status_code == 422
    assert 'id="move-refused"' in refused.text
    assert "BANT complete (every element validated)" in refused.text
    assert BANT_HINT in refused.text
    for element in ("budget", "authority", "need", "timeline"):
        assert _rate(browser, lead, element, 2).status_code == 200
    page = browser.get(f"/leads/{lead.id}").text
    assert "The gate to <strong>Sales qualified</strong> is open" in page
    assert "1 / 1 met" in page
    log = page[page.index('class="rating-log"') :]
    assert log.count("data-change") == 4
    assert browser.user.full_name in log
    moved = browser.post(f"/leads/{lead.id}/transition", {"to_stage": "sql", "reason": ""})
    assert moved.status_code == 303
    session.expire_all()
    assert session.get(Contact, lead.id).lifecycle_stage is LifecycleStage.SQL


def test_people_who_cannot_change_the_lead_cannot_rate_it(signed_in, session, make_user):
    owner = make_user(Role.AE)
    lead = _lead_at_sal(session, owner)
    browser = signed_in(Role.VIEWER)
    page = browser.get(f"/leads/{lead.id}").text
    assert 'id="qualification"' in page
    assert 'class="qual-rate"' not in page
    before = _ratings(session)
    refused = _rate(browser, lead, "budget", 2, htmx=False)
    assert refused.status_code == 403
    assert _ratings(session) == before


def _deal_in_technical_validation(session, owner, se):
    deal = factories.opportunity(
        session, actor=owner, stage="technical_validation", se_ids=[se.id], name="Initech"
    )
    session.commit()
    return deal


def test_the_deal_gate_says_what_to_rate_wherever_a_move_is_refused(signed_in, session, make_user):
    se = make_user(Role.SE)
    browser = signed_in(Role.AE)
    deal = _deal_in_technical_validation(session, browser.user, se)
    page = browser.get(f"/opportunities/{deal.id}").text
    item = re.search(
        r'<li class="is-rated" data-criterion="pain_validated_by_se">(.*?)</li>', page, re.S
    )
    assert item, "the rated criterion is not a checkbox"
    assert "rate Identified pain as validated by SE" in item.group(1)
    assert f"/opportunities/{deal.id}?framework=meddpicc#qualification" in item.group(1)
    assert 'type="checkbox"' not in item.group(1)
    moved = browser.post(
        f"/opportunities/{deal.id}/move",
        {"stage": "proof_of_concept", "reason": "", "version": str(deal.version)},
    )
    assert moved.status_code == 422
    assert "rate Identified pain as validated by SE" in moved.text
    assert "rate in MEDDPICC" in moved.text
    board = browser.htmx("POST", f"/board/{deal.id}/move", "board", {"stage": "proof_of_concept"})
    assert board.status_code == 422
    assert "rate Identified pain as validated by SE" in board.text
    assert "Open the deal to rate them" in board.text


def test_an_se_rating_meets_the_deal_criterion(signed_in, session, make_user):
    owner = make_user(Role.AE)
    se = make_user(Role.SE)
    deal = _deal_in_technical_validation(session, owner, se)
    browser = signed_in(user=se)
    response = browser.htmx(
        "POST",
        f"/opportunities/{deal.id}/qualification/meddpicc",
        "qualification",
        {"element": "identify_pain", "score": "2", "evidence": "Ops lead: two days lost weekly"},
    )
    assert response.status_code == 200, response.text
    assert 'id="gate" hx-swap-oob="true"' in response.text
    assert re.search(
        r'class="is-rated is-met" data-criterion="pain_validated_by_se"', response.text
    )
    assert 'id="deal-timeline" hx-swap-oob="true"' in response.text
    assert "Qualification rated: MEDDPICC Identified pain: Unknown → Validated" in response.text
    session.expire_all()
    assert session.get(Opportunity, deal.id).stage_id == deal.stage_id  # rating never moves it
