"""Huddle and debrief discipline in the web UI: for a period (the last 30 or 90 days, or dates),
each pod's major calls that took place, the share with a huddle and with a debrief, and the
debriefs still owed, as a table and a chart. Managers see the pods of their teams (or every
team's), admins every pod, AEs and SEs the pods they are in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.collaboration import pods, reminders
from techwin.collaboration.access import PodScope, discipline_scope
from techwin.collaboration.models import Pod
from techwin.core.time import start_of_day, utcnow
from techwin.deps import SessionDep, WebUser
from techwin.web.forms import FormState
from techwin.web.rendering import render

router = APIRouter()

PRESETS = (30, 90)
DEFAULT_DAYS = 90
# Longer periods are a question for the metrics pages, and a typo (2205 for 2025) is caught.
MAX_DAYS = 3 * 366
LABELS = {"days": "Period", "start": "From", "end": "To"}
HUDDLE_COLOUR = "#6366f1"
DEBRIEF_COLOUR = "#14b8a6"


@dataclass(frozen=True)
class Period:
    """The days the page counts, both ends included; ``days`` names a preset, else dates."""

    start: date
    end: date
    days: int | None


def period_of(params: Mapping[str, str], today: date) -> tuple[Period, FormState]:
    """The period asked for, and the form showing it (with what is wrong, if anything).

    Dates (``start`` and ``end``) win over a preset (``days``); without either, the last 90
    days. A refused period comes back with the form's errors (and the default period)."""
    default = Period(today - timedelta(days=DEFAULT_DAYS), today, DEFAULT_DAYS)
    raw_start = params.get("start", "").strip()
    raw_end = params.get("end", "").strip()
    if not raw_start and not raw_end:
        raw_days = params.get("days", "").strip()
        days = int(raw_days) if raw_days.isdigit() else None
        if raw_days and days not in PRESETS:
            form = _shown(default, days="")
            form.errors["days"] = "choose the last 30 or the last 90 days, or dates"
            return default, form
        chosen = days or DEFAULT_DAYS
        found = Period(today - timedelta(days=chosen), today, chosen)
        return found, _shown(found, days=str(chosen))
    form = FormState.blank(start=raw_start, end=raw_end, days="")
    start = _day(form, "start", raw_start)
    end = _day(form, "end", raw_end)
    if start is not None and end is not None:
        if start > end:
            form.errors["start"] = "the period starts after it ends"
        elif end > today:
            form.errors["end"] = f"the period cannot end after today ({today.isoformat()})"
        elif (end - start).days > MAX_DAYS:
            form.errors["start"] = "choose a period of at most three years"
    if start is None or end is None or not form.ok:
        return default, form
    return Period(start, end, None), form


def _shown(period: Period, *, days: str) -> FormState:
    return FormState.blank(start=period.start, end=period.end, days=days)


def _day(form: FormState, name: str, text: str) -> date | None:
    if not text:
        form.errors[name] = "this field is required"
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        form.errors[name] = f"'{text[:40]}' is not a date (use YYYY-MM-DD)"
        return None


def scope_label(user: User, scope: PodScope) -> str:
    """What the figures cover, as the page's heading says it."""
    if scope.pod_ids is None:
        return "Every team"
    return "Your teams" if user.role is Role.MANAGER else "Your pods"


@dataclass(frozen=True)
class PodRow:
    """A pod's line in the table (``pod`` None: calls on deals of AEs outside any pod)."""

    figures: reminders.Discipline
    pod: Pod | None


def pod_rows(
    session: Session, scope: PodScope, period: Period, *, known: Sequence[Pod] | None = None
) -> list[PodRow]:
    """The service's figures for the period, narrowed to the pods in ``scope``."""
    figures = reminders.discipline(
        session,
        start=start_of_day(period.start),
        end=start_of_day(period.end) + timedelta(days=1),
        pod_ids=scope.pod_ids,
    )
    by_id = {p.id: p for p in (pods.list_pods(session) if known is None else known)}
    return [
        PodRow(item, by_id.get(item.pod_id) if item.pod_id is not None else None)
        for item in figures
    ]


def _share(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def discipline_chart(rows: Sequence[PodRow]) -> dict[str, Any]:
    """Chart.js data: per pod with calls, the share of major calls with a huddle and a debrief."""
    shown = [r for r in rows if r.figures.major_calls]
    # With few pods, keep each pod's two bars side by side instead of spread across the chart.
    width = min(0.8, 0.12 * max(len(shown), 1))
    return {
        "type": "bar",
        "labels": [r.figures.pod_name for r in shown],
        "datasets": [
            {
                "label": "With a huddle",
                "data": [_share(r.figures.huddle_rate) for r in shown],
                "backgroundColor": HUDDLE_COLOUR,
                "maxBarThickness": 44,
                "categoryPercentage": width,
            },
            {
                "label": "With a debrief",
                "data": [_share(r.figures.debrief_rate) for r in shown],
                "backgroundColor": DEBRIEF_COLOUR,
                "maxBarThickness": 44,
                "categoryPercentage": width,
            },
        ],
        "axes": {"y": {"title": "Share of major calls", "min": 0, "max": 1, "percent": True}},
        "legend": True,
    }


@router.get("/pods/discipline")
def discipline_page(request: Request, session: SessionDep, user: WebUser) -> Response:
    """Per pod: major calls in the period, the share with a huddle and with a debrief, and the
    debriefs owed; a bad period is shown beside its input (422) and no figures are shown."""
    today = utcnow().date()
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    known = pods.list_pods(session)
    scope = discipline_scope(session, user, every_team=params.get("teams", "") == "all")
    period, form = period_of(params, today)
    rows = pod_rows(session, scope, period, known=known) if form.ok else None
    context = {
        "form": form,
        "labels": LABELS,
        "period": period,
        "presets": PRESETS,
        "scope": scope,
        "scope_label": scope_label(user, scope),
        "rows": rows,
        "totals": reminders.CallTally.total(r.figures for r in rows or []),
        "chart": discipline_chart(rows or []),
        "as_of": today,
        "by_dates": bool(params.get("start", "").strip() or params.get("end", "").strip()),
    }
    status = 200 if form.ok else 422
    return render(request, "collaboration/discipline.html", context, status_code=status)
