"""Product gaps in the web UI: the product manager's page ranked by revenue impact (with its
CSV export), a gap's page with its deals and workflow, the gap form, and linking a gap from a
deal's page."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from techwin.auth.audit import list_audit
from techwin.auth.models import User
from techwin.core.csvout import csv_lines
from techwin.core.money import CURRENCIES
from techwin.core.pagination import Page, PageRequest
from techwin.deps import SessionDep, WebUser
from techwin.errors import InvalidInput, NotFound
from techwin.feedback import gaps, queries
from techwin.feedback.enums import SEVERITY_LABELS, STATUS_LABELS, GapSeverity, GapStatus
from techwin.feedback.models import ProductGap
from techwin.feedback.schemas import GapIn, GapLinkIn, GapPatch, GapStatusIn
from techwin.pipeline import opportunities
from techwin.pipeline.models import Opportunity
from techwin.web import evaluation
from techwin.web.forms import Filters, FormState, attempt
from techwin.web.pages import fragment
from techwin.web.rendering import redirect, render
from techwin.web.security import FormDep

router = APIRouter()

LABELS = {
    "title": "Title",
    "product_area": "Product area",
    "severity": "Severity",
    "description": "What is missing",
    "workaround": "Workaround",
    "deal_ids": "Deal",
    "opportunity_id": "Deal",
    "lost_because": "Loss reason",
    "status": "Status",
    "reason": "Reason",
    "note": "Note",
    "gap_id": "Gap",
}
SEVERITY_OPTIONS = [(s.value, label) for s, label in SEVERITY_LABELS.items()]
VIEWS = {
    "open": (
        "Open gaps",
        (GapStatus.NEW, GapStatus.REVIEWED, GapStatus.PLANNED),
    ),
    "all": ("All statuses", ()),
    **{s.value: (label, (s,)) for s, label in STATUS_LABELS.items()},
}
# Status buttons on a gap's page: the verb for each move.
MOVE_VERBS = {
    GapStatus.REVIEWED: "Mark reviewed",
    GapStatus.PLANNED: "Plan it",
    GapStatus.SHIPPED: "Mark shipped",
    GapStatus.WONT_DO: "Won't do",
}
CHART_GAPS = 10
GAP_TITLES = {
    "gap.created": "Recorded",
    "product_gap.update": "Edited",
    "gap.status": "Status",
    "gap.linked": "Deal linked",
    "gap.unlinked": "Deal unlinked",
    "gap.loss-reason": "Loss reason",
}


def _filters(f: Filters) -> tuple[queries.GapFilter, str, str | None]:
    view = f.one_of("status", VIEWS, "open")
    currency = (f.text("currency") or "").upper() or None
    if currency is not None and currency not in CURRENCIES:
        f.errors["currency"] = f"currency: '{currency}' is not one of {', '.join(CURRENCIES)}"
        currency = None
    filters = queries.GapFilter(
        statuses=VIEWS[view][1],
        severity=f.choice("severity", GapSeverity),
        product_area=f.text("area"),
        q=f.text("q"),
    )
    return filters, view, currency


def _chart(ranking: queries.GapRanking) -> dict[str, Any]:
    """Chart.js data: the top gaps' blocked and lost ACV in the ranking currency."""
    top = [r for r in ranking.gaps if r.impact.total(ranking.currency) > 0][:CHART_GAPS]
    currency = ranking.currency

    def label(text: str) -> str:
        return text if len(text) <= 38 else text[:36].rstrip() + "…"

    return {
        "labels": [f"{r.rank}. {label(r.gap.title)}" for r in top],
        "datasets": [
            {
                "label": f"Blocked on open deals ({currency})",
                "data": [float(r.impact.blocked.get(currency, Decimal(0))) for r in top],
                "backgroundColor": "#6366f1",
            },
            {
                "label": f"Lost where it was a reason ({currency})",
                "data": [float(r.impact.lost.get(currency, Decimal(0))) for r in top],
                "backgroundColor": "#f04438",
            },
        ],
        "horizontal": True,
    }


