"""Payload validation errors in the house format: the first field and reason up front."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from techwin.core.inputs import error_reason


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    return ".".join(parts) or "body"


def validation_errors(errors: Sequence[Any]) -> dict[str, Any]:
    """``{"error": "ValidationError", "detail": "field: reason", "field": …, "errors": [...]}``."""
    items = [
        {
            "field": _field(e.get("loc", ())),
            "reason": error_reason(e),
        }
        for e in errors
    ]
    first = items[0] if items else {"field": "body", "reason": "invalid"}
    return {
        "error": "ValidationError",
        "detail": f"{first['field']}: {first['reason']}",
        "field": first["field"],
        "errors": items,
    }
