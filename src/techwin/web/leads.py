"""Leads and contacts: the filtered list (with scores) and its CSV export, create, edit, the lead
page with its qualification, score and nurturing panels, lifecycle moves and conversion."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from techwin.auth.audit import list_audit
from techwin.auth.models import User
from techwin.auth.permissions import can_edit_record
from techwin.core.csvout import csv_lines
from techwin.core.time import utcnow
from techwin.deps import SessionDep, WebUser
from techwin.errors import InvalidInput
from techwin.pipeline import contacts, opportunities, overview
from techwin.pipeline.enums import LIFECYCLE_LABELS, GateSubject, LifecycleStage
from techwin.pipeline.models import Contact
from techwin.pipeline.schemas import ContactIn, ContactPatch, ConvertIn, TransitionIn
from techwin.qualification.queries import element_names
from techwin.scoring import queries as score_queries
from techwin.scoring.enums import EventKind
from techwin.scoring.models import LeadScore, PredictiveScore
from techwin.scoring.nurture import configuration as nurture_setup
from techwin.web import options, panels
from techwin.web.forms import Filters, FormState, as_id, attempt
from techwin.web.pages import fragment
from techwin.web.presenters import lead_timeline, lifecycle_steps, transition_choices
from techwin.web.rendering import redirect, render
from techwin.web.scoring_presenters import tier_of
from techwin.web.security import FormDep

router = APIRouter()

FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "seniority",
    "department",
    "source",
    "account_id",
    "owner_id",
)
LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "title": "Job title",
    "seniority": "Seniority",
    "department": "Department",
    "source": "Source",
    "account_id": "Account",
    "owner_id": "Owner",
    "to_stage": "Next stage",
    "reason": "Reason",
    "name": "Deal name",
    "acv": "ACV",
    "close_date": "Close date",
    "kind": "Event",
    "occurred_at": "When",
    "detail": "Detail",
    "sequence": "Sequence",
}
SORTS = {
    "-created": "Newest first",
    "created": "Oldest first",
    "name": "Name (A–Z)",
    "stage": "Lifecycle stage",
    "-stage_entered": "Recently moved",
    "-score": "Highest score",
    "score": "Lowest score",
}


def _filters(f: Filters) -> tuple[contacts.ContactFilter, str]:
    filters = contacts.ContactFilter(
        stage=f.choice("stage", LifecycleStage),
        owner_id=f.integer("owner_id"),
        source=f.text("source"),
        account_id=f.integer("account_id"),
        created_from=f.day("created_from"),
        created_to=f.day("created_to"),
        q=f.text("q"),
    )
    if filters.created_from and filters.created_to and filters.created_from > filters.created_to:
        f.errors["created_from"] = "created from: the start date is after the end date"
    return filters, f.one_of("sort", SORTS, "-created")


@router.get("/leads")
def lead_list(request: Request, session: SessionDep) -> Response:
    """Leads and contacts with their scores, filtered by stage, owner, source, creation dates
    and a minimum score, sorted by any column including the score."""
    f = Filters(request.query_params)
    filters, sort = _filters(f)
    min_score = f.number("min_score")
    page = None
    scores: dict[int, LeadScore] = {}
    likelihoods: dict[int, PredictiveScore] = {}
    model = score_queries.active_model_summary(session)
    if not f.errors:
        page = score_queries.list_contacts_by_score(
            session, filters=filters, page=f.page(), sort=sort, min_score=min_score
        )
        ids = [c.id for c in page.items]
        scores = score_queries.scores_for(session, contact_ids=ids)
        if model is not None:
            likelihoods = score_queries.predictive_scores_for(session, contact_ids=ids)
    tiers = [tier for tier, _sequence in nurture_setup.list_tiers(session)]
    context = {
        "page": page,
        "f": f,
        "sort": sort,
        "sorts": SORTS,
        "people": options.people(session),
        "sources": options.sources(session),
        "stages": options.LIFECYCLE_OPTIONS,
        "scores": scores,
        "likelihoods": likelihoods,
        "model": model,
        "tier_of": lambda total: tier_of(total, tiers),
    }
    name = "leads/_results.html" if fragment(request, "results") else "leads/list.html"
    return render(request, name, context)


@router.get("/leads/export")
def lead_export(request: Request, session: SessionDep) -> Response:
    """Exactly the rows the list's filters show, as CSV."""
    f = Filters(request.query_params)
    filters, sort = _filters(f)
    min_score = f.number("min_score")
    if f.errors:
        raise InvalidInput(next(iter(f.errors.values())))
    rows = list(
        score_queries.export_rows_by_score(session, filters=filters, sort=sort, min_score=min_score)
    )
    return StreamingResponse(
        csv_lines(score_queries.SCORED_EXPORT_HEADER, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="leads-{date.today()}.csv"'},
    )


def _form_context(
    session: Session, form: FormState, lead: Contact | None = None
) -> dict[str, object]:
    return {
        "form": form,
        "lead": lead,
        "labels": LABELS,
        "people": options.people(session),
        "sources": options.sources(session),
        "seniorities": options.SENIORITY_OPTIONS,
        "accounts": options.account_choices(session, selected=as_id(form.value("account_id"))),
    }


@router.get("/leads/new")
def lead_new(request: Request, session: SessionDep, user: WebUser) -> Response:
    """The form for a new lead (optionally at an account)."""
    f = Filters(request.query_params)
    form = FormState.blank(owner_id=user.id, account_id=f.integer("account_id"))
    return render(request, "leads/form.html", _form_context(session, form))


@router.post("/leads")
def lead_create(request: Request, session: SessionDep, user: WebUser, form: FormDep) -> Response:
    """Add a lead; bad input is shown beside its field and nothing is stored."""
    state = FormState.from_form(form)
    created = attempt(
        session,
        state,
        lambda: contacts.create_contact(
            session, actor=user, data=ContactIn.model_validate(state.data(ContactIn))
        ),
    )
    if created is None:
        return render(
            request, "leads/form.html", _form_context(session, state), status_code=state.status
        )
    return redirect(f"/leads/{created.id}", flash=f"Lead {created.full_name} created.")


def detail_context(
    session: Session,
    user: User,
    lead: Contact,
    *,
    move: FormState | None = None,
    convert: FormState | None = None,
    framework: str | None = None,
    rating: FormState | None = None,
    event: FormState | None = None,
    nurturing: FormState | None = None,
) -> dict[str, object]:
    """Everything the lead page shows; the forms a refused change came from keep its values."""
    events = list_audit(session, entity_type="contact", entity_id=lead.id, limit=100)
    account_id = lead.account_id
    can_edit = can_edit_record(user, owner_id=lead.owner_id)
    return {
        "lead": lead,
        "can_edit": can_edit,
        "labels": LABELS,
        "entries": lead_timeline(
            contacts.list_transitions(session, lead.id),
            events,
            labels=LABELS,
            elements=element_names(session),
        ),
        "choices": transition_choices(lead.lifecycle_stage),
        "steps": lifecycle_steps(lead.lifecycle_stage, lead.furthest_rank),
        "deals": overview.deals_for_contact(session, contact_id=lead.id),
        "move": move or FormState.blank(),
        "convert": convert or FormState.blank(account_id=account_id),
        "accounts": options.account_choices(session, selected=account_id),
        "next_gate": panels.next_gate(session, lead),
        "qual": panels.qualification(
            session,
            subject=GateSubject.CONTACT,
            subject_id=lead.id,
            framework=framework or (rating.value("framework") if rating else None),
            can_edit=can_edit,
            posted=rating,
        ),
        "event_form": event or FormState.blank(kind=EventKind.DEMO_REQUEST, occurred_at=_now()),
        "nurture_form": nurturing or FormState.blank(),
        **panels.lead_scoring(session, lead),
    }


def _now() -> str:
    """Now, as a ``datetime-local`` input shows it (UTC, to the minute)."""
    return utcnow().strftime("%Y-%m-%dT%H:%M")


@router.get("/leads/{lead_id:id}")
def lead_detail(request: Request, lead_id: int, session: SessionDep, user: WebUser) -> Response:
    """A lead with its lifecycle, qualification, score, engagement, nurturing and timeline."""
    lead = contacts.get_contact(session, lead_id)
    framework = Filters(request.query_params).text("framework")
    context = detail_context(session, user, lead, framework=framework)
    return render(request, "leads/detail.html", context)


@router.get("/leads/{lead_id:id}/edit")
def lead_edit(request: Request, lead_id: int, session: SessionDep) -> Response:
    """The edit form with the stored values and version."""
    lead = contacts.get_contact(session, lead_id)
    form = FormState.from_record(lead, (*FIELDS, "version"))
    return render(request, "leads/form.html", _form_context(session, form, lead))


@router.post("/leads/{lead_id:id}/edit")
def lead_update(
    request: Request, lead_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Save an edit; a stale version or bad input is shown on the form."""
    lead = contacts.get_contact(session, lead_id)
    state = FormState.from_form(form)
    state.require("last_name")
    saved = attempt(
        session,
        state,
        lambda: contacts.update_contact(
            session,
            actor=user,
            contact=lead,
            data=ContactPatch.model_validate(state.data(ContactPatch)),
        ),
    )
    if saved is None:
        lead = contacts.get_contact(session, lead_id)
        context = _form_context(session, state, lead)
        return render(request, "leads/form.html", context, status_code=state.status)
    return redirect(f"/leads/{lead_id}", flash="Lead saved.")


@router.post("/leads/{lead_id:id}/transition")
def lead_transition(
    request: Request, lead_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Move the lead to another lifecycle stage; refusals are shown beside the reason."""
    lead = contacts.get_contact(session, lead_id)
    state = FormState.from_form(form)
    state.values.setdefault("reason", "")

    def move() -> object:
        data = TransitionIn.model_validate(state.data(TransitionIn))
        return contacts.transition_contact(
            session,
            actor=user,
            contact=lead,
            to_stage=data.to_stage,
            reason=data.reason,
            override=data.override,
        )

    if attempt(session, state, move) is None:
        lead = contacts.get_contact(session, lead_id)
        context = detail_context(session, user, lead, move=state)
        return render(request, "leads/detail.html", context, status_code=state.status)
    return redirect(
        f"/leads/{lead_id}", flash=f"Moved to {LIFECYCLE_LABELS[lead.lifecycle_stage]}."
    )


@router.post("/leads/{lead_id:id}/convert")
def lead_convert(
    request: Request, lead_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Turn a sales-qualified lead into a deal and open it."""
    lead = contacts.get_contact(session, lead_id)
    state = FormState.from_form(form)
    deal = attempt(
        session,
        state,
        lambda: opportunities.convert_contact(
            session, actor=user, contact=lead, data=ConvertIn.model_validate(state.data(ConvertIn))
        ),
    )
    if deal is None:
        lead = contacts.get_contact(session, lead_id)
        context = detail_context(session, user, lead, convert=state)
        return render(request, "leads/detail.html", context, status_code=state.status)
    return redirect(f"/opportunities/{deal.id}", flash=f"{lead.full_name} converted to a deal.")
