"""Two in a box in the web UI: pods, charters, SE requests, meetings, huddles, debriefs and
stakeholders; and what the deal page shows of them."""

from __future__ import annotations

from fastapi import APIRouter

from techwin.web.collaboration import charters, deal, meetings, my_day, requests
from techwin.web.collaboration.deal import deal_context

router = APIRouter()
for module in (my_day, requests, deal, meetings, charters):
    router.include_router(module.router)

__all__ = ["deal_context", "router"]
