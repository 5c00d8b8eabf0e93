"""The list envelope every paginated endpoint returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from techwin.core.pagination import COUNT_CAP, Page

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    """One page of items with the total count."""

    items: list[T]
    total: int = Field(description=f"matching rows, counted up to {COUNT_CAP:,}")
    total_exact: bool = Field(description=f"false when more than {COUNT_CAP:,} rows match")
    page: int
    size: int
    pages: int
    next_cursor: str | None = Field(
        description="pass as cursor for the next page; null on the last page"
    )


def page_out(page: Page[Any], items: Sequence[BaseModel]) -> dict[str, object]:
    """The envelope for ``page`` with already-serialised ``items``."""
    return {
        "items": items,
        "total": page.total,
        "total_exact": page.total_exact,
        "page": page.page,
        "size": page.size,
        "pages": page.pages,
        "next_cursor": page.next_cursor,
    }
