"""Pure nurturing rules: placeholders, business days, choosing a tier."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from techwin.errors import InvalidInput

PLACEHOLDERS = (
    "first_name",
    "last_name",
    "full_name",
    "company",
    "title",
    "owner_name",
    "owner_email",
)
_PATTERN = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in ``text`` that we cannot fill, sorted."""
    return sorted({m.group(1) for m in _PATTERN.finditer(text)} - set(PLACEHOLDERS))


def check_template(text: str, *, field: str) -> None:
    """Refuse a template that names a placeholder we cannot fill."""
    unknown = unknown_placeholders(text)
    if unknown:
        raise InvalidInput(
            f"unknown placeholder {{{{{unknown[0]}}}}}; available: {', '.join(PLACEHOLDERS)}",
            field=field,
        )


def render(text: str, values: Mapping[str, str | None]) -> str:
    """Fill ``{{placeholder}}`` marks; an empty value leaves a readable blank, never the mark."""
    return _PATTERN.sub(lambda m: values.get(m.group(1)) or "", text)


def add_business_days(start: datetime, days: int) -> datetime:
    """``start`` moved forward by ``days`` working days (Saturday and Sunday skipped)."""
    moment = start
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            remaining -= 1
    return moment


def choose_tier(score: float, tiers: Sequence[tuple[str, float]]) -> str | None:
    """The key of the highest tier whose minimum ``score`` reaches (tiers in any order)."""
    for key, minimum in sorted(tiers, key=lambda t: -t[1]):
        if score >= minimum:
            return key
    return None
