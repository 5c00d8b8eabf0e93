"""Calls in the web UI: plan one (optionally for an SE request), change it, its page with the
huddle before and the debrief after, mark it held or cancel it, and download it for a
calendar."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.auth.permissions import can_edit_record
from techwin.collaboration import debriefs, huddles, meetings, requests
from techwin.collaboration.charters import charter_for_deal
from techwin.collaboration.enums import MEETING_FOR_REQUEST, MEETING_KIND_LABELS
from techwin.collaboration.models import Meeting
from techwin.collaboration.schemas import (
    DebriefIn,
    HeldIn,
    HuddleIn,
    MeetingIn,
    MeetingPatch,
    RatingUpdateIn,
)
from techwin.core.time import as_utc, utcnow
from techwin.deps import SessionDep, WebUser
from techwin.pipeline import opportunities
from techwin.pipeline.models import Opportunity
from techwin.qualification.frameworks import list_frameworks
from techwin.web.collaboration import presenters
from techwin.web.forms import Filters, FormState, as_id, attempt
from techwin.web.rendering import redirect, render
from techwin.web.security import FormDep

router = APIRouter()

RATING_ROWS = 3
LABELS = {
    "kind": "Kind of call",
    "title": "Title",
    "starts_at": "Starts (UTC)",
    "duration_minutes": "Minutes",
    "location": "Where",
    "attendee_ids": "Our side",
    "contact_ids": "Their side",
    "agenda": "Agenda",
    "request_id": "SE request",
    "held_at": "Huddle held (UTC)",
    "objective": "Objective of the call",
    "driver_id": "Drives the call",
    "commercial_owner_id": "Takes commercial questions",
    "screen_sharer_id": "Shares the screen",
    "note_taker_id": "Takes notes",
    "opener_id": "Opens with qualification questions",
    "call_to_action": "Call to action",
    "checklist": "Checklist",
    "what_we_missed": "What did we miss?",
    "pain_uncovered": "Did we uncover the real pain?",
    "next_step_secured": "Did we secure the next step?",
    "next_step": "Next step",
    "next_step_date": "Next step by",
    "notes": "Notes",
    "meeting_id": "Call",
    "is_major": "Major call",
}


def _internal_people(session: Session) -> list[User]:
    users = auth_service.list_users(session, active_only=True)
    return [u for u in users if u.role in (Role.AE, Role.SE, Role.MANAGER, Role.ADMIN)]


def _new_context(
    session: Session, deal: Opportunity, form: FormState, request_id: int | None
) -> dict[str, object]:
    contacts = opportunities.opportunity_contacts(session, deal.id)
    return {
        "deal": deal,
        "form": form,
        "labels": LABELS,
        "kinds": presenters.MEETING_KIND_OPTIONS,
        "people": presenters.people_options(_internal_people(session)),
        "contacts": [(str(c.contact.id), c.contact.full_name) for c in contacts],
        "request_id": request_id,
        "meeting": None,
    }


@router.get("/opportunities/{deal_id:id}/meetings/new")
def meeting_new(request: Request, deal_id: int, session: SessionDep, user: WebUser) -> Response:
    """The form for a new call (pre-filled from an SE request when one is named)."""
    deal = opportunities.get_opportunity(session, deal_id)
    opportunities.require_opportunity_edit(user, deal)
    request_id = Filters(request.query_params).integer("request_id")
    attendees = [user.id] + ([deal.owner_id] if deal.owner_id else [])
    kind = "discovery_call"
    starts = datetime.combine(utcnow().date() + timedelta(days=3), time(15, 0))
    title = f"Call with {deal.account.name}"
    if request_id is not None:
        found = requests.get_request(session, request_id)
        kind = MEETING_FOR_REQUEST[found.kind].value
        starts = datetime.combine(found.needed_by, time(15, 0))
        title = f"{MEETING_KIND_LABELS[MEETING_FOR_REQUEST[found.kind]]} for {deal.account.name}"
        if found.assignee_id:
            attendees.append(found.assignee_id)
    form = FormState.blank(
        kind=kind,
        title=title,
        starts_at=presenters.local_input(starts),
        duration_minutes=60,
        is_major="true" if kind != "discovery_call" else "",
        attendee_ids=list(dict.fromkeys(attendees)),
        contact_ids=[],
        request_id=request_id,
    )
    return render(
        request, "collaboration/meeting_form.html", _new_context(session, deal, form, request_id)
    )


@router.post("/opportunities/{deal_id:id}/meetings")
def meeting_create(
    request: Request, deal_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Plan the call; bad input stays on the form and nothing is stored."""
    deal = opportunities.get_opportunity(session, deal_id)
    state = FormState.from_form(form, lists=("attendee_ids", "contact_ids"))
    for name in ("location", "agenda", "request_id"):
        state.values.setdefault(name, "")
    state.require("kind", "title", "starts_at")

    def save() -> Meeting:
        data = state.data(MeetingIn, opportunity_id=deal_id)
        data["is_major"] = state.checked("is_major")
        return meetings.plan_meeting(session, actor=user, data=MeetingIn.model_validate(data))

    created = attempt(session, state, save)
    if created is None:
        request_id = as_id(state.value("request_id"))
        context = _new_context(session, deal, state, request_id)
        return render(request, "collaboration/meeting_form.html", context, status_code=state.status)
    return redirect(f"/meetings/{created.id}", flash=f"“{created.title}” planned.")


