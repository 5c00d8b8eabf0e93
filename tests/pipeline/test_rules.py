"""Pure pipeline rules: no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techwin.errors import InvalidInput, RuleViolation
from techwin.pipeline import rules
from techwin.pipeline.enums import LifecycleStage as S
from techwin.pipeline.rules import CriterionVerdict


class TestTransitionTable:
    def test_main_line_forward_moves_are_allowed_without_reason(self):
        for current, nxt in zip(rules.MAIN_LINE, rules.MAIN_LINE[1:], strict=False):
            rules.check_transition(current, nxt, None)

    def test_skipping_stages_is_refused_and_names_the_allowed_ones(self):
        with pytest.raises(RuleViolation) as info:
            rules.check_transition(S.LEAD, S.SQL, None)
        assert info.value.field == "to_stage"
        assert "allowed: mql, nurture, disqualified" in info.value.message

    def test_staying_in_place_is_refused(self):
        with pytest.raises(RuleViolation):
            rules.check_transition(S.MQL, S.MQL, None)

    @pytest.mark.parametrize(
        ("a", "b"), [(S.MQL, S.LEAD), (S.SAL, S.MQL), (S.SQL, S.SAL), (S.OPPORTUNITY, S.SQL)]
    )
    def test_backward_moves_need_a_reason(self, a, b):
        assert rules.is_backward(a, b)
        with pytest.raises(InvalidInput) as info:
            rules.check_transition(a, b, "  ")
        assert info.value.field == "reason"
        rules.check_transition(a, b, "budget was not real")

    def test_disqualifying_needs_a_reason(self):
        with pytest.raises(InvalidInput):
            rules.check_transition(S.LEAD, S.DISQUALIFIED, None)
        rules.check_transition(S.LEAD, S.DISQUALIFIED, "student, no buying power")

    def test_reopening_a_disqualified_contact_needs_a_reason(self):
        with pytest.raises(InvalidInput):
            rules.check_transition(S.DISQUALIFIED, S.LEAD, None)

    def test_nurture_moves_need_no_reason(self):
        rules.check_transition(S.MQL, S.NURTURE, None)
        rules.check_transition(S.NURTURE, S.MQL, None)

    def test_customers_can_only_churn(self):
        assert rules.allowed_targets(S.CUSTOMER) == [S.CHURNED]

    def test_every_stage_has_an_entry_in_the_table(self):
        assert set(rules.ALLOWED_TRANSITIONS) == set(S)

    def test_every_stage_is_reachable_from_lead(self):
        seen, frontier = {S.LEAD}, [S.LEAD]
        while frontier:
            for target in rules.ALLOWED_TRANSITIONS[frontier.pop()]:
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)
        assert seen == set(S)

    def test_furthest_rank_never_decreases(self):
        assert rules.furthest_rank(3, S.MQL) == 3
        assert rules.furthest_rank(3, S.NURTURE) == 3
        assert rules.furthest_rank(3, S.OPPORTUNITY) == 4


class TestAmounts:
    def test_tcv_from_acv_and_term(self):
        amounts = rules.compute_amounts(acv=Decimal("120000"), term_months=36)
        assert amounts.tcv == Decimal("360000.00")
        assert amounts.arr == Decimal("120000.00")

    def test_acv_from_tcv_and_term(self):
        amounts = rules.compute_amounts(tcv=Decimal("90000"), term_months=18)
        assert amounts.acv == Decimal("60000.00")

    def test_arr_is_monthly_commitment_times_twelve(self):
        amounts = rules.compute_amounts(acv=Decimal("100000"), mrr=Decimal("9000"))
        assert amounts.arr == Decimal("108000.00")

    def test_inconsistent_amounts_are_refused(self):
        with pytest.raises(InvalidInput) as info:
            rules.compute_amounts(acv=Decimal("100"), tcv=Decimal("150"), term_months=12)
        assert info.value.field == "tcv"

    @pytest.mark.parametrize("field", ["acv", "tcv", "mrr"])
    def test_negative_amounts_are_refused(self, field):
        with pytest.raises(InvalidInput) as info:
            rules.compute_amounts(**{field: Decimal("-1")})
        assert info.value.field == field

    def test_term_out_of_range_is_refused(self):
        with pytest.raises(InvalidInput) as info:
            rules.compute_amounts(acv=Decimal("1"), term_months=0)
        assert info.value.field == "term_months"

    @given(
        acv=st.decimals(
            min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False
        ),
        term=st.integers(min_value=1, max_value=120),
    )
    def test_derived_tcv_round_trips_to_the_same_acv(self, acv, term):
        forward = rules.compute_amounts(acv=acv, term_months=term)
        assert forward.tcv is not None
        back = rules.compute_amounts(tcv=forward.tcv, term_months=term)
        assert back.acv is not None
        assert abs(back.acv - acv) <= Decimal("0.01") * 12 / term + Decimal("0.01")
        # The three together are accepted as consistent.
        rules.compute_amounts(acv=acv, tcv=forward.tcv, term_months=term)


class TestGates:
    def test_close_date_before_creation_is_refused(self):
        with pytest.raises(InvalidInput) as info:
            rules.check_close_date(date(2026, 1, 1), date(2026, 2, 1))
        assert info.value.field == "close_date"
        rules.check_close_date(date(2026, 2, 1), date(2026, 2, 1))

    def test_forward_span_covers_the_stages_left_behind(self):
        assert rules.forward_gate_span([0, 1, 2, 3, 4], 1, 3) == [1, 2]
        assert rules.forward_gate_span([0, 1, 2, 3, 4], 3, 1) == []

    def test_gate_message_names_every_unmet_criterion(self):
        verdicts = [
            CriterionVerdict("a", "Pain documented", "Discovery", met=False),
            CriterionVerdict("b", "Call held", "Discovery", met=True),
            CriterionVerdict("c", "Requirements", "Technical validation", met=False),
        ]
        blocked = rules.unmet(verdicts)
        assert [v.key for v in blocked] == ["a", "c"]
        message = rules.gate_message(blocked)
        assert "Pain documented (Discovery)" in message
        assert "Requirements (Technical validation)" in message
        assert "Call held" not in message
