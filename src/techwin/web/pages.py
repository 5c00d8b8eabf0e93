"""Small helpers shared by the page modules."""

from __future__ import annotations

from fastapi import Request


def fragment(request: Request, target: str) -> bool:
    """HTMX asked for just the element ``#target`` (filters, paging), not the whole page."""
    return bool(request.headers.get("hx-request")) and request.headers.get("hx-target") == target
