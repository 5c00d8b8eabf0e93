"""The proof-of-concept stage's exit criterion is met by a recorded POC sign-off, not a tick."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from techwin.auth.enums import Role
from techwin.errors import InvalidInput, RuleViolation
from techwin.evaluation import gates as poc_gates
from techwin.evaluation.enums import PocOutcome
from techwin.evaluation.models import Poc
from techwin.pipeline import gates, opportunities
from techwin.pipeline.enums import GateSubject
from techwin.pipeline.models import ExitCriterion, Opportunity
from techwin.pipeline.schemas import MoveIn
from tests import factories

DEFAULT = poc_gates.DEFAULT_OUTCOMES


def _poc(
    title: str = "Trial",
    *,
    outcome: PocOutcome | None = None,
    signed: bool = False,
    start: date = date(2026, 9, 1),
) -> Poc:
    return Poc(
        id=1,
        title=title,
        start_date=start,
        outcome=outcome,
        signed_off_on=date(2026, 10, 1) if signed else None,
    )


# ---------- The verdict, without a database ----------


def test_no_poc_says_to_record_one():
    verdict = poc_gates.verdict([], DEFAULT)
    assert not verdict.met
    assert "record the POC" in verdict.hint


def test_a_running_poc_needs_its_outcome_first():
    verdict = poc_gates.verdict([_poc("Data trial")], DEFAULT)
    assert not verdict.met
    assert verdict.hint == "record the outcome of 'Data trial', then its sign-off"


def test_a_passed_poc_without_sign_off_is_not_enough():
    verdict = poc_gates.verdict([_poc(outcome=PocOutcome.PASSED)], DEFAULT)
    assert not verdict.met
    assert "signed off" in verdict.hint


@pytest.mark.parametrize("outcome", [PocOutcome.PASSED, PocOutcome.PARTIAL])
def test_a_signed_off_passed_or_partial_poc_meets_it(outcome):
    assert poc_gates.verdict([_poc(outcome=outcome, signed=True)], DEFAULT).met


def test_a_signed_off_failed_poc_does_not_meet_the_default():
    verdict = poc_gates.verdict([_poc("Trial", outcome=PocOutcome.FAILED, signed=True)], DEFAULT)
    assert not verdict.met
    assert verdict.hint == "'Trial' failed; a passed or partly passed POC is needed"


def test_an_earlier_signed_off_poc_counts_beside_a_later_running_one():
    earlier = _poc("First", outcome=PocOutcome.PASSED, signed=True, start=date(2026, 6, 1))
    later = _poc("Second", start=date(2026, 9, 1))
    assert poc_gates.verdict([later, earlier], DEFAULT).met


def test_the_hint_follows_the_latest_poc():
    failed = _poc("First", outcome=PocOutcome.FAILED, start=date(2026, 6, 1))
    running = _poc("Second", start=date(2026, 9, 1))
    assert "'Second'" in poc_gates.verdict([failed, running], DEFAULT).hint


def test_the_accepted_outcomes_come_from_the_config():
    assert poc_gates.accepted_outcomes({}) == DEFAULT
    assert poc_gates.accepted_outcomes({"outcomes": ["passed"]}) == (PocOutcome.PASSED,)


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"outcomes": ["abandoned"]}, "config.outcomes"),
        ({"outcomes": []}, "config.outcomes"),
        ({"outcomes": "passed"}, "config.outcomes"),
        ({"owner": "se"}, "config"),
    ],
)
def test_bad_configs_are_refused(config, field):
    with pytest.raises(InvalidInput) as info:
        poc_gates.validate_poc_sign_off_config(None, GateSubject.OPPORTUNITY, config)  # type: ignore[arg-type]
    assert info.value.field == field


def test_it_cannot_gate_a_lifecycle_stage():
    with pytest.raises(InvalidInput) as info:
        poc_gates.validate_poc_sign_off_config(None, GateSubject.CONTACT, {})  # type: ignore[arg-type]
    assert info.value.field == "kind"


# ---------- On a database ----------


def _criterion(session) -> ExitCriterion:
    return session.scalar(select(ExitCriterion).where(ExitCriterion.key == "poc_signed_off"))


@pytest.fixture
def deal_in_poc(session):
    se = factories.user(session, role=Role.SE)
    ae = factories.user(session, role=Role.AE)
    deal = factories.opportunity(session, actor=ae, se_ids=[se.id], stage="proof_of_concept")
    factories.qualify_deal(session, se=se, deal=deal)  # the stage's qualification gate is met
    return se, ae, deal


def test_the_shipped_criterion_is_of_the_sign_off_kind(session):
    assert _criterion(session).kind == poc_gates.KIND


def test_the_criterion_cannot_be_ticked_by_hand(session, deal_in_poc):
    _se, ae, deal = deal_in_poc
    with pytest.raises(InvalidInput) as info:
        gates.set_check(
            session,
            actor=ae,
            criterion_id=_criterion(session).id,
            subject=GateSubject.OPPORTUNITY,
            subject_id=deal.id,
            met=True,
        )
    assert info.value.field == "criterion"


def test_the_deal_leaves_the_poc_stage_once_the_sign_off_is_recorded(session, deal_in_poc):
    se, ae, deal = deal_in_poc
    with pytest.raises(RuleViolation) as info:
        opportunities.move_opportunity(
            session, actor=ae, opportunity=deal, data=MoveIn(stage="proposal")
        )
    unmet = {v["key"]: v["hint"] for v in info.value.extra["unmet"]}
    assert unmet["poc_signed_off"].startswith("record the POC")
    assert session.get(Opportunity, deal.id).stage.key == "proof_of_concept"

    factories.signed_off_poc(session, actor=se, deal=deal)
    opportunities.move_opportunity(
        session, actor=ae, opportunity=deal, data=MoveIn(stage="proposal")
    )
    assert session.get(Opportunity, deal.id).stage.key == "proposal"


def test_a_failed_poc_keeps_the_deal_in_the_poc_stage(session, deal_in_poc):
    se, ae, deal = deal_in_poc
    factories.signed_off_poc(session, actor=se, deal=deal, outcome="failed")
    with pytest.raises(RuleViolation) as info:
        opportunities.move_opportunity(
            session, actor=ae, opportunity=deal, data=MoveIn(stage="proposal")
        )
    unmet = {v["key"]: v["hint"] for v in info.value.extra["unmet"]}
    assert "failed" in unmet["poc_signed_off"]
