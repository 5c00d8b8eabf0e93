"""Charter evaluation without a database: every threshold type, met and unmet, with its hint."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from techwin.collaboration import charter_rules as rules
from techwin.collaboration.charter_rules import DealFacts, StakeholderFact
from techwin.collaboration.enums import BuyingRole, Engagement, RequestKind
from techwin.collaboration.playbook import load_default_charter
from techwin.pipeline.enums import Seniority

TODAY = date(2026, 11, 23)
DEMO = RequestKind.CUSTOM_DEMO


def _one(raw: dict[str, object], facts: DealFacts, kind: RequestKind = DEMO) -> rules.Verdict:
    thresholds = rules.parse_thresholds([{"applies_to": [DEMO.value], **raw}])
    [verdict] = rules.evaluate(thresholds, kind, facts, today=TODAY)
    return verdict


BUDGET = {"key": "budget", "label": "Budget confirmed", "kind": "qualification"}
BUDGET |= {"framework": "bant", "elements": ["budget"], "min_score": 2}


def test_qualification_threshold_needs_every_element_at_the_minimum():
    names = {"bant": {"budget": "Budget", "need": "Need"}}
    facts = DealFacts(close_date=None, scores={"bant": {"budget": 1}}, element_names=names)
    verdict = _one(BUDGET, facts)
    assert not verdict.met
    assert verdict.now == "Budget identified"
    assert "rate Budget (BANT) as validated or better" in verdict.how

    met = _one(BUDGET, DealFacts(close_date=None, scores={"bant": {"budget": 2}}))
    assert met.met
    assert met.how == ""

    both = BUDGET | {"elements": ["budget", "need"], "min_score": 3}
    facts = DealFacts(
        close_date=None, scores={"bant": {"budget": 3, "need": 2}}, element_names=names
    )
    verdict = _one(both, facts)
    assert not verdict.met
    assert "Need" in verdict.how
    assert "Budget" not in verdict.how
    assert "confirmed with evidence" in verdict.how


def test_qualification_threshold_on_an_unrated_framework_is_unmet():
    verdict = _one(BUDGET, DealFacts(close_date=None))
    assert not verdict.met
    assert verdict.now == "budget unknown"


TIMELINE = {"key": "timeline", "label": "Within 6 months", "kind": "timeline", "max_months": 6}


@pytest.mark.parametrize(
    ("close", "met", "now"),
    [
        (None, False, "no expected close date"),
        (date(2027, 5, 23), True, "closes 2027-05-23"),
        (date(2027, 5, 24), False, "closes 2027-05-24"),
        (date(2026, 11, 1), False, "is in the past"),
    ],
)
def test_timeline_threshold_reads_the_close_date(close, met, now):
    verdict = _one(TIMELINE, DealFacts(close_date=close))
    assert verdict.met is met
    assert now in verdict.now
    if not met:
        assert "on or before 2027-05-23" in verdict.how


def test_add_months_clamps_to_the_end_of_the_month():
    assert rules.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert rules.add_months(date(2026, 11, 23), 14) == date(2028, 1, 23)


SPONSOR = {"key": "vp", "label": "VP sponsor engaged", "kind": "stakeholder"}
SPONSOR |= {"min_seniority": "vp", "min_engagement": "engaged"}


def _person(seniority, engagement, role=BuyingRole.CHAMPION, name="Hank Hill"):
    return StakeholderFact(name, role, engagement, seniority)


@pytest.mark.parametrize(
    ("people", "met"),
    [
        ([], False),
        ([_person(Seniority.DIRECTOR, Engagement.ACTIVE)], False),
        ([_person(Seniority.VP, Engagement.AWARE)], False),
        ([_person(None, Engagement.ACTIVE)], False),
        ([_person(Seniority.VP, Engagement.ENGAGED)], True),
        ([_person(Seniority.C_LEVEL, Engagement.ACTIVE)], True),
    ],
)
def test_stakeholder_threshold_needs_seniority_and_engagement(people, met):
    verdict = _one(SPONSOR, DealFacts(close_date=None, stakeholders=people))
    assert verdict.met is met
    if not met:
        assert "VP-level or more senior stakeholder" in verdict.how
        assert "as engaged or more" in verdict.how


def test_stakeholder_threshold_says_who_is_not_engaged_enough():
    facts = DealFacts(close_date=None, stakeholders=[_person(Seniority.VP, Engagement.AWARE)])
    assert _one(SPONSOR, facts).now == "Hank Hill is aware"


def test_stakeholder_threshold_by_role_and_count():
    raw = {"key": "evaluators", "label": "Two technical evaluators", "kind": "stakeholder"}
    raw |= {"roles": ["technical_evaluator"], "min_count": 2}
    one = [_person(None, Engagement.ENGAGED, BuyingRole.TECHNICAL_EVALUATOR)]
    verdict = _one(raw, DealFacts(close_date=None, stakeholders=one))
    assert not verdict.met
    assert "2 technical evaluator stakeholders" in verdict.how
    two = [*one, _person(None, Engagement.ACTIVE, BuyingRole.TECHNICAL_EVALUATOR, "Dale")]
    assert _one(raw, DealFacts(close_date=None, stakeholders=two)).met


def test_notice_threshold_counts_days_until_needed():
    raw = {"key": "notice", "label": "A week's notice", "kind": "notice", "min_days": 7}
    short = _one(raw, DealFacts(close_date=None, needed_by=date(2026, 11, 26)))
    assert not short.met
    assert short.now == "needed in 3 days"
    assert "on or after 2026-11-30" in short.how
    assert _one(raw, DealFacts(close_date=None, needed_by=date(2026, 11, 30))).met


def test_thresholds_apply_only_to_their_request_kinds():
    thresholds = rules.parse_thresholds([{"applies_to": ["poc"], **TIMELINE}])
    assert rules.evaluate(thresholds, RequestKind.STANDARD_DEMO, DealFacts(None), today=TODAY) == []
    assert len(rules.evaluate(thresholds, RequestKind.POC, DealFacts(None), today=TODAY)) == 1


def test_the_shipped_charter_blocks_custom_demos_and_pocs_on_an_unqualified_deal():
    thresholds = load_default_charter().thresholds
    for kind in (RequestKind.CUSTOM_DEMO, RequestKind.POC):
        verdicts = rules.evaluate(thresholds, kind, DealFacts(close_date=None), today=TODAY)
        assert [v.key for v in rules.unmet(verdicts)] == [
            "budget_confirmed",
            "timeline_within_6_months",
            "vp_sponsor_engaged",
        ]
    assert (
        rules.evaluate(thresholds, RequestKind.DISCOVERY_CALL, DealFacts(None), today=TODAY) == []
    )
    qualified = DealFacts(
        close_date=date(2027, 3, 1),
        scores={"bant": {"budget": 2}},
        stakeholders=[_person(Seniority.VP, Engagement.ENGAGED)],
    )
    assert rules.unmet(rules.evaluate(thresholds, RequestKind.POC, qualified, today=TODAY)) == []


def test_blocked_message_names_every_unmet_threshold_and_how():
    thresholds = load_default_charter().thresholds
    verdicts = rules.evaluate(thresholds, DEMO, DealFacts(close_date=None), today=TODAY)
    message = rules.blocked_message(DEMO, rules.unmet(verdicts))
    assert message.startswith("the charter blocks this custom demo: 3 thresholds unmet")
    for label in ("Budget confirmed", "Decision expected within 6 months", "VP-level sponsor"):
        assert label in message


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({**TIMELINE, "max_months": 0}, "max_months"),
        ({**BUDGET, "min_score": 4}, "min_score"),
        ({**BUDGET, "elements": []}, "elements"),
        ({**SPONSOR, "min_engagement": "keen"}, "min_engagement"),
        ({**TIMELINE, "kind": "vibes"}, "kind"),
        ({**TIMELINE, "applies_to": []}, "applies_to"),
        ({**TIMELINE, "applies_to": ["lunch"]}, "applies_to"),
    ],
)
def test_bad_thresholds_are_refused_naming_the_field(raw, field):
    data = {"applies_to": [DEMO.value], **raw}
    with pytest.raises(ValidationError) as caught:
        rules.parse_thresholds([data])
    assert field in str(caught.value)


def test_threshold_keys_must_be_unique():
    with pytest.raises(ValueError, match="repeated: timeline"):
        rules.parse_thresholds([{"applies_to": ["poc"], **TIMELINE}] * 2)
