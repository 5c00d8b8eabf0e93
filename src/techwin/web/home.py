"""The signed-in person's home: their deals, the leads waiting on them, the lifecycle; for
managers and admins, their team's day instead (requests, SE capacity, discipline, risks); for
product managers, the product gaps."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from techwin.auth.enums import Role
from techwin.collaboration import team
from techwin.core.time import utcnow
from techwin.deps import SessionDep, WebUser
from techwin.evaluation import queries as evaluation
from techwin.pipeline import overview
from techwin.web.rendering import redirect, render

router = APIRouter()

DQ_DAYS = 90  # the technical wins decided over a quarter


@router.get("/")
def home(request: Request, session: SessionDep, user: WebUser) -> Response:
    """A short dashboard for the signed-in person (a manager's is about their team; a product
    manager's home is the ranking of product gaps)."""
    if user.role is Role.PM:
        return redirect("/gaps")
    if user.is_manager_or_admin:
        found = team.team_home(session, actor=user)
        context: dict[str, object] = {"team": found, "dq": None, "dq_days": DQ_DAYS}
        if found.has_team:
            today = utcnow().date()
            context["dq"] = evaluation.dq_rate(
                session,
                start=today - timedelta(days=DQ_DAYS),
                end=today,
                team_ids=None if found.every_team else {t.id for t in found.teams},
            )
        return render(request, "home/team.html", context)
    context = {
        "deals": overview.open_deals_for(session, user_id=user.id),
        "summary": overview.open_deal_summary(session, user_id=user.id),
        "leads": overview.leads_needing_action(session, owner_id=user.id),
        "mine": overview.count_contacts_by_stage(session, owner_id=user.id),
        "everyone": overview.count_contacts_by_stage(session),
    }
    return render(request, "home/index.html", context)