def _edit_context(session: Session, meeting: Meeting, form: FormState) -> dict[str, object]:
    """The edit form's choices: the deal's contacts and the internal people, plus whoever is on
    the call already (so that a current attendee is never dropped for not being listed)."""
    deal = meeting.opportunity
    people = {u.id: u for u in _internal_people(session)}
    for person in meeting.attendees:
        people.setdefault(person.id, person)
    on_deal = opportunities.opportunity_contacts(session, deal.id)
    contacts = {c.contact.id: c.contact for c in on_deal}
    for contact in meeting.contacts:
        contacts.setdefault(contact.id, contact)
    return {
        "deal": deal,
        "meeting": meeting,
        "form": form,
        "labels": LABELS,
        "kinds": presenters.MEETING_KIND_OPTIONS,
        "people": presenters.people_options(sorted(people.values(), key=lambda u: u.full_name)),
        "contacts": [(str(c.id), c.full_name) for c in contacts.values()],
        "request_id": meeting.request_id,
    }


def _meeting_form(meeting: Meeting) -> FormState:
    form = FormState.from_record(
        meeting, ("kind", "title", "duration_minutes", "location", "is_major", "agenda", "version")
    )
    form.values["starts_at"] = presenters.local_input(as_utc(meeting.starts_at))
    form.values["attendee_ids"] = [str(u.id) for u in meeting.attendees]
    form.values["contact_ids"] = [str(c.id) for c in meeting.contacts]
    return form


@router.get("/meetings/{meeting_id:id}/edit")
def meeting_edit(request: Request, meeting_id: int, session: SessionDep, user: WebUser) -> Response:
    """The call's time, length, kind, title, place, agenda and people, as a form."""
    meeting = meetings.get_meeting(session, meeting_id)
    meetings.require_meeting_edit(user, meeting)
    context = _edit_context(session, meeting, _meeting_form(meeting))
    return render(request, "collaboration/meeting_form.html", context)


