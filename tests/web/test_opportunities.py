"""Deals: gated drag-and-drop moves on the board, the exit-criteria checklist, edits, overrides."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from techwin.auth.enums import Role
from techwin.pipeline.models import ExitCriterion, Opportunity, PipelineStage
from tests import factories

GATE = ("The business pain is written down", "A discovery call with the prospect")


def _deal(session, owner, **kwargs):
    deal = factories.opportunity(session, actor=owner, **kwargs)
    session.commit()
    return deal


def _stage(session, deal_id):
    session.expire_all()
    deal = session.get(Opportunity, deal_id)
    return session.get(PipelineStage, deal.stage_id).key


def _criteria(session, stage_key):
    return list(
        session.scalars(
            select(ExitCriterion)
            .join(PipelineStage, PipelineStage.id == ExitCriterion.pipeline_stage_id)
            .where(PipelineStage.key == stage_key)
        )
    )


def test_a_board_move_refused_by_the_gate_names_every_unmet_criterion(signed_in, session):
    browser = signed_in(Role.AE)
    deal = _deal(session, browser.user, name="Hooli search")
    response = browser.htmx(
        "POST",
        f"/board/{deal.id}/move",
        "board",
        {"stage": "technical_validation", "version": str(deal.version)},
    )
    assert response.status_code == 422
    assert response.headers["X-Techwin-Move"] == "refused"
    for label in GATE:
        assert label in response.text
    assert "The gate is not met" in response.text
    assert "override" not in response.text.lower()  # an AE gets no override path
    assert _stage(session, deal.id) == "discovery"


def test_ticking_the_checklist_lets_the_card_move_and_updates_the_totals(signed_in, session):
    browser = signed_in(Role.AE)
    deal = _deal(session, browser.user, name="Hooli search", acv="120000")
    for criterion in _criteria(session, "discovery"):
        tick = browser.htmx(
            "POST", f"/opportunities/{deal.id}/checks/{criterion.id}", "gate", {"met": "true"}
        )
        assert tick.status_code == 200
        assert 'id="gate"' in tick.text
        assert "<html" not in tick.text
    assert "2 / 2 met" in tick.text
    assert 'id="deal-timeline" hx-swap-oob="true"' in tick.text
    assert "ticked: A discovery call" in tick.text
    session.expire_all()
    moved = browser.htmx(
        "POST",
        f"/board/{deal.id}/move",
        "board",
        {
            "stage": "technical_validation",
            "version": str(session.get(Opportunity, deal.id).version),
        },
    )
    assert moved.status_code == 200, moved.text
    assert "Technical+validation" in moved.headers["X-Techwin-Toast"].replace("%20", "+")
    assert _stage(session, deal.id) == "technical_validation"
    column = re.search(
        r'data-column="technical_validation".*?data-count>(\d+)<.*?data-total>([^<]+)<',
        moved.text,
        re.S,
    )
    assert column
    assert column.group(1) == "1"
    assert column.group(2) == "120k"
    page = browser.get(f"/opportunities/{deal.id}").text
    assert "ticked: The business pain" in page  # the ticks are in the audit timeline


def test_unticking_puts_the_gate_back(signed_in, session):
    browser = signed_in(Role.AE)
    deal = _deal(session, browser.user)
    criterion = _criteria(session, "discovery")[0]
    browser.htmx("POST", f"/opportunities/{deal.id}/checks/{criterion.id}", "gate", {"met": "true"})
    off = browser.htmx("POST", f"/opportunities/{deal.id}/checks/{criterion.id}", "gate", {})
    assert "0 / 2 met" in off.text


def test_closing_lost_asks_for_a_reason(signed_in, session):
    browser = signed_in(Role.AE)
    deal = _deal(session, browser.user)
    asked = browser.htmx("POST", f"/board/{deal.id}/move", "board", {"stage": "closed_lost"})
    assert asked.status_code == 422
    assert "say why the deal was lost" in asked.text
    assert 'name="reason"' in asked.text
    assert _stage(session, deal.id) == "discovery"
    lost = browser.htmx(
        "POST",
        f"/board/{deal.id}/move",
        "board",
        {"stage": "closed_lost", "reason": "chose a competitor"},
    )
    assert lost.status_code == 200
    session.expire_all()
    assert session.get(Opportunity, deal.id).lost_reason == "chose a competitor"


def test_a_manager_may_override_the_gate_with_a_reason(signed_in, session, make_user):
    owner = make_user(Role.AE)
    deal = _deal(session, owner)
    browser = signed_in(Role.MANAGER)
    refused = browser.htmx("POST", f"/board/{deal.id}/move", "board", {"stage": "proposal"})
    assert refused.status_code == 422
    assert "Override and move" in refused.text
    no_reason = browser.htmx(
        "POST", f"/board/{deal.id}/move", "board", {"stage": "proposal", "override": "true"}
    )
    assert no_reason.status_code == 422
    assert "an override needs a reason" in no_reason.text
    done = browser.htmx(
        "POST",
        f"/board/{deal.id}/move",
        "board",
        {"stage": "proposal", "override": "true", "reason": "exec sponsor signed already"},
    )
    assert done.status_code == 200
    assert _stage(session, deal.id) == "proposal"
    page = browser.get(f"/opportunities/{deal.id}").text
    assert "Gate overridden" in page
    assert "exec sponsor signed already" in page


def test_the_deal_page_move_lists_unmet_criteria(signed_in, session):
    browser = signed_in(Role.AE)
    deal = _deal(session, browser.user)
    response = browser.post(
        f"/opportunities/{deal.id}/move",
        {"stage": "technical_validation", "reason": "", "version": str(deal.version)},
    )
    assert response.status_code == 422
    for label in GATE:
        assert label in response.text
    assert _stage(session, deal.id) == "discovery"


def test_someone_elses_deal_cannot_be_dragged(signed_in, session, make_user):
    owner = make_user(Role.AE)
    deal = _deal(session, owner)
    browser = signed_in(Role.AE)
    board = browser.get("/board").text
    assert re.search(rf'class="deal-card is-locked" data-id="{deal.id}"', board)
    refused = browser.htmx("POST", f"/board/{deal.id}/move", "board", {"stage": "closed_lost"})
    assert refused.status_code == 403
    assert _stage(session, deal.id) == "discovery"


def _edit_form(deal, **changes):
    form = {
        "name": deal.name,
        "owner_id": str(deal.owner_id or ""),
        "close_date": "",
        "probability": str(deal.probability),
        "forecast_category": deal.forecast_category.value,
        "currency": deal.currency,
        "acv": str(deal.acv or ""),
        "tcv": str(deal.tcv or ""),
        "term_months": str(deal.term_months or ""),
        "mrr": "",
        "compelling_event": "",
        "competitors": "",
        "next_step": "",
        "next_step_due": "",
        "description": "",
        "version": str(deal.version),
    }
    form.update(changes)
    return form


def test_an_edit_of_acv_re_derives_tcv(signed_in, session):
    browser = signed_in(Role.AE)
    deal = _deal(session, browser.user, acv="120000", term_months=24)
    assert deal.tcv == Decimal("240000.00")
    response = browser.post(f"/opportunities/{deal.id}/edit", _edit_form(deal, acv="60000"))
    assert response.status_code == 303, response.text
    session.expire_all()
    stored = session.get(Opportunity, deal.id)
    assert stored.acv == Decimal("60000.00")
    assert stored.tcv == Decimal("120000.00")
    assert stored.arr == Decimal("60000.00")


def test_the_next_step_and_its_date_are_edited_and_told_in_the_pages_words(signed_in, session):
    browser = signed_in(Role.AE)
    deal = _deal(session, browser.user, acv="120000")
    due = (date.today() + timedelta(days=6)).isoformat()
    dateless = browser.post(
        f"/opportunities/{deal.id}/edit", _edit_form(deal, next_step="", next_step_due=due)
    )
    assert dateless.status_code == 422
    assert 'id="f-next_step-error"' in dateless.text
    response = browser.post(
        f"/opportunities/{deal.id}/edit",
        _edit_form(deal, next_step="Security review", next_step_due=due),
    )
    assert response.status_code == 303, response.text
    page = browser.get(f"/opportunities/{deal.id}").text
    assert "Deal edited: changed Next step, Next step by" in page
    assert "next_step_due" not in page
    session.expire_all()
    assert session.get(Opportunity, deal.id).next_step_due.isoformat() == due


def test_inconsistent_amounts_are_shown_on_the_form_and_nothing_changes(signed_in, session):
    browser = signed_in(Role.AE)
    deal = _deal(session, browser.user, acv="120000", term_months=24)
    response = browser.post(
        f"/opportunities/{deal.id}/edit",
        _edit_form(deal, acv="100000", tcv="150000", name="Renamed"),
    )
    assert response.status_code == 422
    error = re.search(r'id="f-tcv-error">(.*?)</p>', response.text, re.S)
    assert error
    assert "does not match acv × term / 12" in error.group(1)
    assert 'value="Renamed"' in response.text
    session.expire_all()
    stored = session.get(Opportunity, deal.id)
    assert stored.name == deal.name
    assert stored.acv == Decimal("120000.00")


def test_a_negative_probability_is_named(signed_in, session):
    browser = signed_in(Role.AE)
    deal = _deal(session, browser.user)
    response = browser.post(f"/opportunities/{deal.id}/edit", _edit_form(deal, probability="-3"))
    assert response.status_code == 422
    assert 'id="f-probability-error"' in response.text


def test_create_a_deal_with_engineers(signed_in, session, make_user):
    browser = signed_in(Role.AE)
    engineer = make_user(Role.SE)
    account = factories.account(session, actor=browser.user)
    session.commit()
    response = browser.post(
        "/opportunities",
        {
            "name": "Initech rollout",
            "account_id": str(account.id),
            "owner_id": "",
            "currency": "EUR",
            "acv": "36000",
            "term_months": "12",
            "se_ids": [str(engineer.id)],
        },
    )
    assert response.status_code == 303, response.text
    page = browser.get(response.headers["location"]).text
    assert "Initech rollout" in page
    assert engineer.full_name in page
    assert "EUR 36,000" in page


def test_the_board_narrows_to_a_team(signed_in, session):
    east = factories.team(session, name="Enterprise East")
    west = factories.team(session, name="Public sector")
    alex = factories.user(session, role=Role.AE, full_name="Alex Morgan", team_id=east.id)
    riley = factories.user(session, role=Role.AE, full_name="Riley Park", team_id=west.id)
    _deal(session, alex, name="Initech platform")
    _deal(session, riley, name="City of Springfield")
    browser = signed_in(Role.MANAGER)
    page = browser.get("/board").text
    assert "Initech platform" in page
    assert "City of Springfield" in page
    assert '<option value="">Every team</option>' in page
    narrowed = browser.get(f"/board?team_id={east.id}").text
    assert "Initech platform" in narrowed
    assert "City of Springfield" not in narrowed
    assert f'<option value="{east.id}" selected>Enterprise East</option>' in narrowed
    bad = browser.get("/board?team_id=east")
    assert bad.status_code == 200  # a bad filter is reported, not a 500
    assert "is not a number" in bad.text
