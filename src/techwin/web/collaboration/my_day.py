"""The SE's home for the day: requests waiting, upcoming calls with their huddle status,
debriefs owed, huddles missing and deals at risk (a manager also sees the queue to assign)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from techwin.collaboration.huddles import on_time
from techwin.collaboration.overview import my_day
from techwin.collaboration.reminders import lead_hours_for
from techwin.core.time import utcnow
from techwin.deps import SessionDep, WebUser
from techwin.web import evaluation
from techwin.web.rendering import render

router = APIRouter()


@router.get("/my-day")
def my_day_page(request: Request, session: SessionDep, user: WebUser) -> Response:
    """What needs the signed-in person today."""
    now = utcnow()
    day = my_day(session, user=user, now=now)
    lead = lead_hours_for(session, user)
    huddles = {
        m.id: ("done" if on_time(m.huddle, m, lead) else "late") if m.huddle else "missing"
        for m in day.upcoming
    }
    owed = [r for r in day.reminders if r.kind == "debrief_owed"]
    missing = [r for r in day.reminders if r.kind == "huddle_missing"]
    context = {
        **evaluation.my_day_context(session, user),  # the SE's running POCs
        "day": day,
        "now": now,
        "lead_hours": lead,
        "huddles": huddles,
        "owed": owed,
        "missing": missing,
    }
    return render(request, "collaboration/my_day.html", context)
