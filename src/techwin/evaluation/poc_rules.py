"""Proof-of-concept rules, without a database: dates, success criteria and their results, the
outcome and its sign-off, and the timing flags (days left, overdue, past 60 days)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from techwin.errors import InvalidInput, InvalidState
from techwin.evaluation.enums import CriterionResult, PocOutcome, PocStatus

LONG_POC_DAYS = 60  # a POC that runs longer is flagged: evaluations rarely improve with time
MAX_CRITERIA = 20


def check_dates(start: date | None, end: date | None) -> None:
    """A POC has a start and a planned end, and does not end before it starts."""
    if start is None:
        raise InvalidInput("a POC needs a start date", field="start_date")
    if end is None:
        raise InvalidInput("a POC needs a planned end date", field="end_date")
    if end < start:
        raise InvalidInput(
            f"the end date ({end.isoformat()}) is before the start date ({start.isoformat()})",
            field="end_date",
        )


def check_criterion(description: str | None, target: str | None, *, prefix: str = "") -> None:
    """A success criterion says what is checked and the measurable target it must reach."""
    if not (description and description.strip()):
        raise InvalidInput("say what the criterion checks", field=f"{prefix}description")
    if not (target and target.strip()):
        raise InvalidInput(
            "a success criterion needs a measurable target (for example "
            "'95% of queries answer in under 2 seconds')",
            field=f"{prefix}target",
        )


def check_criteria_count(count: int) -> None:
    """A POC keeps its success criteria to a list people can actually test."""
    if count > MAX_CRITERIA:
        raise InvalidInput(
            f"a POC can have at most {MAX_CRITERIA} success criteria", field="criteria"
        )


def check_open(outcome: PocOutcome | None) -> None:
    """A concluded POC is a record of what happened: its scope and criteria no longer change."""
    if outcome is not None:
        raise InvalidState(
            f"this POC is concluded ({outcome.label.lower()}); its scope, dates and criteria "
            "can no longer change",
            field="outcome",
        )


def check_result(result: CriterionResult, evidence: str | None) -> None:
    """A result other than 'not yet tested' must carry its evidence."""
    if result is not CriterionResult.PENDING and not (evidence and evidence.strip()):
        raise InvalidInput(
            f"marking a criterion {result.label.lower()} needs evidence: what was measured or "
            "shown, or a link to it",
            field="evidence",
        )


def suggested_outcome(results: Sequence[CriterionResult]) -> PocOutcome | None:
    """The outcome the results point to, once every criterion has one."""
    if not results or CriterionResult.PENDING in results:
        return None
    if all(r is CriterionResult.MET for r in results):
        return PocOutcome.PASSED
    if all(r is CriterionResult.NOT_MET for r in results):
        return PocOutcome.FAILED
    return PocOutcome.PARTIAL


def check_outcome(
    outcome: PocOutcome,
    *,
    results: Sequence[CriterionResult],
    start: date,
    concluded_on: date,
    today: date,
) -> None:
    """An outcome needs every criterion tested (unless the POC was abandoned) and a real date."""
    if concluded_on < start:
        raise InvalidInput(
            f"the POC cannot conclude before it started ({start.isoformat()})",
            field="concluded_on",
        )
    if concluded_on > today:
        raise InvalidInput("the conclusion date is in the future", field="concluded_on")
    if outcome is PocOutcome.ABANDONED:
        return
    if not results:
        raise InvalidState(
            "this POC has no success criteria: add them and their results before recording "
            "an outcome (or record it as abandoned)",
            field="outcome",
        )
    pending = sum(r is CriterionResult.PENDING for r in results)
    if pending:
        raise InvalidState(
            f"{pending} success criteri{'on has' if pending == 1 else 'a have'} no result yet; "
            "record the results first (or record the POC as abandoned)",
            field="outcome",
        )
    if outcome is PocOutcome.PASSED and any(r is not CriterionResult.MET for r in results):
        raise InvalidInput(
            "a POC passes when every criterion is met; with one partly or not met, record it "
            "as partly passed or failed",
            field="outcome",
        )


def check_sign_off(
    signed_off_by: str | None,
    signed_off_on: date | None,
    *,
    outcome: PocOutcome | None,
    start: date,
    today: date,
) -> None:
    """The customer signs off a concluded POC's results, on a day between its start and today."""
    if outcome is None:
        raise InvalidState("record the POC's outcome before its sign-off", field="signed_off_by")
    if outcome is PocOutcome.ABANDONED:
        raise InvalidState("an abandoned POC has no results to sign off", field="signed_off_by")
    if not (signed_off_by and signed_off_by.strip()):
        raise InvalidInput(
            "name the person who signed off the results on the customer's side",
            field="signed_off_by",
        )
    if signed_off_on is None:
        raise InvalidInput("give the day the results were signed off", field="signed_off_on")
    if signed_off_on < start:
        raise InvalidInput(
            f"the sign-off cannot come before the POC started ({start.isoformat()})",
            field="signed_off_on",
        )
    if signed_off_on > today:
        raise InvalidInput("the sign-off date is in the future", field="signed_off_on")


