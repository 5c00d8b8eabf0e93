"""Pure scoring arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techwin.errors import InvalidInput
from techwin.scoring import rules
from techwin.scoring.enums import EventKind, Operator, RuleCategory
from techwin.scoring.playbook import load_scoring_playbook

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def fit(field, operator, value, points=10.0, rule_id=1):
    return rules.RuleSpec(
        id=rule_id,
        label=f"{field} rule",
        category=RuleCategory.FIT,
        points=points,
        field=field,
        operator=operator,
        value=value,
    )


def engagement(kind, points, half_life=None, cap=None, rule_id=100):
    return rules.RuleSpec(
        id=rule_id,
        label=kind.value,
        category=RuleCategory.ENGAGEMENT,
        points=points,
        event_kind=kind,
        half_life_days=half_life,
        max_points=cap,
    )


@pytest.mark.parametrize(
    ("spec", "profile", "expected"),
    [
        (fit("seniority", Operator.IN, ["vp", "c_level"]), {"seniority": "vp"}, True),
        (fit("seniority", Operator.IN, ["vp", "c_level"]), {"seniority": "manager"}, False),
        (
            fit("title", Operator.CONTAINS, ["architect"]),
            {"title": "Lead Solutions Architect"},
            True,
        ),
        (fit("industry", Operator.EQUALS, "software"), {"industry": "Software"}, True),
        (fit("employee_count", Operator.BETWEEN, [200, 1000]), {"employee_count": 1000}, True),
        (fit("employee_count", Operator.BETWEEN, [200, 1000]), {"employee_count": 1001}, False),
        (fit("employee_count", Operator.GTE, 500), {"employee_count": 499}, False),
        (fit("employee_count", Operator.LTE, 49), {"employee_count": None}, False),
        (fit("department", Operator.IS_SET, None), {"department": "IT"}, True),
        (fit("department", Operator.IS_SET, None), {"department": ""}, False),
    ],
)
def test_fit_operators(spec, profile, expected):
    assert rules.matches(spec, profile) is expected


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (fit("shoe_size", Operator.EQUALS, "10"), "field"),
        (fit("seniority", Operator.GTE, 3), "operator"),
        (fit("employee_count", Operator.BETWEEN, [500, 10]), "value"),
        (fit("employee_count", Operator.GTE, "many"), "value"),
        (fit("title", Operator.CONTAINS, []), "value"),
        (fit("title", Operator.CONTAINS, ["cto"], points="ten"), "points"),  # type: ignore[arg-type]
        (fit("title", Operator.CONTAINS, ["cto"], points=5000), "points"),
        (engagement(EventKind.PAGE_VIEW, 1, half_life=0), "half_life_days"),
    ],
)
def test_invalid_rules_name_the_field(spec, field):
    with pytest.raises(InvalidInput) as info:
        rules.validate_rule(spec)
    assert info.value.field == field


CUSTOM = {**rules.FIT_FIELDS, "contact.trial_user": "boolean", "account.renewal": "date"}


@pytest.mark.parametrize(
    ("spec", "profile", "expected"),
    [
        (fit("contact.trial_user", Operator.EQUALS, True), {"contact.trial_user": True}, True),
        (fit("contact.trial_user", Operator.EQUALS, True), {"contact.trial_user": False}, False),
        (fit("contact.trial_user", Operator.EQUALS, False), {}, False),
        (
            fit("account.renewal", Operator.BETWEEN, ["2026-01-01", "2026-06-30"]),
            {"account.renewal": "2026-03-31"},
            True,
        ),
        (
            fit("account.renewal", Operator.GTE, "2026-07-01"),
            {"account.renewal": "2026-03-31"},
            False,
        ),
        # a number field whose stored value turned out to be text never matches, never fails
        (fit("account.seats", Operator.GTE, 10), {"account.seats": "lots"}, False),
        (fit("account.seats", Operator.GTE, 10), {"account.seats": 12.0}, True),
    ],
)
def test_custom_field_operators(spec, profile, expected):
    assert rules.matches(spec, profile) is expected


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (fit("contact.shoe_size", Operator.EQUALS, "10"), "field"),
        (fit("contact.trial_user", Operator.EQUALS, "yes"), "value"),
        (fit("contact.trial_user", Operator.GTE, 1), "operator"),
        (fit("account.renewal", Operator.GTE, "next spring"), "value"),
        (fit("account.renewal", Operator.BETWEEN, ["2026-06-30", "2026-01-01"]), "value"),
    ],
)
def test_custom_field_rules_are_validated(spec, field):
    with pytest.raises(InvalidInput) as info:
        rules.validate_rule(spec, CUSTOM)
    assert info.value.field == field


def test_custom_fields_are_unknown_without_the_organisations_fields():
    with pytest.raises(InvalidInput, match=r"unknown field 'contact\.trial_user'"):
        rules.validate_rule(fit("contact.trial_user", Operator.EQUALS, True))


def test_shipped_rules_are_valid():
    playbook = load_scoring_playbook()
    assert len(playbook.rules) >= 10
    assert playbook.settings.mql_threshold is not None


def test_points_halve_every_half_life():
    assert rules.decayed(20, age_days=0, half_life_days=10) == 20
    assert rules.decayed(20, age_days=10, half_life_days=10) == pytest.approx(10)
    assert rules.decayed(20, age_days=30, half_life_days=10) == pytest.approx(2.5)
    assert rules.decayed(20, age_days=-3, half_life_days=10) == 20


def test_engagement_decays_and_caps():
    specs = [
        engagement(EventKind.DEMO_REQUEST, 30, half_life=30),
        engagement(EventKind.PAGE_VIEW, 1, half_life=7, cap=3, rule_id=101),
    ]
    events = [(EventKind.DEMO_REQUEST, NOW - timedelta(days=30))] + [
        (EventKind.PAGE_VIEW, NOW)
    ] * 10
    score = rules.compute_score(specs, {}, events, now=NOW, default_half_life_days=30)
    reasons = {r.rule_id: r for r in score.reasons}
    assert reasons[100].points == 15.0
    assert reasons[101].points == 3.0
    assert reasons[101].label == "page_view ×10"
    assert score.engagement == 18.0


def test_default_half_life_applies_when_a_rule_has_none():
    score = rules.compute_score(
        [engagement(EventKind.WEBINAR_ATTENDED, 8)],
        {},
        [(EventKind.WEBINAR_ATTENDED, NOW - timedelta(days=20))],
        now=NOW,
        default_half_life_days=20,
    )
    assert score.total == 4.0


@given(
    points=st.lists(
        st.floats(min_value=-50, max_value=50, allow_nan=False), min_size=1, max_size=8
    ),
    ages=st.lists(st.floats(min_value=0, max_value=400), min_size=0, max_size=20),
)
def test_reasons_always_add_up_to_the_score(points, ages):
    specs = [fit("title", Operator.IS_SET, None, points=p, rule_id=i) for i, p in enumerate(points)]
    specs.append(engagement(EventKind.EMAIL_CLICK, 3.3, half_life=9, rule_id=999))
    events = [(EventKind.EMAIL_CLICK, NOW - timedelta(days=a)) for a in ages]
    score = rules.compute_score(specs, {"title": "CTO"}, events, now=NOW, default_half_life_days=30)
    assert round(sum(r.points for r in score.reasons), 1) == pytest.approx(score.total)
    assert score.total == pytest.approx(round(score.fit + score.engagement, 1))
