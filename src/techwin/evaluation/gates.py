"""The ``poc_sign_off`` exit-criterion kind: a deal leaves its proof of concept on the record.

Ticking "the prospect signed off the POC" by hand let a deal move on with nothing behind the
tick. This kind is met only by a POC of the deal whose outcome is one of the accepted ones
(passed or partly passed unless the criterion says otherwise) and whose customer sign-off is
recorded. The hint names the next thing to record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.errors import InvalidInput
from techwin.evaluation.enums import PocOutcome
from techwin.evaluation.models import Poc
from techwin.pipeline.enums import GateSubject
from techwin.pipeline.gates import Evaluation, register_evaluator
from techwin.pipeline.models import ExitCriterion

KIND = "poc_sign_off"
DEFAULT_OUTCOMES = (PocOutcome.PASSED, PocOutcome.PARTIAL)
SIGNABLE = tuple(o for o in PocOutcome if o is not PocOutcome.ABANDONED)


def accepted_outcomes(config: dict[str, Any]) -> tuple[PocOutcome, ...]:
    """The outcomes a signed-off POC must have for the criterion to hold."""
    wanted = config.get("outcomes")
    if not wanted:
        return DEFAULT_OUTCOMES
    return tuple(PocOutcome(str(value)) for value in wanted)


def verdict(pocs: Sequence[Poc], outcomes: Sequence[PocOutcome]) -> Evaluation:
    """Whether one of ``pocs`` (a deal's, any order) was signed off with an accepted outcome,
    and otherwise what to record next."""
    if any(p.signed_off_on is not None and p.outcome in outcomes for p in pocs):
        return Evaluation(met=True)
    if not pocs:
        return Evaluation(False, "record the POC on the deal, then its outcome and sign-off")
    latest = max(pocs, key=lambda p: (p.start_date, p.id))
    if latest.outcome is None:
        return Evaluation(False, f"record the outcome of '{latest.title}', then its sign-off")
    if latest.outcome not in outcomes:
        names = " or ".join(o.label.lower() for o in outcomes)
        return Evaluation(
            False, f"'{latest.title}' {latest.outcome.label.lower()}; a {names} POC is needed"
        )
    return Evaluation(False, f"record who signed off the results of '{latest.title}'")


def evaluate_poc_sign_off(
    session: Session, criteria: Sequence[ExitCriterion], subject_id: int
) -> dict[int, Evaluation]:
    """Met when the deal has a POC signed off by the customer with an accepted outcome."""
    pocs = list(session.scalars(select(Poc).where(Poc.opportunity_id == subject_id)))
    return {c.id: verdict(pocs, accepted_outcomes(c.config)) for c in criteria}


def validate_poc_sign_off_config(
    session: Session, subject: GateSubject, config: dict[str, Any]
) -> None:
    """Deal stages only; ``outcomes`` optional, a list among the outcomes that can be signed off."""
    del session
    if subject is not GateSubject.OPPORTUNITY:
        raise InvalidInput("a POC sign-off can only gate a deal stage", field="kind")
    unknown = sorted(set(config) - {"outcomes"})
    if unknown:
        raise InvalidInput(f"unknown setting {unknown[0]!r}; allowed: outcomes", field="config")
    wanted = config.get("outcomes", list(DEFAULT_OUTCOMES))
    allowed = {o.value for o in SIGNABLE}
    if not isinstance(wanted, list) or not wanted or any(w not in allowed for w in wanted):
        raise InvalidInput(
            f"outcomes must list POC outcomes among {', '.join(sorted(allowed))}",
            field="config.outcomes",
        )


register_evaluator(KIND, evaluate_poc_sign_off, validate_poc_sign_off_config)
