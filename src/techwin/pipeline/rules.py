"""Pure pipeline rules: the lifecycle transition table, deal arithmetic and gate verdicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from techwin.core.money import quantize
from techwin.errors import InvalidInput, RuleViolation
from techwin.pipeline.enums import LifecycleStage as S

MAIN_LINE: tuple[S, ...] = (S.LEAD, S.MQL, S.SAL, S.SQL, S.OPPORTUNITY, S.CUSTOMER)
FUNNEL_STAGES: tuple[S, ...] = MAIN_LINE

ALLOWED_TRANSITIONS: dict[S, frozenset[S]] = {
    S.LEAD: frozenset({S.MQL, S.NURTURE, S.DISQUALIFIED}),
    S.MQL: frozenset({S.SAL, S.LEAD, S.NURTURE, S.DISQUALIFIED}),
    S.SAL: frozenset({S.SQL, S.MQL, S.NURTURE, S.DISQUALIFIED}),
    S.SQL: frozenset({S.OPPORTUNITY, S.SAL, S.NURTURE, S.DISQUALIFIED}),
    S.OPPORTUNITY: frozenset({S.CUSTOMER, S.SQL, S.NURTURE, S.DISQUALIFIED}),
    S.CUSTOMER: frozenset({S.CHURNED}),
    S.NURTURE: frozenset({S.LEAD, S.MQL, S.DISQUALIFIED}),
    S.DISQUALIFIED: frozenset({S.LEAD, S.NURTURE}),
    S.CHURNED: frozenset({S.OPPORTUNITY, S.NURTURE}),
}

# Leaving these states re-opens a closed question, so it needs a reason like going backwards.
_REOPENING = frozenset({S.DISQUALIFIED, S.CHURNED})


def stage_rank(stage: S) -> int | None:
    """Position on the main line (0 = lead), None for the side states."""
    return MAIN_LINE.index(stage) if stage in MAIN_LINE else None


def is_backward(from_stage: S, to_stage: S) -> bool:
    """True when the move goes back down the main line."""
    a, b = stage_rank(from_stage), stage_rank(to_stage)
    return a is not None and b is not None and b < a


def reason_required(from_stage: S, to_stage: S) -> bool:
    """Backward moves, disqualification and re-opening all need a written reason."""
    return (
        is_backward(from_stage, to_stage) or to_stage is S.DISQUALIFIED or from_stage in _REOPENING
    )


def allowed_targets(from_stage: S) -> list[S]:
    """The stages a contact may move to next, main line first."""
    order = list(S)
    return sorted(ALLOWED_TRANSITIONS[from_stage], key=order.index)


def check_transition(from_stage: S, to_stage: S, reason: str | None) -> None:
    """Raise unless ``from_stage → to_stage`` is allowed with the reason given."""
    if from_stage == to_stage:
        raise RuleViolation(f"the contact is already at {to_stage.value}", field="to_stage")
    if to_stage not in ALLOWED_TRANSITIONS[from_stage]:
        allowed = ", ".join(s.value for s in allowed_targets(from_stage))
        raise RuleViolation(
            f"cannot move from {from_stage.value} to {to_stage.value}; allowed: {allowed}",
            field="to_stage",
        )
    if reason_required(from_stage, to_stage) and not (reason and reason.strip()):
        why = "disqualifying" if to_stage is S.DISQUALIFIED else "this move"
        raise InvalidInput(
            f"a reason is required for {why} ({from_stage.value} → {to_stage.value})",
            field="reason",
        )


def furthest_rank(current: int, new_stage: S) -> int:
    """The furthest main-line rank a contact has reached after entering ``new_stage``."""
    rank = stage_rank(new_stage)
    return current if rank is None else max(current, rank)


@dataclass(frozen=True)
class Amounts:
    """A deal's money fields, made consistent."""

    acv: Decimal | None
    tcv: Decimal | None
    term_months: int | None
    mrr: Decimal | None
    arr: Decimal | None


def compute_amounts(
    *,
    acv: Decimal | None = None,
    tcv: Decimal | None = None,
    term_months: int | None = None,
    mrr: Decimal | None = None,
) -> Amounts:
    """Fill in the derivable amounts and refuse inconsistent or negative ones.

    ACV = TCV × 12 / term; TCV = ACV × term / 12; ARR = monthly commitment × 12 (or ACV when
    no monthly commitment is given). When all of ACV, TCV and term are given they must agree
    to the cent.
    """
    for name, value in (("acv", acv), ("tcv", tcv), ("mrr", mrr)):
        if value is not None and value < 0:
            raise InvalidInput(f"{name} cannot be negative", field=name)
    if term_months is not None and not 1 <= term_months <= 120:
        raise InvalidInput("term_months must be between 1 and 120", field="term_months")
    if acv is not None and tcv is not None and term_months is not None:
        expected = quantize(acv * term_months / 12)
        if abs(quantize(tcv) - expected) > Decimal("0.01"):
            raise InvalidInput(
                f"tcv {tcv} does not match acv × term / 12 = {expected}", field="tcv"
            )
    elif acv is not None and term_months is not None:
        tcv = acv * term_months / 12
    elif tcv is not None and term_months is not None:
        acv = tcv * 12 / term_months
    if mrr is not None:
        arr: Decimal | None = mrr * 12
    else:
        arr = acv
    return Amounts(
        acv=None if acv is None else quantize(acv),
        tcv=None if tcv is None else quantize(tcv),
        term_months=term_months,
        mrr=None if mrr is None else quantize(mrr),
        arr=None if arr is None else quantize(arr),
    )


def check_close_date(close_date: date | None, created_on: date) -> None:
    """A deal cannot be expected to close before it existed."""
    if close_date is not None and close_date < created_on:
        raise InvalidInput(
            f"close date {close_date.isoformat()} is before the deal was created "
            f"({created_on.isoformat()})",
            field="close_date",
        )


def check_next_step(next_step: str | None, due: date | None) -> None:
    """A next-step date belongs to a next step: a date alone says nothing to do."""
    if due is not None and not (next_step or "").strip():
        raise InvalidInput("say what the next step is before giving it a date", field="next_step")


@dataclass(frozen=True)
class CriterionVerdict:
    """One exit criterion's state for one record."""

    key: str
    label: str
    stage: str
    met: bool
    hint: str = ""


def unmet(verdicts: Sequence[CriterionVerdict]) -> list[CriterionVerdict]:
    """The criteria that block a move."""
    return [v for v in verdicts if not v.met]


def gate_message(blocked: Sequence[CriterionVerdict]) -> str:
    """A sentence naming every unmet criterion, for errors and toasts."""
    if not blocked:
        return ""
    items = "; ".join(f"{v.label} ({v.stage})" for v in blocked)
    return f"{len(blocked)} exit criteria not met: {items}"


def forward_gate_span(positions: Sequence[int], current: int, target: int) -> list[int]:
    """Positions whose exit criteria a forward move from ``current`` to ``target`` crosses."""
    if target <= current:
        return []
    return [p for p in positions if current <= p < target]
