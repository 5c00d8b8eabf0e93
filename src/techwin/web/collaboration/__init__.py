"""Two in a box in the web UI: pods, charters, SE requests, meetings, huddles, debriefs,
stakeholders and each pod's huddle/debrief discipline; and what the deal page shows of them."""

from __future__ import annotations

from fastapi import APIRouter

from techwin.web.collaboration import charters, deal, discipline, meetings, my_day, requests
from techwin.web.collaboration.deal import deal_context

router = APIRouter()
for module in (my_day, requests, deal, meetings, discipline, charters):
    router.include_router(module.router)

__all__ = ["deal_context", "router"]
