"""The technical win in the web UI: status, no-go, POCs with success criteria, competitors;
and what the deal page shows of them."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from techwin.auth.models import User
from techwin.pipeline.models import Opportunity

router = APIRouter()


def deal_context(session: Session, user: User, deal: Opportunity) -> dict[str, object]:
    """What templates/evaluation/_deal.html needs on the deal page."""
    return {}
