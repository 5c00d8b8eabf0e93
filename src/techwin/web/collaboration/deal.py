"""Two in a box on the deal page: the pod and its charter, SE requests, the stakeholder map and
the calls; and the routes that add, change and remove stakeholders."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.auth.permissions import can_edit_record
from techwin.collaboration import requests, stakeholders
from techwin.collaboration.charters import AppliedCharter, charter_for_deal, scope_label
from techwin.collaboration.enums import PodSide
from techwin.collaboration.huddles import on_time
from techwin.collaboration.models import CharterAcknowledgement, Meeting, SERequest, Stakeholder
from techwin.collaboration.overview import deal_meetings
from techwin.collaboration.schemas import StakeholderIn, StakeholderPatch
from techwin.collaboration.stakeholders import Coverage, coverage, facts_of
from techwin.core.inputs import error_reason
from techwin.core.time import utcnow
from techwin.deps import SessionDep, WebUser
from techwin.evaluation.technical_win import no_go_reason
from techwin.pipeline import opportunities
from techwin.pipeline.models import Contact, Opportunity
from techwin.web.collaboration import presenters
from techwin.web.forms import FormState, attempt
from techwin.web.rendering import redirect, render
from techwin.web.security import FormDep

router = APIRouter()

STAKEHOLDER_LABELS = {
    "contact_id": "Contact",
    "first_name": "First name",
    "last_name": "Last name",
    "title": "Title",
    "seniority": "Seniority",
    "email": "Email",
    "role": "Buying role",
    "engagement": "Engagement",
    "sentiment": "Sentiment",
    "notes": "Notes",
}


@dataclass(frozen=True)
class PersonAck:
    """Someone on the deal's side of the box and whether they acknowledged its charter."""

    user: User
    side: str
    acknowledged: bool


@dataclass(frozen=True)
class CallRow:
    """A call on the deal with the state of its huddle and debrief."""

    meeting: Meeting
    huddle: str  # "done", "late", "missing", "n/a"
    debrief: str  # "done", "owed", "later", "n/a"


@dataclass(frozen=True)
class DealPanel:
    """Everything templates/collaboration/_deal.html shows."""

    applied: AppliedCharter
    scope: str
    people: list[PersonAck]
    viewer_acknowledged: bool
    viewer_expected: bool
    requests: list[SERequest]
    stakeholders: list[Stakeholder]
    coverage: Coverage
    calls: list[CallRow]
    can_request: bool
    no_go: str | None  # the reason of the SE's no-go, which ended SE work on the deal
    can_edit: bool
    is_open: bool
    contacts: presenters.Options
    form: FormState


def _people(session: Session, deal: Opportunity, applied: AppliedCharter) -> list[PersonAck]:
    people: dict[int, tuple[User, str]] = {}
    if deal.owner is not None:
        people[deal.owner.id] = (deal.owner, PodSide.AE.value)
    if applied.pod is not None:
        for member in applied.pod.members:
            if member.side is PodSide.SE:
                people.setdefault(member.user_id, (member.user, PodSide.SE.value))
    for engineer in deal.engineers:
        people.setdefault(engineer.id, (engineer, PodSide.SE.value))
    done = set(
        session.scalars(
            select(CharterAcknowledgement.user_id).where(
                CharterAcknowledgement.charter_id == applied.charter.id,
                CharterAcknowledgement.user_id.in_(list(people)),
            )
        )
    )
    return [PersonAck(user, side, user.id in done) for user, side in people.values()]


def _calls(meetings: list[Meeting], lead_hours: int) -> list[CallRow]:
    now = utcnow()
    rows = []
    for m in meetings:
        if not m.is_major or m.status.value == "cancelled":
            rows.append(CallRow(m, "n/a", "n/a"))
            continue
        if m.huddle is not None:
            huddle = "done" if on_time(m.huddle, m, lead_hours) else "late"
        else:
            huddle = "missing"
        happened = m.status.value == "held" or m.starts_at <= now
        debrief = "done" if m.debrief is not None else ("owed" if happened else "later")
        rows.append(CallRow(m, huddle, debrief))
    return rows