def poc_status(start: date, outcome: PocOutcome | None, today: date) -> PocStatus:
    """Planned until it starts, running until its outcome is recorded, then concluded."""
    if outcome is not None:
        return PocStatus.CONCLUDED
    return PocStatus.PLANNED if today < start else PocStatus.RUNNING


@dataclass(frozen=True)
class PocTiming:
    """Where a POC stands in time."""

    status: PocStatus
    planned_days: int
    length_days: int
    day_number: int | None
    days_left: int | None
    overdue: bool
    long_running: bool

    @property
    def days_overdue(self) -> int:
        """Days past the planned end (0 unless overdue)."""
        return -self.days_left if self.overdue and self.days_left is not None else 0


def timing(
    start: date,
    end: date,
    *,
    outcome: PocOutcome | None,
    concluded_on: date | None,
    today: date,
) -> PocTiming:
    """Days left or overdue, and whether the POC runs (or is planned to run) past 60 days.

    An open POC's length is the longer of its plan and the time it has run so far; a concluded
    one's is the time until it concluded.
    """
    status = poc_status(start, outcome, today)
    planned = (end - start).days
    if status is PocStatus.CONCLUDED:
        length = ((concluded_on or end) - start).days
        return PocTiming(status, planned, length, None, None, False, length > LONG_POC_DAYS)
    length = max(planned, (today - start).days)
    days_left = (end - today).days
    day_number = (today - start).days + 1 if status is PocStatus.RUNNING else None
    return PocTiming(
        status=status,
        planned_days=planned,
        length_days=length,
        day_number=day_number,
        days_left=days_left,
        overdue=status is PocStatus.RUNNING and days_left < 0,
        long_running=length > LONG_POC_DAYS,
    )


def warnings(poc_timing: PocTiming, *, criteria_count: int) -> list[str]:
    """What deserves attention: no success criteria, past 60 days, past the planned end."""
    found = []
    if criteria_count == 0 and poc_timing.status is not PocStatus.CONCLUDED:
        found.append(
            "No success criteria yet: agree measurable targets with the customer, or the POC "
            "cannot be won or lost on evidence."
        )
    if poc_timing.long_running:
        if poc_timing.status is PocStatus.CONCLUDED:
            found.append(
                f"Ran for {poc_timing.length_days} days, past the {LONG_POC_DAYS}-day mark."
            )
        elif poc_timing.length_days > poc_timing.planned_days:
            found.append(
                f"On day {poc_timing.day_number}, past the {LONG_POC_DAYS}-day mark: "
                "agree a decision date with the customer."
            )
        else:
            found.append(
                f"Planned for {poc_timing.planned_days} days, longer than {LONG_POC_DAYS}: "
                "narrow the scope or split it into phases."
            )
    if poc_timing.overdue:
        days = poc_timing.days_overdue
        found.append(f"{days} day{'s' if days != 1 else ''} past the planned end date.")
    return found
