"""Qualification on the lead and deal pages: switch the framework, rate an element 0–3 with its
evidence. HTMX gets the refreshed panel and, out of band, the gate the ratings may have opened;
without JavaScript the page reloads. A refused rating is shown on its own element."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from techwin.auth.audit import list_audit
from techwin.auth.models import User
from techwin.auth.permissions import can_edit_record
from techwin.deps import SessionDep, WebUser
from techwin.pipeline import contacts, opportunities
from techwin.pipeline.enums import GateSubject
from techwin.qualification import assessments
from techwin.qualification.queries import rated_criteria
from techwin.qualification.rules import SCALE
from techwin.qualification.schemas import RatingIn
from techwin.web import leads, panels
from techwin.web import opportunities as deal_pages
from techwin.web.forms import Filters, FormState, attempt
from techwin.web.rendering import is_htmx, redirect, render
from techwin.web.scoring_presenters import QualificationPanel
from techwin.web.security import FormDep

router = APIRouter()

INVALID = {"X-Techwin-Form": "invalid"}  # app.js swaps these 4xx answers in place


def _can_edit(session: Session, user: User, subject: GateSubject, subject_id: int) -> bool:
    if subject is GateSubject.CONTACT:
        lead = contacts.get_contact(session, subject_id)
        return can_edit_record(user, owner_id=lead.owner_id)
    deal = opportunities.get_opportunity(session, subject_id)
    return can_edit_record(user, owner_id=deal.owner_id, team_ids=[u.id for u in deal.engineers])


def _panel(
    session: Session,
    user: User,
    subject: GateSubject,
    subject_id: int,
    framework: str | None,
    posted: FormState | None = None,
) -> QualificationPanel:
    return panels.qualification(
        session,
        subject=subject,
        subject_id=subject_id,
        framework=framework,
        can_edit=_can_edit(session, user, subject, subject_id),
        posted=posted,
    )


def _show(
    request: Request, session: Session, user: User, subject: GateSubject, subject_id: int
) -> Response:
    framework = Filters(request.query_params).text("framework")
    if not is_htmx(request):
        path = panels.SUBJECT_PATHS[subject]
        return redirect(f"{path}/{subject_id}?framework={quote(framework or '')}#qualification")
    qual = _panel(session, user, subject, subject_id, framework)
    return render(request, "qualification/_panel.html", {"qual": qual})


def _gate_context(
    session: Session, user: User, subject: GateSubject, subject_id: int
) -> dict[str, object]:
    """The gate a rating may have opened (and the deal's timeline), swapped out of band."""
    if subject is GateSubject.CONTACT:
        lead = contacts.get_contact(session, subject_id)
        return {"lead": lead, "next_gate": panels.next_gate(session, lead)}
    deal = opportunities.get_opportunity(session, subject_id)
    events = list_audit(session, entity_type="opportunity", entity_id=deal.id, limit=100)
    return {
        "deal": deal,
        "gate": opportunities.current_gate(session, deal),
        "rated": rated_criteria(session, subject=GateSubject.OPPORTUNITY),
        "can_edit": _can_edit(session, user, subject, subject_id),
        "entries": deal_pages.deal_timeline(session, events),
    }


def _rate(
    request: Request,
    session: Session,
    user: User,
    form: FormDep,
    subject: GateSubject,
    subject_id: int,
    framework: str,
    full_page: Callable[[FormState], Response],
) -> Response:
    state = FormState.from_form(form)
    state.values.setdefault("evidence", "")
    state.values["framework"] = framework
    if not state.value("score").strip():
        state.errors["score"] = "choose a level, from unknown to confirmed with evidence"

    def save() -> object:
        data = RatingIn.model_validate(state.data(RatingIn))
        return assessments.rate(
            session,
            actor=user,
            subject=subject,
            subject_id=subject_id,
            framework_key=framework,
            element=data.element,
            score=data.score,
            evidence=data.evidence or None,
        )

    saved = attempt(session, state, save)
    if saved is None:
        if not is_htmx(request):
            return full_page(state)
        qual = _panel(session, user, subject, subject_id, framework, posted=state)
        return render(
            request,
            "qualification/_panel.html",
            {"qual": qual},
            status_code=state.status,
            headers=INVALID,
        )
    qual = _panel(session, user, subject, subject_id, framework)
    element = next((r.element for r in qual.rows if r.element.key == state.value("element")), None)
    message = (
        f"{element.name} rated {SCALE[element.score].lower()}." if element else "Rating saved."
    )
    if not is_htmx(request):
        path = panels.SUBJECT_PATHS[subject]
        return redirect(f"{path}/{subject_id}?framework={framework}#qualification", flash=message)
    context = {"qual": qual, "toast": message, "oob": True, "gate_oob": True}
    context.update(_gate_context(session, user, subject, subject_id))
    return render(request, "qualification/_rated.html", context)


@router.get("/leads/{lead_id:id}/qualification")
def lead_panel(request: Request, lead_id: int, session: SessionDep, user: WebUser) -> Response:
    """The lead's qualification panel under the chosen framework."""
    return _show(request, session, user, GateSubject.CONTACT, lead_id)


@router.post("/leads/{lead_id:id}/qualification/{framework}")
def lead_rate(
    request: Request,
    lead_id: int,
    framework: str,
    session: SessionDep,
    user: WebUser,
    form: FormDep,
) -> Response:
    """Rate one element of the lead's qualification."""

    def full_page(state: FormState) -> Response:
        lead = contacts.get_contact(session, lead_id)
        context = leads.detail_context(session, user, lead, rating=state)
        return render(request, "leads/detail.html", context, status_code=state.status)

    return _rate(request, session, user, form, GateSubject.CONTACT, lead_id, framework, full_page)


@router.get("/opportunities/{deal_id:id}/qualification")
def deal_panel(request: Request, deal_id: int, session: SessionDep, user: WebUser) -> Response:
    """The deal's qualification panel under the chosen framework."""
    return _show(request, session, user, GateSubject.OPPORTUNITY, deal_id)


@router.post("/opportunities/{deal_id:id}/qualification/{framework}")
def deal_rate(
    request: Request,
    deal_id: int,
    framework: str,
    session: SessionDep,
    user: WebUser,
    form: FormDep,
) -> Response:
    """Rate one element of the deal's qualification."""

    def full_page(state: FormState) -> Response:
        deal = opportunities.get_opportunity(session, deal_id)
        context = deal_pages.detail_context(session, user, deal, rating=state)
        return render(request, "opportunities/detail.html", context, status_code=state.status)

    return _rate(
        request, session, user, form, GateSubject.OPPORTUNITY, deal_id, framework, full_page
    )
