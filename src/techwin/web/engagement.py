"""What a lead did and what it gets: record an engagement event (the score follows at once),
put the lead on a nurture sequence, unsubscribe it from everything."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from techwin.auth.models import User
from techwin.deps import SessionDep, WebUser
from techwin.pipeline import contacts
from techwin.pipeline.models import Contact
from techwin.scoring import service as scoring
from techwin.scoring.enums import EVENT_LABELS, EventKind
from techwin.scoring.nurture import configuration as nurture_setup
from techwin.scoring.nurture import service as nurture
from techwin.scoring.schemas import EventIn
from techwin.web import leads
from techwin.web.forms import FormState, attempt
from techwin.web.rendering import redirect, render
from techwin.web.security import FormDep

router = APIRouter()


def _refused(
    request: Request,
    session: SessionDep,
    user: User,
    lead_id: int,
    *,
    event: FormState | None = None,
    nurturing: FormState | None = None,
) -> Response:
    """The lead page again, the refused form keeping what was typed and saying why."""
    lead = contacts.get_contact(session, lead_id)
    context = leads.detail_context(session, user, lead, event=event, nurturing=nurturing)
    state = event or nurturing
    status = state.status if state is not None else 422
    return render(request, "leads/detail.html", context, status_code=status)


@router.post("/leads/{lead_id:id}/events")
def add_event(
    request: Request, lead_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Record something the lead did; bad input stays on the form and nothing is stored."""
    lead = contacts.get_contact(session, lead_id)
    state = FormState.from_form(form)
    state.require("kind", "occurred_at")

    def record() -> object:
        data = EventIn.model_validate(state.data(EventIn))
        return scoring.record_event(session, actor=user, contact=lead, data=data, source="web")

    if attempt(session, state, record) is None:
        return _refused(request, session, user, lead_id, event=state)
    score = scoring.score_of(session, lead_id)
    kind = EVENT_LABELS[EventKind(state.value("kind"))]
    total = f"; the score is now {score.total:g}" if score else ""
    return redirect(f"/leads/{lead_id}#engagement", flash=f"{kind} recorded{total}.")


@router.post("/leads/{lead_id:id}/enroll")
def enroll(
    request: Request, lead_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Start the lead on a nurture sequence; refusals are shown in the nurture panel."""
    lead = contacts.get_contact(session, lead_id)
    state = FormState.from_form(form)
    state.require("sequence")

    def start() -> object:
        return nurture.enroll(
            session, actor=user, contact=lead, sequence_key=state.value("sequence")
        )

    if attempt(session, state, start) is None:
        return _refused(request, session, user, lead_id, nurturing=state)
    name = nurture_setup.get_sequence(session, state.value("sequence")).name
    return redirect(f"/leads/{lead_id}#nurture", flash=f"{lead.full_name} enrolled in {name}.")


@router.post("/leads/{lead_id:id}/unsubscribe")
def unsubscribe(
    request: Request, lead_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """The lead leaves every sequence at once and gets nothing more."""
    lead: Contact = contacts.get_contact(session, lead_id)
    state = FormState.from_form(form)
    reason = state.value("reason").strip()[:200] or None

    def stop() -> object:
        nurture.unsubscribe(session, actor=user, contact=lead, reason=reason)
        return True

    if attempt(session, state, stop) is None:
        return _refused(request, session, user, lead_id, nurturing=state)
    return redirect(
        f"/leads/{lead_id}#nurture",
        flash=f"{lead.full_name} is unsubscribed: no more sequences or nurture tasks.",
    )
