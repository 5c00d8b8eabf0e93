"""Opportunities (deals): the filtered list and its CSV export, create, detail with the exit
criteria checklist, the qualification panel and stage history, edit, and stage moves."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from techwin.auth.audit import list_audit
from techwin.auth.models import AuditEvent, User
from techwin.auth.permissions import can_edit_record
from techwin.core.csvout import csv_lines
from techwin.core.time import utcnow
from techwin.deps import SessionDep, WebUser
from techwin.errors import InvalidInput
from techwin.pipeline import checklists, opportunities
from techwin.pipeline.enums import GateSubject
from techwin.pipeline.models import Opportunity
from techwin.pipeline.schemas import MoveIn, OpportunityIn, OpportunityPatch
from techwin.qualification.queries import element_names, rated_criteria
from techwin.web import collaboration, evaluation, options, panels
from techwin.web.forms import Filters, FormState, as_id, attempt, changed_only
from techwin.web.pages import fragment
from techwin.web.presenters import TimelineEntry, audit_entries, stage_spells
from techwin.web.rendering import redirect, render
from techwin.web.security import FormDep

router = APIRouter()

FIELDS = (
    "name",
    "owner_id",
    "close_date",
    "probability",
    "forecast_category",
    "currency",
    "acv",
    "tcv",
    "term_months",
    "mrr",
    "compelling_event",
    "competitors",
    "next_step",
    "next_step_due",
    "description",
)
LABELS = {
    "name": "Name",
    "account_id": "Account",
    "owner_id": "Owner (AE)",
    "stage": "Stage",
    "close_date": "Close date",
    "probability": "Probability",
    "forecast_category": "Forecast category",
    "currency": "Currency",
    "acv": "ACV",
    "tcv": "TCV",
    "term_months": "Term (months)",
    "mrr": "Monthly commitment",
    "arr": "ARR",
    "compelling_event": "Compelling event",
    "competitors": "Competitors",
    "next_step": "Next step",
    "next_step_due": "Next step by",
    "description": "Description",
    "se_ids": "Solutions engineers",
    "reason": "Reason",
}
SORTS = {
    "close": "Close date (soonest)",
    "-acv": "ACV (largest)",
    "-created": "Newest first",
    "name": "Name (A–Z)",
}


def _filters(f: Filters) -> tuple[opportunities.OpportunityFilter, str]:
    filters = opportunities.OpportunityFilter(
        stage=f.text("stage"),
        owner_id=f.integer("owner_id"),
        se_id=f.integer("se_id"),
        account_id=f.integer("account_id"),
        open_only=f.flag("open_only"),
        q=f.text("q"),
        close_from=f.day("close_from"),
        close_to=f.day("close_to"),
    )
    return filters, f.one_of("sort", SORTS, "close")


@router.get("/opportunities")
def deal_list(request: Request, session: SessionDep) -> Response:
    """Deals, filtered by stage, owner, SE and close dates."""
    f = Filters(request.query_params)
    filters, sort = _filters(f)
    page = None
    if not f.errors:
        page = opportunities.list_opportunities(session, filters=filters, page=f.page(), sort=sort)
    pipeline = opportunities.default_pipeline(session)
    context = {
        "page": page,
        "f": f,
        "sort": sort,
        "sorts": SORTS,
        "people": options.people(session),
        "engineers": options.engineers(session),
        "stages": options.stages(pipeline.stages),
    }
    name = (
        "opportunities/_results.html" if fragment(request, "results") else "opportunities/list.html"
    )
    return render(request, name, context)


@router.get("/opportunities/export")
def deal_export(request: Request, session: SessionDep) -> Response:
    """Exactly the deals the list's filters show, as CSV."""
    f = Filters(request.query_params)
    filters, sort = _filters(f)
    if f.errors:
        raise InvalidInput(next(iter(f.errors.values())))
    rows = list(opportunities.export_rows(session, filters=filters, sort=sort))
    return StreamingResponse(
        csv_lines(opportunities.OPPORTUNITY_EXPORT_HEADER, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="opportunities-{date.today()}.csv"'},
    )


def _form_context(
    session: Session, form: FormState, deal: Opportunity | None = None
) -> dict[str, object]:
    pipeline = opportunities.default_pipeline(session)
    return {
        "form": form,
        "deal": deal,
        "labels": LABELS,
        "people": options.people(session),
        "engineers": options.engineers(session),
        "stages": [(s.key, s.name) for s in pipeline.stages if not s.is_closed],
        "forecasts": options.FORECAST_OPTIONS,
        "currencies": options.CURRENCY_OPTIONS,
        "accounts": options.account_choices(session, selected=as_id(form.value("account_id"))),
    }


@router.get("/opportunities/new")
def deal_new(request: Request, session: SessionDep, user: WebUser) -> Response:
    """The form for a new deal (optionally at an account)."""
    f = Filters(request.query_params)
    form = FormState.blank(owner_id=user.id, account_id=f.integer("account_id"), currency="USD")
    return render(request, "opportunities/form.html", _form_context(session, form))


@router.post("/opportunities")
def deal_create(request: Request, session: SessionDep, user: WebUser, form: FormDep) -> Response:
    """Open a deal; bad input is shown beside its field and nothing is stored."""
    state = FormState.from_form(form, lists=("se_ids",))
    state.require("name", "account_id")
    created = attempt(
        session,
        state,
        lambda: opportunities.create_opportunity(
            session, actor=user, data=OpportunityIn.model_validate(state.data(OpportunityIn))
        ),
    )
    if created is None:
        context = _form_context(session, state)
        return render(request, "opportunities/form.html", context, status_code=state.status)
    return redirect(f"/opportunities/{created.id}", flash=f"Deal {created.name} opened.")


def deal_timeline(session: Session, events: list[AuditEvent]) -> list[TimelineEntry]:
    """A deal's audit events in the page's words (field labels, element names)."""
    return audit_entries(events, labels=LABELS, elements=element_names(session))


def detail_context(
    session: Session,
    user: User,
    deal: Opportunity,
    *,
    move: FormState | None = None,
    framework: str | None = None,
    rating: FormState | None = None,
) -> dict[str, object]:
    """Everything the deal page shows; the form a refused change came from keeps its values."""
    events = list_audit(session, entity_type="opportunity", entity_id=deal.id, limit=100)
    can_edit = can_edit_record(
        user, owner_id=deal.owner_id, team_ids=[u.id for u in deal.engineers]
    )
    return {
        **collaboration.deal_context(session, user, deal),
        **evaluation.deal_context(session, user, deal),
        "deal": deal,
        "next_step_late": deal.next_step_due is not None
        and deal.closed_at is None
        and deal.next_step_due < utcnow().date(),
        "can_edit": can_edit,
        "labels": LABELS,
        "gate": opportunities.current_gate(session, deal),
        "rated": rated_criteria(session, subject=GateSubject.OPPORTUNITY),
        "qual": panels.qualification(
            session,
            subject=GateSubject.OPPORTUNITY,
            subject_id=deal.id,
            framework=framework or (rating.value("framework") if rating else None),
            can_edit=can_edit,
            posted=rating,
        ),
        "spells": stage_spells(opportunities.stage_history(session, deal.id), deal),
        "people": opportunities.opportunity_contacts(session, deal.id),
        "entries": deal_timeline(session, events),
        "stages": opportunities.pipeline_stages(session, deal.pipeline_id),
        "move": move or FormState.blank(),
    }


@router.get("/opportunities/{deal_id:id}")
def deal_detail(request: Request, deal_id: int, session: SessionDep, user: WebUser) -> Response:
    """A deal: amounts, exit criteria, qualification, stage history, contacts and timeline."""
    deal = opportunities.get_opportunity(session, deal_id)
    framework = Filters(request.query_params).text("framework")
    context = detail_context(session, user, deal, framework=framework)
    return render(request, "opportunities/detail.html", context)


@router.get("/opportunities/{deal_id:id}/edit")
def deal_edit(request: Request, deal_id: int, session: SessionDep) -> Response:
    """The edit form with the stored values and version."""
    deal = opportunities.get_opportunity(session, deal_id)
    form = FormState.from_record(
        deal, (*FIELDS, "version"), se_ids=[u.id for u in deal.engineers], arr=deal.arr
    )
    return render(request, "opportunities/form.html", _form_context(session, form, deal))


@router.post("/opportunities/{deal_id:id}/edit")
def deal_update(
    request: Request, deal_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Save the fields that changed; arithmetic, stale versions and bad input stay on the form."""
    deal = opportunities.get_opportunity(session, deal_id)
    state = FormState.from_form(form, lists=("se_ids",))
    state.require("name", "currency")

    def save() -> Opportunity:
        parsed = OpportunityPatch.model_validate(state.data(OpportunityPatch))
        stored = opportunities.opportunity_out(deal).model_dump()
        patch = changed_only(OpportunityPatch, parsed, stored)
        return opportunities.update_opportunity(session, actor=user, opportunity=deal, data=patch)

    if attempt(session, state, save) is None:
        deal = opportunities.get_opportunity(session, deal_id)
        state.values["arr"] = "" if deal.arr is None else str(deal.arr)
        context = _form_context(session, state, deal)
        return render(request, "opportunities/form.html", context, status_code=state.status)
    return redirect(f"/opportunities/{deal_id}", flash="Deal saved.")


@router.post("/opportunities/{deal_id:id}/move")
def deal_move(
    request: Request, deal_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Move the deal to another stage; unmet exit criteria are listed on the page."""
    deal = opportunities.get_opportunity(session, deal_id)
    state = FormState.from_form(form)
    state.values.setdefault("reason", "")
    moved = attempt(
        session,
        state,
        lambda: opportunities.move_opportunity(
            session, actor=user, opportunity=deal, data=MoveIn.model_validate(state.data(MoveIn))
        ),
    )
    if moved is None:
        deal = opportunities.get_opportunity(session, deal_id)
        context = detail_context(session, user, deal, move=state)
        return render(request, "opportunities/detail.html", context, status_code=state.status)
    return redirect(f"/opportunities/{deal_id}", flash=f"Moved to {deal.stage.name}.")


@router.post("/opportunities/{deal_id:id}/checks/{criterion_id:id}")
def deal_check(
    request: Request,
    deal_id: int,
    criterion_id: int,
    session: SessionDep,
    user: WebUser,
    form: FormDep,
) -> Response:
    """Tick or untick an exit criterion; HTMX gets the refreshed checklist."""
    deal = opportunities.get_opportunity(session, deal_id)
    met = str(form.get("met") or "").lower() in ("true", "on", "1")
    gate = checklists.tick_deal_criterion(
        session, actor=user, opportunity=deal, criterion_id=criterion_id, met=met
    )
    if fragment(request, "gate"):
        events = list_audit(session, entity_type="opportunity", entity_id=deal.id, limit=100)
        context = {
            "deal": deal,
            "gate": gate,
            "rated": rated_criteria(session, subject=GateSubject.OPPORTUNITY),
            "can_edit": True,
            "entries": deal_timeline(session, events),
            "oob": True,  # the timeline gains the tick, swapped out of band
        }
        return render(request, "opportunities/_gate.html", context)
    return redirect(f"/opportunities/{deal_id}#gate", flash="Checklist saved.")
