"""Optimistic concurrency: a stale write is refused with the current values."""

from __future__ import annotations

from typing import Any

from techwin.errors import Conflict


def check_version(current: int, expected: int | None, *, what: str, values: dict[str, Any]) -> None:
    """Raise Conflict when the client edited an older version than the stored one."""
    if expected is not None and expected != current:
        raise Conflict(
            f"this {what} was changed by someone else (you edited version {expected}, "
            f"it is now at version {current}); reload and apply your change again",
            field="version",
            extra={"current": values},
        )
