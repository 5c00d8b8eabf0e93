"""The ``qualification`` exit-criterion kind: elements of a framework rated high enough."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from techwin.auth.enums import Role
from techwin.errors import InvalidInput
from techwin.pipeline.enums import GateSubject
from techwin.pipeline.gates import Evaluation, register_evaluator
from techwin.pipeline.models import ExitCriterion
from techwin.qualification import rules
from techwin.qualification.assessments import find_assessment, latest_ratings
from techwin.qualification.frameworks import current_framework


def evaluate_qualification(
    session: Session, criteria: Sequence[ExitCriterion], subject_id: int
) -> dict[int, Evaluation]:
    """Met when every required element's latest score (by the allowed roles) reaches the minimum.

    ``config``: ``framework`` (key), ``elements`` (keys, or ``"all"``), ``min_score`` (default 2),
    ``rated_by_roles`` (optional: only ratings by these roles count, e.g. ``["se"]``).
    """
    results: dict[int, Evaluation] = {}
    for criterion in criteria:
        config = criterion.config
        key = str(config.get("framework", ""))
        min_score = int(config.get("min_score", rules.VALIDATED))
        roles = [str(r) for r in config.get("rated_by_roles", [])] or None
        assessment = find_assessment(
            session, subject=criterion.subject, subject_id=subject_id, framework_key=key
        )
        framework = current_framework(session, key)
        wanted = config.get("elements", "all")
        required = (
            [e.key for e in framework.elements] if wanted == "all" else [str(k) for k in wanted]
        )
        scores = (
            {k: r.score for k, r in latest_ratings(session, assessment.id, roles=roles).items()}
            if assessment
            else {}
        )
        missing = rules.unmet_elements(scores, required, min_score=min_score)
        names = {e.key: e.name for e in framework.elements}
        label = rules.SCALE[min_score].lower()
        by = f" by {' or '.join(r.upper() for r in roles)}" if roles else ""
        hint = (
            ""
            if not missing
            else f"rate {', '.join(names.get(k, k) for k in missing)} as {label}{by}"
        )
        results[criterion.id] = Evaluation(met=not missing, hint=hint)
    return results


def validate_qualification_config(
    session: Session, subject: GateSubject, config: dict[str, Any]
) -> None:
    """Refuse a gate that names an unknown framework, element, score or role."""
    allowed = {"framework", "elements", "min_score", "rated_by_roles"}
    unknown = sorted(set(config) - allowed)
    if unknown:
        raise InvalidInput(
            f"unknown setting {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}", field="config"
        )
    framework = current_framework(session, str(config.get("framework", "")))
    keys = [e.key for e in framework.elements]
    wanted = config.get("elements", "all")
    if wanted != "all":
        if not isinstance(wanted, list) or not wanted:
            raise InvalidInput(
                'elements must be "all" or a list of element keys', field="config.elements"
            )
        missing = [str(k) for k in wanted if k not in keys]
        if missing:
            raise InvalidInput(
                f"{framework.name} has no element {missing[0]!r}; its elements: {', '.join(keys)}",
                field="config.elements",
            )
    min_score = config.get("min_score", rules.VALIDATED)
    if not isinstance(min_score, int) or min_score not in rules.SCALE:
        raise InvalidInput("min_score must be 0, 1, 2 or 3", field="config.min_score")
    roles = config.get("rated_by_roles", [])
    valid_roles = {r.value for r in Role}
    if not isinstance(roles, list) or any(r not in valid_roles for r in roles):
        raise InvalidInput(
            f"rated_by_roles must list roles among {', '.join(sorted(valid_roles))}",
            field="config.rated_by_roles",
        )


register_evaluator("qualification", evaluate_qualification, validate_qualification_config)
