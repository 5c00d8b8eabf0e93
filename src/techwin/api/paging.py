"""The list envelope every paginated endpoint returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from techwin.core.pagination import Page

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    """One page of items with the total count."""

    items: list[T]
    total: int
    page: int
    size: int
    pages: int


def page_out(page: Page[Any], items: Sequence[BaseModel]) -> dict[str, object]:
    """The envelope for ``page`` with already-serialised ``items``."""
    return {
        "items": items,
        "total": page.total,
        "page": page.page,
        "size": page.size,
        "pages": page.pages,
    }