@router.post("/meetings/{meeting_id:id}/edit")
def meeting_update(
    request: Request, meeting_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Save the changes; bad input stays on the form beside its field and nothing is stored."""
    meeting = meetings.get_meeting(session, meeting_id)
    meetings.require_meeting_edit(user, meeting)
    state = FormState.from_form(form, lists=("attendee_ids", "contact_ids"))
    for name in ("location", "agenda", "version"):
        state.values.setdefault(name, "")
    state.require("kind", "title", "starts_at", "duration_minutes")

    def save() -> Meeting:
        data = state.data(MeetingPatch)
        data["is_major"] = state.checked("is_major")
        data["version"] = state.value("version") or None
        patch = MeetingPatch.model_validate(data)
        return meetings.update_meeting(session, actor=user, meeting=meeting, data=patch)

    saved = attempt(session, state, save)
    if saved is None:
        meeting = meetings.get_meeting(session, meeting_id)
        context = _edit_context(session, meeting, state)
        return render(request, "collaboration/meeting_form.html", context, status_code=state.status)
    return redirect(f"/meetings/{saved.id}", flash=f"“{saved.title}” saved.")


def _elements(session: Session) -> list[tuple[str, list[tuple[str, str]]]]:
    """Qualification elements to rate from a debrief, grouped by framework."""
    wanted = ("meddpicc", "bant")
    frameworks = {f.key: f for f in list_frameworks(session)}
    return [
        (frameworks[k].name, [(f"{k}.{e.key}", e.name) for e in frameworks[k].elements])
        for k in wanted
        if k in frameworks
    ]


def _huddle_form(meeting: Meeting, user: User) -> FormState:
    huddle = meeting.huddle
    if huddle is None:
        owner = meeting.opportunity.owner_id
        return FormState.blank(
            held_at=presenters.local_input(utcnow()),
            duration_minutes=15,
            driver_id=owner,
            commercial_owner_id=owner,
            screen_sharer_id=user.id if user.role is Role.SE else None,
            note_taker_id=owner,
            opener_id=owner,
            checklist=[],
        )
    form = FormState.from_record(
        huddle,
        (
            "duration_minutes",
            "objective",
            "driver_id",
            "commercial_owner_id",
            "screen_sharer_id",
            "note_taker_id",
            "opener_id",
            "call_to_action",
            "notes",
            "version",
        ),
    )
    form.values["held_at"] = presenters.local_input(as_utc(huddle.held_at))
    form.values["checklist"] = [k for k, done in huddle.checklist.items() if done]
    return form


def _debrief_form(meeting: Meeting) -> FormState:
    debrief = meeting.debrief
    if debrief is None:
        return FormState.blank(pain_uncovered="", update_deal_next_step="true")
    form = FormState.from_record(
        debrief,
        (
            "what_we_missed",
            "pain_uncovered",
            "next_step_secured",
            "next_step",
            "next_step_date",
            "notes",
            "version",
        ),
    )
    form.values["update_deal_next_step"] = "true"
    return form


def meeting_context(
    session: Session,
    user: User,
    meeting: Meeting,
    *,
    huddle: FormState | None = None,
    debrief: FormState | None = None,
    held: FormState | None = None,
) -> dict[str, object]:
    """Everything the call's page shows; a refused form keeps what was typed."""
    deal = meeting.opportunity
    deal = opportunities.get_opportunity(session, deal.id)
    applied = charter_for_deal(session, deal)
    lead = applied.charter.prep_lead_hours
    now = utcnow()
    can_edit = can_edit_record(
        user, owner_id=deal.owner_id, team_ids=[u.id for u in deal.engineers]
    )
    people = {u.id: u for u in meeting.attendees}
    if deal.owner is not None:
        people.setdefault(deal.owner.id, deal.owner)
    return {
        "meeting": meeting,
        "deal": deal,
        "charter": applied.charter,
        "lead_hours": lead,
        "huddle_due": huddles.due_by(meeting, lead),
        "huddle_on_time": huddles.on_time(meeting.huddle, meeting, lead)
        if meeting.huddle
        else None,
        "happened": meetings.has_happened(meeting, now),
        "can_edit": can_edit,
        "people": presenters.people_options(list(people.values())),
        "people_by_id": people,
        "checklist": huddles.CHECKLIST,
        "huddle_form": huddle or _huddle_form(meeting, user),
        "debrief_form": debrief or _debrief_form(meeting),
        "held_form": held or FormState.blank(),
        "pain_options": presenters.PAIN_OPTIONS,
        "elements": _elements(session),
        "rating_rows": range(RATING_ROWS),
        "labels": LABELS,
        "se_request": requests.get_request(session, meeting.request_id)
        if meeting.request_id
        else None,
    }


@router.get("/meetings/{meeting_id:id}")
def meeting_detail(
    request: Request, meeting_id: int, session: SessionDep, user: WebUser
) -> Response:
    """A call: its huddle before, its debrief after."""
    meeting = meetings.get_meeting(session, meeting_id)
    return render(request, "collaboration/meeting.html", meeting_context(session, user, meeting))


@router.get("/meetings/{meeting_id:id}.ics")
def meeting_ics(meeting_id: int, session: SessionDep, user: WebUser) -> Response:
    """The call as a calendar file."""
    meeting = meetings.get_meeting(session, meeting_id)
    return Response(
        meetings.calendar_of([meeting]),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting_id}.ics"'},
    )


