"""Paging parameters and the page envelope shared by the API, the web UI and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_PAGE_SIZE = 200
COUNT_CAP = 10_000  # lists count matching rows up to this; beyond it they say "10,000+"


@dataclass(frozen=True)
class PageRequest:
    """Which slice of a list to return: a 1-based page number, or a cursor (the page after the
    row the cursor names), which stays fast however deep the list goes."""

    page: int = 1
    size: int = 50
    cursor: str | None = None

    @property
    def offset(self) -> int:
        """Rows to skip before this page."""
        return (self.page - 1) * self.size


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results with the count of matching rows (exact up to :data:`COUNT_CAP`) and,
    when more rows follow, the cursor of the next page."""

    items: list[T]
    total: int
    page: int
    size: int
    total_exact: bool = True
    next_cursor: str | None = None
    cursor: str | None = None

    @property
    def pages(self) -> int:
        """How many pages the whole result spans (at least one)."""
        return max(1, -(-self.total // self.size))
