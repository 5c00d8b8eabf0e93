"""Two in a box in the web UI: pods, charters, SE requests, meetings, huddles, debriefs,
stakeholders and each pod's huddle/debrief discipline; and what the deal page shows of them."""

from __future__ import annotations

from fastapi import APIRouter

from techwin.web.collaboration import (
    calendars,
    charters,
    deal,
    discipline,
    meetings,
    my_day,
    requests,
)
from techwin.web.collaboration.deal import deal_context

router = APIRouter()
# The calendar of many calls comes before the routes of one call (/meetings/{id}...).
for module in (my_day, requests, deal, calendars, meetings, discipline, charters):
    router.include_router(module.router)

__all__ = ["deal_context", "router"]
