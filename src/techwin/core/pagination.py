"""Paging parameters and the page envelope shared by the API, the web UI and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class PageRequest:
    """Which slice of a list to return (1-based page number)."""

    page: int = 1
    size: int = 50

    @property
    def offset(self) -> int:
        """Rows to skip before this page."""
        return (self.page - 1) * self.size


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results with the total count of matching rows."""

    items: list[T]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        """How many pages the whole result spans (at least one)."""
        return max(1, -(-self.total // self.size))