@dataclass(frozen=True)
class Summary:
    """The figures above the ranking (deals counted once across gaps)."""

    gaps: int
    deal_breakers: int
    held_up: Decimal
    blocked: Decimal
    lost: Decimal
    deals: int
    others: dict[str, Decimal]


def _summary(ranking: queries.GapRanking) -> Summary:
    overall, currency = ranking.overall, ranking.currency
    return Summary(
        gaps=len(ranking.gaps),
        deal_breakers=sum(r.gap.severity is GapSeverity.DEAL_BREAKER for r in ranking.gaps),
        held_up=overall.total(currency),
        blocked=overall.blocked.get(currency, Decimal(0)),
        lost=overall.lost.get(currency, Decimal(0)),
        deals=overall.deals,
        others=overall.others(currency),
    )


@router.get("/gaps")
def gap_list(request: Request, session: SessionDep, user: WebUser) -> Response:
    """Product gaps ranked by the revenue they hold up, with a chart of the top ten."""
    f = Filters(request.query_params)
    filters, view, currency = _filters(f)
    ranking = queries.rank_gaps(session, filters=filters, currency=currency)
    request_page = f.page(default_size=50)
    window = ranking.gaps[request_page.offset : request_page.offset + request_page.size]
    page = Page(
        items=window, total=len(ranking.gaps), page=request_page.page, size=request_page.size
    )
    context = {
        "f": f,
        "view": view,
        "views": [(key, label) for key, (label, _) in VIEWS.items()],
        "ranking": ranking,
        "page": page,
        "summary": _summary(ranking),
        "chart": _chart(ranking),
        "severities": SEVERITY_OPTIONS,
        "areas": queries.product_areas(session),
        "can_report": gaps.can_report(user),
        "export_query": request.url.query,
    }
    swapped = fragment(request, "gap-report")
    context["swapped"] = swapped  # the export link follows the filters out of band
    name = "feedback/_results.html" if swapped else "feedback/list.html"
    return render(request, name, context)


