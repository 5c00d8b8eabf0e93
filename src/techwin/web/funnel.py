"""The funnel report: how many leads reached each lifecycle stage in a period."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from techwin.core.time import utcnow
from techwin.deps import SessionDep
from techwin.errors import InvalidInput
from techwin.pipeline import reports
from techwin.web import options
from techwin.web.forms import Filters
from techwin.web.pages import fragment
from techwin.web.presenters import funnel_chart
from techwin.web.rendering import render

router = APIRouter()

SPLITS = {"": "No split", "source": "Lead source", "owner": "Owner"}


@router.get("/funnel")
def funnel_page(request: Request, session: SessionDep) -> Response:
    """Reached counts, conversion and median days in stage, overall or split by source/owner."""
    f = Filters(request.query_params)
    end = f.day("end") or utcnow().date()
    start = f.day("start") or end - timedelta(days=365)
    split = f.one_of("split_by", SPLITS, "") or None
    report = None
    if not f.errors:
        try:
            report = reports.funnel(
                session,
                start=start,
                end=end,
                split_by=split,
                owner_id=f.integer("owner_id"),
                source=f.text("source"),
            )
        except InvalidInput as exc:
            f.errors[exc.field or "start"] = exc.message
    context = {
        "f": f,
        "start": start,
        "end": end,
        "split": split or "",
        "splits": SPLITS,
        "report": report,
        "chart": funnel_chart(report) if report else None,
        "people": options.people(session),
        "sources": options.sources(session),
    }
    name = "funnel/_report.html" if fragment(request, "report") else "funnel/index.html"
    return render(request, name, context)
