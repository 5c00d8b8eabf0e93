"""Keyset ("seek") pagination: the next page starts after the last row's sort key instead of
skipping rows with OFFSET, so page 10,000 costs what page 1 costs.

A cursor is the last row's values of the ORDER BY columns (the id last, as the tie-breaker),
encoded as URL-safe text. It carries no secret and grants nothing: it only says where to start.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from techwin.core.pagination import COUNT_CAP, Page, PageRequest
from techwin.errors import InvalidInput


def _column(order: ColumnElement[Any]) -> tuple[Any, bool]:
    """The column of an ORDER BY element and whether it sorts descending."""
    if isinstance(order, UnaryExpression) and order.modifier in (
        operators.desc_op,
        operators.asc_op,
    ):
        return order.element, order.modifier is operators.desc_op
    return order, False


def after(order: Sequence[ColumnElement[Any]], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows that come strictly after ``values`` in ``order`` (asc or desc per column).

    The sort columns must not be NULL (ours are required columns), since NULL compares to
    nothing.
    """
    if len(order) != len(values):
        raise InvalidInput("the cursor does not fit this sort order", field="cursor")
    clauses: list[ColumnElement[bool]] = []
    for i, (element, value) in enumerate(zip(order, values, strict=True)):
        column, descending = _column(element)
        if value is None:
            return false()
        equal_before = [_column(order[j])[0] == values[j] for j in range(i)]
        step = column < value if descending else column > value
        clauses.append(and_(*equal_before, step))
    return or_(*clauses)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"day": value.isoformat()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    """The cursor for a row whose sort values are ``values``."""
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _typed(value: Any, order: ColumnElement[Any]) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(str(value["t"]))
        if "day" in value:
            return date.fromisoformat(str(value["day"]))
        if "d" in value:
            return Decimal(str(value["d"]))
        raise ValueError("unknown value")
    enum_class = getattr(_column(order)[0].type, "enum_class", None)
    if enum_class is not None and isinstance(value, str):
        return enum_class(value)
    return value


def decode_cursor(cursor: str, order: Sequence[ColumnElement[Any]]) -> list[Any]:
    """The sort values a cursor carries, typed for ``order``; a clear error when it is not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(order):
            raise ValueError("wrong length")
        return [_typed(v, o) for v, o in zip(values, order, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "the cursor is not one this list gave out (or the sort changed); start again "
            "without it",
            field="cursor",
        ) from None


def seekable(order: Sequence[ColumnElement[Any]]) -> bool:
    """Whether keyset pagination works for ``order``: plain columns that are never NULL."""
    for element in order:
        column, _descending = _column(element)
        if getattr(column, "nullable", True) or not getattr(column, "key", None):
            return False
    return True


def paged(
    session: Session,
    query: Select[Any],
    order: Sequence[ColumnElement[Any]],
    page: PageRequest,
    *,
    options: Sequence[Any] = (),
    count_cap: int = COUNT_CAP,
) -> Page[Any]:
    """One page of ``query`` in ``order``: by cursor when one is given, else by page number.

    The count stops at ``count_cap`` (counting a million rows to print "1,000,000" is not worth
    a slow page). ``next_cursor`` is set when more rows follow and the order allows seeking.
    """
    counted = session.scalar(
        select(func.count()).select_from(query.order_by(None).limit(count_cap + 1).subquery())
    )
    total = int(counted or 0)
    seek = seekable(order)
    rows_query = query.options(*options).order_by(*order)
    if page.cursor:
        if not seek:
            raise InvalidInput(
                "this sort order pages by number; leave out the cursor", field="cursor"
            )
        rows_query = rows_query.where(after(order, decode_cursor(page.cursor, order)))
    else:
        rows_query = rows_query.offset(page.offset)
    rows = list(session.scalars(rows_query.limit(page.size + 1)).unique())
    more = len(rows) > page.size
    rows = rows[: page.size]
    next_cursor = None
    if seek and more and rows:
        next_cursor = encode_cursor([getattr(rows[-1], _column(o)[0].key) for o in order])
    return Page(
        items=rows,
        total=min(total, count_cap),
        page=page.page,
        size=page.size,
        total_exact=total <= count_cap,
        next_cursor=next_cursor,
        cursor=page.cursor,
    )
