"""A small demo organisation generated into the per-test transaction (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from techwin.demo import DemoSummary, generate

TODAY = date(2026, 11, 23)


@pytest.fixture
def demo(session: Session) -> DemoSummary:
    """The ``small`` demo with the default seed, dated up to :data:`TODAY`."""
    summary = generate(session, scale="small", seed=42, today=TODAY)
    session.flush()
    return summary
