"""Pure scoring arithmetic: fit conditions, engagement decay, reasons that add up to the score."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from techwin.errors import InvalidInput
from techwin.scoring.enums import EventKind, Operator, RuleCategory

# Built-in fields a fit rule can look at, with their type. Custom fields of contacts and accounts
# join them as ``contact.<key>`` and ``account.<key>`` (see :func:`custom_rule_field`).
FIT_FIELDS: dict[str, str] = {
    "title": "text",
    "seniority": "category",
    "department": "text",
    "source": "category",
    "industry": "category",
    "region": "category",
    "employee_count": "number",
    "email_domain": "text",
}

OPERATORS_BY_TYPE = {
    "text": {Operator.EQUALS, Operator.IN, Operator.CONTAINS, Operator.IS_SET},
    "category": {Operator.EQUALS, Operator.IN, Operator.IS_SET},
    "number": {Operator.EQUALS, Operator.GTE, Operator.LTE, Operator.BETWEEN, Operator.IS_SET},
    "boolean": {Operator.EQUALS, Operator.IS_SET},
    "date": {Operator.GTE, Operator.LTE, Operator.BETWEEN, Operator.IS_SET},
}
# How each custom field type is judged by fit rules.
CUSTOM_KINDS = {
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "category": "category",
    "text": "text",
}
CUSTOM_PREFIXES = ("contact", "account")


def custom_rule_field(entity: str, key: str) -> str:
    """The name a fit rule uses for a custom field: ``contact.<key>`` or ``account.<key>``."""
    return f"{entity}.{key}"


MAX_ABS_POINTS = 1000.0


@dataclass(frozen=True)
class RuleSpec:
    """A scoring rule as the arithmetic needs it."""

    id: int
    label: str
    category: RuleCategory
    points: float
    field: str | None = None
    operator: Operator | None = None
    value: Any = None
    event_kind: EventKind | None = None
    half_life_days: float | None = None
    max_points: float | None = None


@dataclass(frozen=True)
class Reason:
    """One rule's contribution to a score."""

    rule_id: int
    label: str
    points: float
    category: RuleCategory


@dataclass(frozen=True)
class Score:
    """A score and the reasons that add up to it."""

    fit: float
    engagement: float
    total: float
    reasons: list[Reason]


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{field} must be a number", field=field)
    return float(value)


def _iso_date(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput("a date is written YYYY-MM-DD", field="value")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field="value") from None


def validate_rule(spec: RuleSpec, fields: Mapping[str, str] = FIT_FIELDS) -> None:
    """Refuse a rule with an unknown field, a wrong operator or value, or a non-numeric weight.

    ``fields`` maps every field a fit rule may use to its kind (the built-in fields plus the
    organisation's custom fields).
    """
    _number(spec.points, "points")
    if abs(spec.points) > MAX_ABS_POINTS:
        raise InvalidInput(
            f"points must be between -{MAX_ABS_POINTS:g} and {MAX_ABS_POINTS:g}", field="points"
        )
    if spec.category is RuleCategory.ENGAGEMENT:
        if spec.event_kind is None:
            raise InvalidInput("an engagement rule names an event kind", field="event_kind")
        if spec.half_life_days is not None and _number(spec.half_life_days, "half_life_days") <= 0:
            raise InvalidInput("half_life_days must be positive", field="half_life_days")
        if spec.max_points is not None and _number(spec.max_points, "max_points") <= 0:
            raise InvalidInput("max_points must be positive", field="max_points")
        return
    if spec.field is None or spec.field not in fields:
        raise InvalidInput(
            f"unknown field {spec.field!r}; fit rules can use: {', '.join(fields)}",
            field="field",
        )
    kind = fields[spec.field]
    if spec.operator not in OPERATORS_BY_TYPE[kind]:
        allowed = ", ".join(sorted(o.value for o in OPERATORS_BY_TYPE[kind]))
        raise InvalidInput(
            f"{spec.field} is a {kind} field; operators: {allowed}", field="operator"
        )
    value = spec.value
    if spec.operator is Operator.IS_SET:
        return
    if spec.operator in (Operator.IN, Operator.CONTAINS):
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v for v in value)
        ):
            raise InvalidInput(
                f"{spec.operator.value} needs a non-empty list of texts", field="value"
            )
    elif spec.operator is Operator.BETWEEN:
        if not isinstance(value, list) or len(value) != 2:
            raise InvalidInput("between needs [low, high]", field="value")
        bounds: list[Any] = (
            [_iso_date(v) for v in value]
            if kind == "date"
            else [_number(v, "value") for v in value]
        )
        if bounds[0] > bounds[1]:
            raise InvalidInput("between needs low ≤ high", field="value")
    elif kind == "number":
        _number(value, "value")
    elif kind == "date":
        _iso_date(value)
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise InvalidInput("a yes/no field is compared with true or false", field="value")
    elif not isinstance(value, str) or not value:
        raise InvalidInput("equals needs a text value", field="value")


