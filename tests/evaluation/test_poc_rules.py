"""POC rules without a database: dates, criteria, results with evidence, outcome, sign-off,
timing and the 60-day flag."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from techwin.errors import InvalidInput, InvalidState
from techwin.evaluation import poc_rules
from techwin.evaluation.enums import CriterionResult as R
from techwin.evaluation.enums import PocOutcome, PocStatus

TODAY = date(2026, 6, 15)


def test_a_poc_ending_before_it_starts_is_refused_on_the_end_date():
    with pytest.raises(InvalidInput) as refused:
        poc_rules.check_dates(date(2026, 6, 10), date(2026, 6, 1))
    assert refused.value.field == "end_date"
    assert "before the start date (2026-06-10)" in refused.value.message
    poc_rules.check_dates(date(2026, 6, 1), date(2026, 6, 1))  # a one-day POC is fine


def test_a_poc_needs_both_dates():
    with pytest.raises(InvalidInput) as start:
        poc_rules.check_dates(None, TODAY)
    assert start.value.field == "start_date"
    with pytest.raises(InvalidInput) as end:
        poc_rules.check_dates(TODAY, None)
    assert end.value.field == "end_date"


def test_a_success_criterion_without_a_target_names_its_row():
    with pytest.raises(InvalidInput) as refused:
        poc_rules.check_criterion("Latency", "   ", prefix="criteria.1.")
    assert refused.value.field == "criteria.1.target"
    assert "measurable target" in refused.value.message
    with pytest.raises(InvalidInput) as nothing:
        poc_rules.check_criterion(None, "under 2 s")
    assert nothing.value.field == "description"


def test_a_result_needs_evidence_unless_it_is_reset():
    with pytest.raises(InvalidInput) as refused:
        poc_rules.check_result(R.PARTIALLY_MET, "")
    assert refused.value.field == "evidence"
    assert "partially met needs evidence" in refused.value.message
    poc_rules.check_result(R.MET, "p95 1.4 s")
    poc_rules.check_result(R.PENDING, None)


@pytest.mark.parametrize(
    ("results", "suggested"),
    [
        ([], None),
        ([R.MET, R.PENDING], None),
        ([R.MET, R.MET], PocOutcome.PASSED),
        ([R.MET, R.PARTIALLY_MET], PocOutcome.PARTIAL),
        ([R.MET, R.NOT_MET], PocOutcome.PARTIAL),
        ([R.NOT_MET, R.NOT_MET], PocOutcome.FAILED),
    ],
)
def test_the_results_suggest_an_outcome(results, suggested):
    assert poc_rules.suggested_outcome(results) is suggested


def _outcome(outcome, results, concluded_on=TODAY, start=date(2026, 6, 1)):
    poc_rules.check_outcome(
        outcome, results=results, start=start, concluded_on=concluded_on, today=TODAY
    )


def test_an_outcome_needs_every_criterion_tested():
    with pytest.raises(InvalidState) as pending:
        _outcome(PocOutcome.PASSED, [R.MET, R.PENDING])
    assert pending.value.field == "outcome"
    assert "1 success criterion has no result yet" in pending.value.message
    with pytest.raises(InvalidState, match="no success criteria"):
        _outcome(PocOutcome.FAILED, [])
    _outcome(PocOutcome.ABANDONED, [R.PENDING])  # an abandoned POC needs no results
    _outcome(PocOutcome.PARTIAL, [R.MET, R.PARTIALLY_MET])


@pytest.mark.parametrize("short", [R.NOT_MET, R.PARTIALLY_MET])
def test_a_poc_passes_only_when_every_criterion_is_met(short):
    with pytest.raises(InvalidInput, match="passes when every criterion is met") as refused:
        _outcome(PocOutcome.PASSED, [R.MET, short])
    assert refused.value.field == "outcome"
    _outcome(PocOutcome.PASSED, [R.MET, R.MET])


def test_the_conclusion_date_is_between_the_start_and_today():
    with pytest.raises(InvalidInput) as early:
        _outcome(PocOutcome.PASSED, [R.MET], concluded_on=date(2026, 5, 1))
    assert early.value.field == "concluded_on"
    with pytest.raises(InvalidInput, match="future"):
        _outcome(PocOutcome.PASSED, [R.MET], concluded_on=TODAY + timedelta(days=1))


def test_a_sign_off_follows_the_outcome_and_names_the_signer():
    start = date(2026, 6, 1)
    with pytest.raises(InvalidState, match="outcome before its sign-off"):
        poc_rules.check_sign_off("Dana", TODAY, outcome=None, start=start, today=TODAY)
    with pytest.raises(InvalidState, match="abandoned"):
        poc_rules.check_sign_off(
            "Dana", TODAY, outcome=PocOutcome.ABANDONED, start=start, today=TODAY
        )
    with pytest.raises(InvalidInput) as nobody:
        poc_rules.check_sign_off(" ", TODAY, outcome=PocOutcome.PASSED, start=start, today=TODAY)
    assert nobody.value.field == "signed_off_by"
    with pytest.raises(InvalidInput) as early:
        poc_rules.check_sign_off(
            "Dana", date(2026, 5, 1), outcome=PocOutcome.PASSED, start=start, today=TODAY
        )
    assert early.value.field == "signed_off_on"
    poc_rules.check_sign_off("Dana", TODAY, outcome=PocOutcome.PARTIAL, start=start, today=TODAY)


def test_a_concluded_poc_no_longer_changes():
    with pytest.raises(InvalidState, match="concluded"):
        poc_rules.check_open(PocOutcome.FAILED)
    poc_rules.check_open(None)


def test_timing_of_a_running_poc():
    timing = poc_rules.timing(
        TODAY - timedelta(days=9),
        TODAY + timedelta(days=21),
        outcome=None,
        concluded_on=None,
        today=TODAY,
    )
    assert timing.status is PocStatus.RUNNING
    assert timing.day_number == 10
    assert timing.days_left == 21
    assert not timing.overdue
    assert not timing.long_running


def test_an_overdue_poc_counts_days_past_its_end():
    timing = poc_rules.timing(
        TODAY - timedelta(days=20),
        TODAY - timedelta(days=3),
        outcome=None,
        concluded_on=None,
        today=TODAY,
    )
    assert timing.overdue
    assert timing.days_left == -3
    assert timing.days_overdue == 3
    assert "3 days past the planned end date." in poc_rules.warnings(timing, criteria_count=1)


@pytest.mark.parametrize(
    ("started_days_ago", "planned_days", "flagged"),
    [(10, 60, False), (10, 61, True), (61, 30, True), (60, 30, False)],
)
def test_a_poc_past_60_days_is_flagged(started_days_ago, planned_days, flagged):
    start = TODAY - timedelta(days=started_days_ago)
    timing = poc_rules.timing(
        start, start + timedelta(days=planned_days), outcome=None, concluded_on=None, today=TODAY
    )
    assert timing.long_running is flagged
    text = " ".join(poc_rules.warnings(timing, criteria_count=2))
    assert ("60-day mark" in text or "longer than 60" in text) is flagged


def test_a_concluded_poc_is_measured_until_it_concluded():
    start = date(2026, 1, 1)
    timing = poc_rules.timing(
        start,
        date(2026, 2, 1),
        outcome=PocOutcome.PASSED,
        concluded_on=date(2026, 3, 15),
        today=TODAY,
    )
    assert timing.status is PocStatus.CONCLUDED
    assert timing.length_days == 73
    assert timing.long_running
    assert timing.days_left is None


def test_a_poc_without_criteria_is_warned_about_until_it_concludes():
    timing = poc_rules.timing(
        TODAY, TODAY + timedelta(days=10), outcome=None, concluded_on=None, today=TODAY
    )
    assert any("No success criteria" in w for w in poc_rules.warnings(timing, criteria_count=0))
    assert poc_rules.warnings(timing, criteria_count=1) == []


def test_a_poc_starting_later_is_planned():
    assert poc_rules.poc_status(TODAY + timedelta(days=1), None, TODAY) is PocStatus.PLANNED
    assert poc_rules.poc_status(TODAY, None, TODAY) is PocStatus.RUNNING
