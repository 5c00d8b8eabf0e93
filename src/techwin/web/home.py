"""The signed-in person's home: their deals, the leads waiting on them, the lifecycle; for
managers and admins, their team's day instead (requests, SE capacity, discipline, risks)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from techwin.collaboration import team
from techwin.deps import SessionDep, WebUser
from techwin.pipeline import overview
from techwin.web.rendering import render

router = APIRouter()


@router.get("/")
def home(request: Request, session: SessionDep, user: WebUser) -> Response:
    """A short dashboard for the signed-in person (a manager's is about their team)."""
    if user.is_manager_or_admin:
        return render(request, "home/team.html", {"team": team.team_home(session, actor=user)})
    context = {
        "deals": overview.open_deals_for(session, user_id=user.id),
        "summary": overview.open_deal_summary(session, user_id=user.id),
        "leads": overview.leads_needing_action(session, owner_id=user.id),
        "mine": overview.count_contacts_by_stage(session, owner_id=user.id),
        "everyone": overview.count_contacts_by_stage(session),
    }
    return render(request, "home/index.html", context)