def matches(spec: RuleSpec, profile: Mapping[str, Any]) -> bool:
    """Whether a fit rule holds for a contact's profile (missing values never match)."""
    actual = profile.get(spec.field or "")
    if spec.operator is Operator.IS_SET:
        return actual not in (None, "")
    if actual is None or actual == "":
        return False
    value = spec.value
    if spec.operator is Operator.EQUALS:
        if isinstance(actual, bool) or isinstance(value, bool):
            return actual is value
        return (
            str(actual).lower() == str(value).lower()
            if isinstance(actual, str)
            else actual == value
        )
    if spec.operator is Operator.IN:
        return str(actual).lower() in {str(v).lower() for v in value}
    if spec.operator is Operator.CONTAINS:
        text = str(actual).lower()
        return any(str(v).lower() in text for v in value)
    try:
        if spec.operator is Operator.GTE:
            return bool(_ordered(actual) >= _ordered(value))
        if spec.operator is Operator.LTE:
            return bool(_ordered(actual) <= _ordered(value))
        if spec.operator is Operator.BETWEEN:
            return bool(_ordered(value[0]) <= _ordered(actual) <= _ordered(value[1]))
    except (TypeError, ValueError):
        return False  # a stored value of another type (e.g. text in a number field) never matches
    return False


def _ordered(value: Any) -> Any:
    """Dates (ISO text) compare as text, everything else as a number."""
    return (
        value[:10]
        if isinstance(value, str) and len(value) >= 10 and value[4] == "-"
        else (float(value))
    )


def decayed(points: float, *, age_days: float, half_life_days: float) -> float:
    """Points halve every ``half_life_days``; events from the future count in full."""
    return float(points * 0.5 ** (max(0.0, age_days) / half_life_days))


def compute_score(
    rules: Sequence[RuleSpec],
    profile: Mapping[str, Any],
    events: Iterable[tuple[EventKind, datetime]],
    *,
    now: datetime,
    default_half_life_days: float,
) -> Score:
    """Fit points for every matching rule plus decayed engagement points, one reason per rule.

    Each reason is rounded to one decimal and the total is the sum of the rounded reasons, so
    the reasons always add up to the score shown.
    """
    reasons: list[Reason] = []
    for rule in rules:
        if rule.category is RuleCategory.FIT and matches(rule, profile):
            reasons.append(Reason(rule.id, rule.label, round(rule.points, 1), RuleCategory.FIT))
    by_kind: dict[EventKind, list[datetime]] = {}
    for kind, at in events:
        by_kind.setdefault(kind, []).append(at)
    for rule in rules:
        if rule.category is not RuleCategory.ENGAGEMENT or rule.event_kind not in by_kind:
            continue
        half_life = rule.half_life_days or default_half_life_days
        times = by_kind[rule.event_kind]
        points = sum(
            decayed(
                rule.points, age_days=(now - at).total_seconds() / 86400, half_life_days=half_life
            )
            for at in times
        )
        if rule.max_points is not None:
            points = min(points, rule.max_points)
        rounded = round(points, 1)
        if rounded:
            label = f"{rule.label} ×{len(times)}" if len(times) > 1 else rule.label
            reasons.append(Reason(rule.id, label, rounded, RuleCategory.ENGAGEMENT))
    fit = round(sum(r.points for r in reasons if r.category is RuleCategory.FIT), 1)
    engagement = round(sum(r.points for r in reasons if r.category is RuleCategory.ENGAGEMENT), 1)
    return Score(fit=fit, engagement=engagement, total=round(fit + engagement, 1), reasons=reasons)