def _refused(
    request: Request,
    session: Session,
    user: User,
    meeting_id: int,
    state: FormState,
    **forms: FormState,
) -> Response:
    meeting = meetings.get_meeting(session, meeting_id)
    context = meeting_context(session, user, meeting, **forms)
    return render(request, "collaboration/meeting.html", context, status_code=state.status)


@router.post("/meetings/{meeting_id:id}/huddle")
def huddle_save(
    request: Request, meeting_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Record the huddle; a refusal (e.g. an SE on commercial questions) stays on the form."""
    meeting = meetings.get_meeting(session, meeting_id)
    state = FormState.from_form(form, lists=("checklist",))
    state.values.setdefault("notes", "")
    state.require("objective", "call_to_action")
    saved = attempt(
        session,
        state,
        lambda: huddles.save_huddle(
            session,
            actor=user,
            meeting=meeting,
            data=HuddleIn.model_validate(state.data(HuddleIn)),
        ),
    )
    if saved is None:
        return _refused(request, session, user, meeting_id, state, huddle=state)
    return redirect(f"/meetings/{meeting_id}#huddle", flash="Huddle recorded.")


@router.post("/meetings/{meeting_id:id}/held")
def meeting_held(
    request: Request, meeting_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Mark the call as held; the debrief opens."""
    meeting = meetings.get_meeting(session, meeting_id)
    state = FormState.from_form(form)
    state.values.setdefault("held_at", "")
    done = attempt(
        session,
        state,
        lambda: meetings.hold_meeting(
            session, actor=user, meeting=meeting, data=HeldIn.model_validate(state.data(HeldIn))
        ),
    )
    if done is None:
        return _refused(request, session, user, meeting_id, state, held=state)
    return redirect(f"/meetings/{meeting_id}#debrief", flash="Call marked as held; debrief it now.")


@router.post("/meetings/{meeting_id:id}/cancel")
def meeting_cancel(meeting_id: int, session: SessionDep, user: WebUser) -> Response:
    """Call it off."""
    meeting = meetings.get_meeting(session, meeting_id)
    meetings.cancel_meeting(session, actor=user, meeting=meeting)
    return redirect(f"/meetings/{meeting_id}", flash="Call cancelled.")


def _debrief_data(state: FormState) -> DebriefIn:
    data = state.data(DebriefIn)
    data["next_step_secured"] = state.checked("next_step_secured")
    data["update_deal_next_step"] = state.checked("update_deal_next_step")
    ratings = []
    for index in range(RATING_ROWS):
        element = state.value(f"rating_element_{index}").strip()
        score = state.value(f"rating_score_{index}").strip()
        if not element:
            continue
        framework, _, key = element.partition(".")
        ratings.append(
            RatingUpdateIn(
                framework=framework,
                element=key,
                score=int(score) if score.isdigit() else 0,
                evidence=state.value(f"rating_evidence_{index}") or None,
            )
        )
    data["ratings"] = ratings
    return DebriefIn.model_validate(data)


@router.post("/meetings/{meeting_id:id}/debrief")
def debrief_save(
    request: Request, meeting_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Write the debrief; it may rate qualification elements and set the deal's next step."""
    meeting = meetings.get_meeting(session, meeting_id)
    state = FormState.from_form(form)
    for name in ("what_we_missed", "next_step", "next_step_date", "notes", "pain_uncovered"):
        state.values.setdefault(name, "")
    if not state.value("pain_uncovered"):
        state.errors["pain_uncovered"] = "say whether the real pain came out"
    for index in range(RATING_ROWS):
        for part in ("element", "score", "evidence"):
            state.values.setdefault(f"rating_{part}_{index}", "")
        if state.value(f"rating_element_{index}") and not state.value(f"rating_score_{index}"):
            state.errors[f"rating_score_{index}"] = "choose the level to rate it"
    saved = attempt(
        session,
        state,
        lambda: debriefs.save_debrief(
            session, actor=user, meeting=meeting, data=_debrief_data(state)
        ),
    )
    if saved is None:
        return _refused(request, session, user, meeting_id, state, debrief=state)
    return redirect(
        f"/opportunities/{meeting.opportunity_id}#calls",
        flash=f"Debrief of “{meeting.title}” saved.",
    )