@router.get("/gaps/export")
def gap_export(request: Request, session: SessionDep) -> Response:
    """The gaps the page shows, in ranking order, as CSV."""
    f = Filters(request.query_params)
    filters, _view, currency = _filters(f)
    if f.errors:
        raise InvalidInput(next(iter(f.errors.values())))
    rows = list(queries.export_rows(session, filters=filters, currency=currency))
    return StreamingResponse(
        csv_lines(queries.EXPORT_HEADER, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="product-gaps-{date.today()}.csv"'},
    )


def _deal_choices(
    session: Session, *, q: str | None, selected: int | None
) -> list[tuple[str, str]]:
    """Deals for the picker: the best matches by name, the current choice kept first."""
    page = opportunities.list_opportunities(
        session,
        filters=opportunities.OpportunityFilter(q=q),
        page=PageRequest(page=1, size=50),
        sort="-created",
    )
    deals = list(page.items)
    if selected is not None and all(d.id != selected for d in deals):
        with contextlib.suppress(NotFound):
            deals.insert(0, opportunities.get_opportunity(session, selected))
    return [(str(d.id), f"{d.name} · {d.account.name} ({d.stage.name})") for d in deals]


@router.get("/gaps/deal-options")
def deal_options(request: Request, session: SessionDep) -> Response:
    """``<option>``s for the deal picker, filtered by what the person typed."""
    f = Filters(request.query_params)
    selected = f.integer("deal_ids") or f.integer("opportunity_id")
    choices = _deal_choices(session, q=f.text("deal_q"), selected=selected)
    context = {"choices": choices, "selected": str(selected or ""), "blank": "— choose a deal —"}
    return render(request, "accounts/_options.html", context)


def _form_page(
    request: Request,
    session: Session,
    form: FormState,
    *,
    gap: ProductGap | None = None,
    status: int = 200,
) -> Response:
    chosen = form.chosen("deal_ids")
    selected = int(chosen[0]) if chosen and chosen[0].isdigit() else None
    context = {
        "form": form,
        "gap": gap,
        "labels": LABELS,
        "severities": SEVERITY_OPTIONS,
        "areas": queries.product_areas(session),
        "deals": [] if gap else _deal_choices(session, q=None, selected=selected),
    }
    return render(request, "feedback/form.html", context, status_code=status)


@router.get("/gaps/new")
def gap_new(request: Request, session: SessionDep, user: WebUser) -> Response:
    """The form for a new gap (from a deal's page, already linked to it)."""
    gaps.require_reporter(user)
    deal_id = Filters(request.query_params).integer("deal_id")
    form = FormState.blank(deal_ids=[deal_id] if deal_id else [])
    return _form_page(request, session, form)


@router.post("/gaps")
def gap_create(request: Request, session: SessionDep, user: WebUser, form: FormDep) -> Response:
    """Record the gap; bad input is shown beside its input and nothing is stored."""
    state = FormState.from_form(form, lists=("deal_ids",))
    state.values.setdefault("lost_because", "")
    state.require("title", "product_area", "severity")
    created = attempt(
        session,
        state,
        lambda: gaps.create_gap(
            session,
            actor=user,
            data=evaluation.validated(
                GapIn, state.data(GapIn, lost_because=state.checked("lost_because"))
            ),
        ),
    )
    if created is None:
        return _form_page(request, session, state, status=state.status)
    return redirect(f"/gaps/{created.id}", flash=f"Gap {created.title} recorded.")


def _gap_page(
    request: Request,
    session: Session,
    user: User,
    gap_id: int,
    *,
    status_form: FormState | None = None,
    link_form: FormState | None = None,
    code: int = 200,
) -> Response:
    gap = gaps.get_gap(session, gap_id)
    impact = queries.gap_impact(session, gap.id)
    currency = queries.default_currency(impact)
    creator = session.get(User, gap.created_by_id) if gap.created_by_id else None
    link = link_form or FormState.blank()
    chosen = link.value("opportunity_id")
    context = {
        "gap": gap,
        "impact": impact,
        "currency": currency,
        "creator": creator,
        "deals": queries.gap_deals(session, gap.id),
        "moves": [
            (s.value, MOVE_VERBS.get(s, "Re-open")) for s in gaps.allowed_statuses(gap.status)
        ],
        "needs_reason": gap.status.is_closed,
        "can_triage": gaps.can_triage(user),
        "can_report": gaps.can_report(user),
        "can_edit": gaps.can_edit_gap(user, gap),
        "status_form": status_form or FormState.blank(),
        "link_form": link,
        "deal_choices": _deal_choices(
            session, q=None, selected=int(chosen) if chosen.isdigit() else None
        ),
        "labels": LABELS,
        "entries": evaluation.history(
            list_audit(session, entity_type="product_gap", entity_id=gap.id), GAP_TITLES
        ),
    }
    return render(request, "feedback/detail.html", context, status_code=code)


@router.get("/gaps/{gap_id:id}")
def gap_detail(request: Request, gap_id: int, session: SessionDep, user: WebUser) -> Response:
    """A gap: its impact, the deals it affects, its workflow and history."""
    return _gap_page(request, session, user, gap_id)


@router.get("/gaps/{gap_id:id}/edit")
def gap_edit(request: Request, gap_id: int, session: SessionDep) -> Response:
    """The form to reword a gap."""
    gap = gaps.get_gap(session, gap_id)
    names = ("title", "product_area", "severity", "description", "workaround", "version")
    return _form_page(request, session, FormState.from_record(gap, names), gap=gap)


@router.post("/gaps/{gap_id:id}/edit")
def gap_update(
    request: Request, gap_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Save the gap's wording; a stale version stays on the form with the stored values."""
    gap = gaps.get_gap(session, gap_id)
    state = FormState.from_form(form)
    for name in ("description", "workaround"):
        state.values.setdefault(name, "")
    state.require("title", "product_area", "severity")

    def save() -> ProductGap:
        data = evaluation.validated(GapPatch, state.data(GapPatch))
        return gaps.update_gap(session, actor=user, gap=gap, data=data)

    if attempt(session, state, save) is None:
        return _form_page(
            request, session, state, gap=gaps.get_gap(session, gap_id), status=state.status
        )
    return redirect(f"/gaps/{gap_id}", flash="Gap saved.")


@router.post("/gaps/{gap_id:id}/status")
def gap_status(
    request: Request, gap_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Move the gap through the workflow."""
    gap = gaps.get_gap(session, gap_id)
    state = FormState.from_form(form)
    state.values.setdefault("reason", "")

    def save() -> ProductGap:
        data = evaluation.validated(GapStatusIn, state.data(GapStatusIn))
        return gaps.change_status(session, actor=user, gap=gap, data=data)

    moved = attempt(session, state, save)
    if moved is None:
        return _gap_page(request, session, user, gap_id, status_form=state, code=state.status)
    return redirect(f"/gaps/{gap_id}", flash=f"Gap moved to {moved.status.label.lower()}.")


@router.post("/gaps/{gap_id:id}/deals")
def gap_link(
    request: Request, gap_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Link a deal the gap affects."""
    gap = gaps.get_gap(session, gap_id)
    state = FormState.from_form(form)
    for name in ("opportunity_id", "note"):
        state.values.setdefault(name, "")

    def save() -> object:
        fixed = {"lost_because": state.checked("lost_because")}
        data = evaluation.validated(GapLinkIn, state.data(GapLinkIn, **fixed))
        return gaps.link_deal(session, actor=user, gap=gap, data=data)

    if attempt(session, state, save) is None:
        return _gap_page(request, session, user, gap_id, link_form=state, code=state.status)
    return redirect(f"/gaps/{gap_id}#deals", flash="Deal linked.")


@router.post("/gaps/{gap_id:id}/deals/{deal_id:id}/unlink")
def gap_unlink(gap_id: int, deal_id: int, session: SessionDep, user: WebUser) -> Response:
    """Remove a deal from the gap."""
    gap = gaps.get_gap(session, gap_id)
    gaps.unlink_deal(session, actor=user, gap=gap, opportunity_id=deal_id)
    return redirect(f"/gaps/{gap_id}#deals", flash="Deal unlinked.")


@router.post("/gaps/{gap_id:id}/deals/{deal_id:id}/lost-because")
def gap_loss_reason(
    gap_id: int, deal_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Mark (or unmark) the gap as one of the reasons a linked lost deal was lost."""
    gap = gaps.get_gap(session, gap_id)
    lost = str(form.get("lost") or "").lower() in ("true", "1", "on")
    gaps.set_loss_reason(session, actor=user, gap=gap, opportunity_id=deal_id, lost=lost)
    message = "Marked as a reason the deal was lost." if lost else "No longer a loss reason."
    return redirect(f"/gaps/{gap_id}#deals", flash=message)


@router.post("/opportunities/{deal_id:id}/gaps")
def deal_link_gap(
    request: Request, deal_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Link a known gap from the deal's page."""
    state = FormState.from_form(form)
    state.values.setdefault("gap_id", "")
    state.require("gap_id")

    def save() -> Opportunity:
        try:
            gap = gaps.get_gap(session, int(state.value("gap_id")))
        except (NotFound, ValueError):
            raise InvalidInput("choose one of the gaps in the list", field="gap_id") from None
        link = GapLinkIn(opportunity_id=deal_id, lost_because=state.checked("lost_because"))
        gaps.link_deal(session, actor=user, gap=gap, data=link)
        return opportunities.get_opportunity(session, deal_id)

    if attempt(session, state, save) is None:
        return evaluation.deal_page(request, session, user, deal_id, state.status, gap_form=state)
    return redirect(f"/opportunities/{deal_id}#gaps", flash="Gap linked to the deal.")
