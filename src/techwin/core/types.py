"""Constrained types shared by schemas and routes."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

MAX_ID = 2**31 - 1

# A database id as clients send it: a positive 32-bit integer, so that an absurd number gets a
# 422 naming the field instead of overflowing the database driver.
RecordId = Annotated[int, Interval(ge=1, le=MAX_ID)]