def panel(
    session: Session, user: User, deal: Opportunity, form: FormState | None = None
) -> DealPanel:
    """The two-in-a-box panel of a deal."""
    applied = charter_for_deal(session, deal)
    people = _people(session, deal, applied)
    mapped = stakeholders.list_stakeholders(session, deal.id)
    can_edit = can_edit_record(
        user, owner_id=deal.owner_id, team_ids=[u.id for u in deal.engineers]
    )
    is_open = not deal.stage.is_closed
    no_go = no_go_reason(session, deal.id)
    mine = next((p for p in people if p.user.id == user.id), None)
    contacts: list[Contact] = stakeholders.account_contacts(session, deal) if can_edit else []
    return DealPanel(
        applied=applied,
        scope=scope_label(applied.charter),
        people=people,
        viewer_acknowledged=mine.acknowledged if mine else False,
        viewer_expected=mine is not None,
        requests=requests.requests_for_deal(session, deal.id),
        stakeholders=mapped,
        coverage=coverage(facts_of(mapped)),
        calls=_calls(deal_meetings(session, deal.id), applied.charter.prep_lead_hours),
        can_request=is_open
        and no_go is None
        and presenters.is_requester(user)
        and (user.role is not Role.AE or user.id == deal.owner_id),
        no_go=no_go,
        can_edit=can_edit,
        is_open=is_open,
        contacts=[
            (str(c.id), f"{c.full_name}" + (f" — {c.title}" if c.title else "")) for c in contacts
        ],
        form=form or FormState.blank(role="champion", engagement="engaged", sentiment="unknown"),
    )


def deal_context(session: Session, user: User, deal: Opportunity) -> dict[str, object]:
    """What templates/collaboration/_deal.html needs on the deal page."""
    return {
        "collab": panel(session, user, deal),
        "role_options": presenters.ROLE_OPTIONS,
        "engagement_options": presenters.ENGAGEMENT_OPTIONS,
        "sentiment_options": presenters.SENTIMENT_OPTIONS,
        "seniority_options": presenters.SENIORITY_OPTIONS,
    }


def _stakeholder_data(state: FormState) -> StakeholderIn:
    values = state.data(StakeholderIn)
    if not state.value("contact_id").strip():
        values.pop("contact_id", None)
        values["new_contact"] = {
            name: state.value(name) or None
            for name in ("first_name", "last_name", "email", "title", "seniority")
        }
    return StakeholderIn.model_validate(values)


@router.post("/opportunities/{deal_id:id}/stakeholders")
def stakeholder_add(
    request: Request, deal_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Put someone on the stakeholder map; bad input is shown beside its field."""
    deal = opportunities.get_opportunity(session, deal_id)
    state = FormState.from_form(form)
    for name in ("contact_id", "first_name", "last_name", "email", "title", "seniority", "notes"):
        state.values.setdefault(name, "")
    if not state.value("contact_id").strip():
        state.require("last_name")

    data: StakeholderIn | None = None
    if state.ok:
        try:
            data = _stakeholder_data(state)
        except ValidationError as exc:
            _place_errors(state, exc)
    added = (
        attempt(
            session,
            state,
            lambda: stakeholders.add_stakeholder(session, actor=user, deal=deal, data=data),
        )
        if data is not None
        else None
    )
    if added is None:
        deal = opportunities.get_opportunity(session, deal_id)
        context = {
            "deal": deal,
            "form": state,
            "labels": STAKEHOLDER_LABELS,
            **deal_context(session, user, deal),
        }
        return render(
            request, "collaboration/stakeholder_form.html", context, status_code=state.status
        )
    name = added.contact.full_name
    return redirect(f"/opportunities/{deal_id}#stakeholders", flash=f"{name} added to the map.")


def _place_errors(state: FormState, exc: ValidationError) -> None:
    """Each error beside its input (``new_contact.first_name`` beside ``first_name``)."""
    for item in exc.errors():
        loc = [str(p) for p in item.get("loc", ())]
        name = loc[1] if len(loc) >= 2 and loc[0] == "new_contact" else (loc[0] if loc else "")
        message = error_reason(item)
        if name in state.values:
            state.errors.setdefault(name, message)
        else:
            state.message = message


@router.post("/stakeholders/{stakeholder_id:id}")
def stakeholder_update(
    request: Request, stakeholder_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Change a stakeholder's role, engagement or sentiment from the map."""
    found = stakeholders.get_stakeholder(session, stakeholder_id)
    deal_id = found.opportunity_id
    state = FormState.from_form(form)
    changed = attempt(
        session,
        state,
        lambda: stakeholders.update_stakeholder(
            session,
            actor=user,
            stakeholder=found,
            data=StakeholderPatch.model_validate(state.data(StakeholderPatch)),
        ),
    )
    if changed is None:
        reason = state.message or "; ".join(f"{k}: {v}" for k, v in state.errors.items())
        return redirect(f"/opportunities/{deal_id}#stakeholders", flash=f"Not saved: {reason}")
    return redirect(
        f"/opportunities/{deal_id}#stakeholders", flash=f"{found.contact.full_name} updated."
    )


@router.post("/stakeholders/{stakeholder_id:id}/remove")
def stakeholder_remove(stakeholder_id: int, session: SessionDep, user: WebUser) -> Response:
    """Take someone off the map."""
    found = stakeholders.get_stakeholder(session, stakeholder_id)
    deal_id, name = found.opportunity_id, found.contact.full_name
    stakeholders.remove_stakeholder(session, actor=user, stakeholder=found)
    return redirect(f"/opportunities/{deal_id}#stakeholders", flash=f"{name} taken off the map.")
