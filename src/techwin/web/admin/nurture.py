"""Nurturing as configured: the score tiers and what each gives a lead, the sequences and their
steps; and running the daily nurture job by hand."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from techwin.deps import SessionDep, WebUser
from techwin.scoring.nurture import service as nurture
from techwin.web.rendering import redirect, render
from techwin.web.scoring_presenters import TASK_KIND_LABELS

router = APIRouter()

ACTION_LABELS = {
    "owner_task": "A call task for the owner",
    "sequence": "A sequence of touches",
    "newsletter": "The newsletter only",
}


@router.get("/admin/nurture")
def nurture_page(request: Request, session: SessionDep) -> Response:
    """Tiers from the hottest down, and every sequence with its steps."""
    sequences = nurture.list_sequences(session)
    context = {
        "tiers": nurture.list_tiers(session),
        "sequences": sequences,
        "sequence_names": {s.key: s.name for s in sequences},
        "actions": ACTION_LABELS,
        "kinds": TASK_KIND_LABELS,
    }
    return render(request, "admin/nurture.html", context)


@router.post("/admin/nurture/run")
def run(session: SessionDep, user: WebUser) -> Response:
    """Tier every lead and turn due steps into tasks now (normally a daily job)."""
    report = nurture.run_nurture(session, actor=user)
    tiered = ", ".join(f"{count:,} {key}" for key, count in report.tiered.items())
    return redirect(
        "/admin/nurture",
        flash=(
            f"Nurture run: {tiered or 'no leads'} · {report.owner_tasks + report.step_tasks} "
            f"tasks created · {report.enrolled} enrolled."
        ),
    )
