"""The technical win in the web UI: status, no-go, POCs with success criteria, competitors;
and what the deal page shows of them (see :func:`deal_context`)."""

from __future__ import annotations

from fastapi import APIRouter

from techwin.web.evaluation import deal, pocs
from techwin.web.evaluation.common import history, validated
from techwin.web.evaluation.deal import deal_context, deal_page, my_day_context

router = APIRouter()
router.include_router(deal.router)
router.include_router(pocs.router)

__all__ = ["deal_context", "deal_page", "history", "my_day_context", "router", "validated"]
