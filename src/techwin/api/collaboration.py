"""Collaboration: the REST endpoints (thin; the business is in techwin.collaboration).

Pods and SE profiles, charters and acknowledgements, the stakeholder map, SE requests with their
status flow and ranked SE suggestions, meetings with huddles, debriefs and calendar files, and
each person's reminders."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.orm import Session

from techwin.api.paging import PageOut, page_out
from techwin.auth import service as auth_service
from techwin.collaboration import (
    assignment,
    charters,
    debriefs,
    huddles,
    meetings,
    pods,
    reminders,
    requests,
    stakeholders,
)
from techwin.collaboration.access import discipline_scope
from techwin.collaboration.enums import MeetingStatus, RequestKind, RequestStatus
from techwin.collaboration.facts import check_request
from techwin.collaboration.models import Charter, Pod
from techwin.collaboration.playbook import QuestionBank, question_bank
from techwin.collaboration.schemas import (
    AssignIn,
    CharterEdit,
    CharterOut,
    CharterScopeIn,
    CoverageOut,
    DebriefIn,
    DebriefOut,
    DeclineIn,
    DisciplineOut,
    HeldIn,
    HuddleIn,
    HuddleOut,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    PodIn,
    PodMemberOut,
    PodOut,
    ReasonIn,
    ReminderOut,
    RequestEventOut,
    RequestIn,
    RequestOut,
    SEProfileIn,
    SEProfileOut,
    StakeholderIn,
    StakeholderOut,
    StakeholderPatch,
    SuggestionOut,
    TeamCoverageOut,
    VerdictOut,
    VersionIn,
)
from techwin.collaboration.stakeholders import coverage, facts_of, list_stakeholders
from techwin.core.time import as_utc, start_of_day, utcnow
from techwin.core.types import RecordId
from techwin.deps import ApiUser, PageDep, SessionDep
from techwin.errors import InvalidInput, NotFound
from techwin.evaluation import se_requests
from techwin.pipeline import opportunities

router = APIRouter(tags=["collaboration"])

ICS = "text/calendar; charset=utf-8"


def _pod_out(pod: Pod) -> PodOut:
    counts = pods.pod_counts(pod)
    return PodOut(
        id=pod.id,
        name=pod.name,
        team_id=pod.team_id,
        members=[
            PodMemberOut(user_id=m.user_id, full_name=m.user.full_name, side=m.side)
            for m in pod.members
        ],
        se_count=counts.se_count,
        ae_count=counts.ae_count,
        ratio=counts.ratio,
        version=pod.version,
    )


# ---------- Pods, coverage, SE profiles ----------


@router.get("/pods", response_model=list[PodOut])
def list_pods(session: SessionDep, user: ApiUser, team_id: RecordId | None = None) -> list[PodOut]:
    """Pods with their members and SE:AE ratio."""
    return [_pod_out(p) for p in pods.list_pods(session, team_id=team_id)]


@router.post("/pods", response_model=PodOut, status_code=status.HTTP_201_CREATED)
def create_pod(body: PodIn, session: SessionDep, user: ApiUser) -> PodOut:
    """Pair AEs and SEs (managers of the team, admins)."""
    return _pod_out(pods.create_pod(session, actor=user, data=body))


@router.get("/pods/{pod_id}", response_model=PodOut)
def get_pod(pod_id: RecordId, session: SessionDep, user: ApiUser) -> PodOut:
    """One pod."""
    return _pod_out(pods.get_pod(session, pod_id))


@router.put("/pods/{pod_id}", response_model=PodOut)
def update_pod(pod_id: RecordId, body: PodIn, session: SessionDep, user: ApiUser) -> PodOut:
    """Rename a pod or change its team or members; send ``version``."""
    pod = pods.get_pod(session, pod_id)
    return _pod_out(pods.update_pod(session, actor=user, pod=pod, data=body))


@router.delete("/pods/{pod_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_pod(pod_id: RecordId, session: SessionDep, user: ApiUser) -> Response:
    """Dissolve a pod."""
    pods.delete_pod(session, actor=user, pod=pods.get_pod(session, pod_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/teams/coverage", response_model=list[TeamCoverageOut])
def team_coverage(session: SessionDep, user: ApiUser) -> list[TeamCoverageOut]:
    """Each team's SE:AE ratio and pods."""
    return [
        TeamCoverageOut(
            team_id=c.team.id,
            team_name=c.team.name,
            se_count=c.se_count,
            ae_count=c.ae_count,
            ratio=c.ratio,
            pods=[_pod_out(p) for p in c.pods],
        )
        for c in pods.team_coverage(session)
    ]


@router.get("/se-profiles", response_model=list[SEProfileOut])
def list_profiles(session: SessionDep, user: ApiUser) -> list[SEProfileOut]:
    """Every SE's skills, territories and weekly capacity."""
    return [pods.profile_out(u.id, p) for u, p in pods.list_profiles(session)]


@router.get("/se-profiles/{user_id}", response_model=SEProfileOut)
def get_profile(user_id: RecordId, session: SessionDep, user: ApiUser) -> SEProfileOut:
    """One SE's profile (defaults when none was recorded)."""
    return pods.profile_out(user_id, pods.get_profile(session, user_id))


@router.put("/se-profiles/{user_id}", response_model=SEProfileOut)
def save_profile(
    user_id: RecordId, body: SEProfileIn, session: SessionDep, user: ApiUser
) -> SEProfileOut:
    """Record an SE's skills, territories and capacity (managers, admins)."""
    profile = pods.save_profile(session, actor=user, user_id=user_id, data=body)
    return pods.profile_out(user_id, profile)


# ---------- Charters ----------


def _charter_out(session: Session, charter: Charter) -> CharterOut:
    return charters.charter_out(charter, charters.acknowledgements(session, charter))


@router.get("/charters", response_model=list[CharterOut])
def list_charters(session: SessionDep, user: ApiUser) -> list[CharterOut]:
    """The current revision of every charter (default, teams, pods)."""
    return [_charter_out(session, c) for c in charters.list_current_charters(session)]


@router.post("/charters", response_model=CharterOut, status_code=status.HTTP_201_CREATED)
def start_charter(body: CharterScopeIn, session: SessionDep, user: ApiUser) -> CharterOut:
    """Give a team (or a pod) its own charter, copied from the one that applies there now."""
    return _charter_out(session, charters.start_charter(session, actor=user, scope=body))


@router.get("/charters/{charter_id}", response_model=CharterOut)
def get_charter(charter_id: RecordId, session: SessionDep, user: ApiUser) -> CharterOut:
    """One charter revision with who acknowledged it."""
    return _charter_out(session, charters.get_charter(session, charter_id))


@router.put("/charters/{charter_id}", response_model=CharterOut)
def edit_charter(
    charter_id: RecordId, body: CharterEdit, session: SessionDep, user: ApiUser
) -> CharterOut:
    """Publish a new revision (send ``based_on``: the revision you edited)."""
    charter = charters.get_charter(session, charter_id)
    return _charter_out(
        session, charters.edit_charter(session, actor=user, charter=charter, data=body)
    )


@router.post("/charters/{charter_id}/acknowledge", response_model=CharterOut)
def acknowledge(charter_id: RecordId, session: SessionDep, user: ApiUser) -> CharterOut:
    """Agree to the current revision of a charter."""
    charter = charters.get_charter(session, charter_id)
    charters.acknowledge(session, actor=user, charter=charter)
    return _charter_out(session, charter)


@router.get("/opportunities/{opportunity_id}/charter", response_model=CharterOut)
def deal_charter(opportunity_id: RecordId, session: SessionDep, user: ApiUser) -> CharterOut:
    """The charter that applies to a deal (its AE's pod, team, or the default)."""
    deal = opportunities.get_opportunity(session, opportunity_id)
    return _charter_out(session, charters.charter_for_deal(session, deal).charter)


@router.get("/opportunities/{opportunity_id}/charter-check", response_model=list[VerdictOut])
def charter_check(
    opportunity_id: RecordId,
    session: SessionDep,
    user: ApiUser,
    kind: RequestKind,
    needed_by: date | None = None,
) -> list[VerdictOut]:
    """What the charter says about a request of ``kind`` on this deal, before asking."""
    deal = opportunities.get_opportunity(session, opportunity_id)
    _charter_id, verdicts = check_request(session, deal, kind, needed_by=needed_by)
    return [VerdictOut.model_validate(v.as_dict()) for v in verdicts]


@router.get("/question-bank", response_model=QuestionBank)
def get_question_bank(user: ApiUser) -> QuestionBank:
    """The questions an SE asks the AE before accepting a request."""
    return question_bank()


# ---------- Stakeholders ----------


@router.get("/opportunities/{opportunity_id}/stakeholders", response_model=list[StakeholderOut])
def deal_stakeholders(
    opportunity_id: RecordId, session: SessionDep, user: ApiUser
) -> list[StakeholderOut]:
    """A deal's stakeholder map."""
    opportunities.get_opportunity(session, opportunity_id)
    return [stakeholders.stakeholder_out(s) for s in list_stakeholders(session, opportunity_id)]


@router.post(
    "/opportunities/{opportunity_id}/stakeholders",
    response_model=StakeholderOut,
    status_code=status.HTTP_201_CREATED,
)
def add_stakeholder(
    opportunity_id: RecordId, body: StakeholderIn, session: SessionDep, user: ApiUser
) -> StakeholderOut:
    """Put a contact (existing, or a new person at the account) on the map."""
    deal = opportunities.get_opportunity(session, opportunity_id)
    added = stakeholders.add_stakeholder(session, actor=user, deal=deal, data=body)
    return stakeholders.stakeholder_out(added)


@router.patch("/stakeholders/{stakeholder_id}", response_model=StakeholderOut)
def update_stakeholder(
    stakeholder_id: RecordId, body: StakeholderPatch, session: SessionDep, user: ApiUser
) -> StakeholderOut:
    """Change a stakeholder's role, engagement, sentiment, last touch or notes."""
    found = stakeholders.get_stakeholder(session, stakeholder_id)
    changed = stakeholders.update_stakeholder(session, actor=user, stakeholder=found, data=body)
    return stakeholders.stakeholder_out(changed)


@router.delete("/stakeholders/{stakeholder_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_stakeholder(stakeholder_id: RecordId, session: SessionDep, user: ApiUser) -> Response:
    """Take a contact off the map."""
    found = stakeholders.get_stakeholder(session, stakeholder_id)
    stakeholders.remove_stakeholder(session, actor=user, stakeholder=found)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/opportunities/{opportunity_id}/coverage", response_model=CoverageOut)
def deal_coverage(opportunity_id: RecordId, session: SessionDep, user: ApiUser) -> CoverageOut:
    """How well the deal is multi-threaded."""
    opportunities.get_opportunity(session, opportunity_id)
    cover = coverage(facts_of(list_stakeholders(session, opportunity_id)))
    return CoverageOut(
        engaged_people=cover.engaged_people,
        key_roles_covered=cover.covered,
        key_roles_missing=cover.missing,
        coverage=cover.ratio,
        single_threaded=cover.single_threaded,
        has_blocker=cover.has_blocker,
    )


# ---------- SE requests ----------


@router.get("/se-requests", response_model=PageOut[RequestOut])
def list_requests(
    session: SessionDep,
    user: ApiUser,
    paging: PageDep,
    status_: Annotated[list[RequestStatus] | None, Query(alias="status")] = None,
    se_id: RecordId | None = None,
    requester_id: RecordId | None = None,
    opportunity_id: RecordId | None = None,
    kind: RequestKind | None = None,
) -> dict[str, object]:
    """Requests, soonest needed first; filter by status (repeatable), SE, requester, deal, kind."""
    filters = requests.RequestFilter(
        statuses=tuple(status_ or ()),
        assignee_id=se_id,
        requester_id=requester_id,
        opportunity_id=opportunity_id,
        kind=kind,
    )
    page = requests.list_requests(session, filters=filters, page=paging)
    return page_out(page, [requests.request_out(r) for r in page.items])


@router.post("/se-requests", response_model=RequestOut, status_code=status.HTTP_201_CREATED)
def submit_request(body: RequestIn, session: SessionDep, user: ApiUser) -> RequestOut:
    """Ask for SE time; the answer says whether the charter blocked it (``status``, ``unmet``)."""
    return requests.request_out(se_requests.submit_request(session, actor=user, data=body))


@router.get("/se-requests/{request_id}", response_model=RequestOut)
def get_request(request_id: RecordId, session: SessionDep, user: ApiUser) -> RequestOut:
    """One request."""
    return requests.request_out(requests.get_request(session, request_id))


@router.get("/se-requests/{request_id}/events", response_model=list[RequestEventOut])
def request_events(
    request_id: RecordId, session: SessionDep, user: ApiUser
) -> list[RequestEventOut]:
    """Every status change, oldest first."""
    requests.get_request(session, request_id)
    return [RequestEventOut.model_validate(e) for e in requests.request_events(session, request_id)]


@router.post("/se-requests/{request_id}/resubmit", response_model=RequestOut)
def resubmit(
    request_id: RecordId, body: VersionIn, session: SessionDep, user: ApiUser
) -> RequestOut:
    """Check a blocked request against the charter again."""
    found = requests.get_request(session, request_id)
    se_requests.resubmit_request(session, actor=user, request=found, version=body.version)
    return requests.request_out(found)


@router.post("/se-requests/{request_id}/override", response_model=RequestOut)
def override(
    request_id: RecordId, body: ReasonIn, session: SessionDep, user: ApiUser
) -> RequestOut:
    """Let a blocked request through (managers; the reason is audited)."""
    found = requests.get_request(session, request_id)
    requests.override_request(
        session, actor=user, request=found, reason=body.reason, version=body.version
    )
    return requests.request_out(found)


@router.get("/se-requests/{request_id}/suggestions", response_model=list[SuggestionOut])
def suggestions(request_id: RecordId, session: SessionDep, user: ApiUser) -> list[SuggestionOut]:
    """SEs ranked for the request, with the reason for each rank."""
    found = requests.get_request(session, request_id)
    return [
        SuggestionOut(
            rank=r.rank,
            se_id=r.candidate.user_id,
            full_name=r.candidate.name,
            score=r.score,
            reasons=r.reasons,
            open_requests=r.candidate.open_requests,
            hours_this_week=r.candidate.hours_this_week,
            capacity_hours=r.candidate.capacity_hours,
            in_team=r.candidate.in_team,
        )
        for r in assignment.suggest(session, actor=user, request=found)
    ]


@router.post("/se-requests/{request_id}/assign", response_model=RequestOut)
def assign(request_id: RecordId, body: AssignIn, session: SessionDep, user: ApiUser) -> RequestOut:
    """Give the request to an SE (managers)."""
    found = requests.get_request(session, request_id)
    requests.assign_request(
        session, actor=user, request=found, se_id=body.se_id, version=body.version
    )
    return requests.request_out(found)


@router.post("/se-requests/{request_id}/decline", response_model=RequestOut)
def decline(
    request_id: RecordId, body: DeclineIn, session: SessionDep, user: ApiUser
) -> RequestOut:
    """The assigned SE (or a manager) declines, with a reason and the questions left open."""
    found = requests.get_request(session, request_id)
    requests.decline_request(
        session,
        actor=user,
        request=found,
        reason=body.reason,
        unanswered=body.unanswered,
        version=body.version,
    )
    return requests.request_out(found)


@router.post("/se-requests/{request_id}/cancel", response_model=RequestOut)
def cancel(request_id: RecordId, body: ReasonIn, session: SessionDep, user: ApiUser) -> RequestOut:
    """Withdraw the request (requester, the deal's AE, managers)."""
    found = requests.get_request(session, request_id)
    requests.cancel_request(
        session, actor=user, request=found, reason=body.reason, version=body.version
    )
    return requests.request_out(found)


@router.post("/se-requests/{request_id}/complete", response_model=RequestOut)
def complete(
    request_id: RecordId, body: VersionIn, session: SessionDep, user: ApiUser
) -> RequestOut:
    """Mark the work done (the assigned SE, managers)."""
    found = requests.get_request(session, request_id)
    requests.complete_request(session, actor=user, request=found, version=body.version)
    return requests.request_out(found)


# ---------- Meetings, huddles, debriefs ----------


def meeting_filters(
    opportunity_id: RecordId | None = None,
    user_id: RecordId | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    status_: Annotated[list[MeetingStatus] | None, Query(alias="status")] = None,
) -> meetings.MeetingFilter:
    """The query parameters that narrow a list of calls: deal, attendee (or owner), period
    (``start`` inclusive, ``end`` exclusive) and status (repeatable)."""
    return meetings.MeetingFilter(
        opportunity_id=opportunity_id,
        user_id=user_id,
        start=as_utc(start) if start else None,
        end=as_utc(end) if end else None,
        statuses=tuple(status_ or ()),
    )


MeetingFilterDep = Annotated[meetings.MeetingFilter, Depends(meeting_filters)]
MeetingLimit = Annotated[int, Query(ge=1, le=500)]


@router.get("/meetings", response_model=list[MeetingOut])
def list_meetings(
    session: SessionDep, user: ApiUser, filters: MeetingFilterDep, limit: MeetingLimit = 200
) -> list[MeetingOut]:
    """Calls by start time; filter by deal, attendee, period and status."""
    return [
        meetings.meeting_out(m)
        for m in meetings.list_meetings(session, filters=filters, limit=limit)
    ]


@router.get("/meetings.ics", response_class=Response)
def meetings_ics(
    session: SessionDep, user: ApiUser, filters: MeetingFilterDep, limit: MeetingLimit = 200
) -> Response:
    """The calls the same filters list (first ``limit`` by start time) as one iCalendar file;
    a deal or person named in the filters must exist."""
    name = "meetings"
    if filters.opportunity_id is not None:
        opportunities.get_opportunity(session, filters.opportunity_id)
        name += f"-opportunity-{filters.opportunity_id}"
    if filters.user_id is not None:
        auth_service.get_user(session, filters.user_id)
        name += f"-user-{filters.user_id}"
    found = meetings.list_meetings(session, filters=filters, limit=limit)
    return Response(
        meetings.calendar_of(found),
        media_type=ICS,
        headers={"Content-Disposition": f'attachment; filename="{name}.ics"'},
    )


@router.post("/meetings", response_model=MeetingOut, status_code=status.HTTP_201_CREATED)
def plan_meeting(body: MeetingIn, session: SessionDep, user: ApiUser) -> MeetingOut:
    """Plan a call on a deal (a call for an SE request schedules it)."""
    return meetings.meeting_out(meetings.plan_meeting(session, actor=user, data=body))


@router.get("/meetings/{meeting_id}.ics", response_class=Response)
def meeting_ics(meeting_id: RecordId, session: SessionDep, user: ApiUser) -> Response:
    """The call as an iCalendar file."""
    meeting = meetings.get_meeting(session, meeting_id)
    return Response(
        meetings.calendar_of([meeting]),
        media_type=ICS,
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting_id}.ics"'},
    )


@router.get("/meetings/{meeting_id}", response_model=MeetingOut)
def get_meeting(meeting_id: RecordId, session: SessionDep, user: ApiUser) -> MeetingOut:
    """One call."""
    return meetings.meeting_out(meetings.get_meeting(session, meeting_id))


@router.patch("/meetings/{meeting_id}", response_model=MeetingOut)
def update_meeting(
    meeting_id: RecordId, body: MeetingPatch, session: SessionDep, user: ApiUser
) -> MeetingOut:
    """Move, retitle or re-staff a call; send ``version``."""
    meeting = meetings.get_meeting(session, meeting_id)
    return meetings.meeting_out(
        meetings.update_meeting(session, actor=user, meeting=meeting, data=body)
    )


@router.post("/meetings/{meeting_id}/held", response_model=MeetingOut)
def hold_meeting(
    meeting_id: RecordId, body: HeldIn, session: SessionDep, user: ApiUser
) -> MeetingOut:
    """Record that the call took place."""
    meeting = meetings.get_meeting(session, meeting_id)
    return meetings.meeting_out(
        meetings.hold_meeting(session, actor=user, meeting=meeting, data=body)
    )


@router.post("/meetings/{meeting_id}/cancel", response_model=MeetingOut)
def cancel_meeting(
    meeting_id: RecordId, body: VersionIn, session: SessionDep, user: ApiUser
) -> MeetingOut:
    """Call off a planned call."""
    meeting = meetings.get_meeting(session, meeting_id)
    meetings.cancel_meeting(session, actor=user, meeting=meeting, version=body.version)
    return meetings.meeting_out(meetings.get_meeting(session, meeting_id))


@router.put("/meetings/{meeting_id}/huddle", response_model=HuddleOut)
def save_huddle(
    meeting_id: RecordId, body: HuddleIn, session: SessionDep, user: ApiUser
) -> HuddleOut:
    """Record (or revise) the huddle before a call."""
    meeting = meetings.get_meeting(session, meeting_id)
    return huddles.huddle_out(huddles.save_huddle(session, actor=user, meeting=meeting, data=body))


@router.get("/meetings/{meeting_id}/huddle", response_model=HuddleOut)
def get_huddle(meeting_id: RecordId, session: SessionDep, user: ApiUser) -> HuddleOut:
    """A call's huddle."""
    meeting = meetings.get_meeting(session, meeting_id)
    if meeting.huddle is None:
        raise _missing("huddle", meeting_id)
    return huddles.huddle_out(meeting.huddle)


@router.put("/meetings/{meeting_id}/debrief", response_model=DebriefOut)
def save_debrief(
    meeting_id: RecordId, body: DebriefIn, session: SessionDep, user: ApiUser
) -> DebriefOut:
    """Write (or revise) the debrief of a call that took place."""
    meeting = meetings.get_meeting(session, meeting_id)
    return debriefs.debrief_out(
        debriefs.save_debrief(session, actor=user, meeting=meeting, data=body)
    )


@router.get("/meetings/{meeting_id}/debrief", response_model=DebriefOut)
def get_debrief(meeting_id: RecordId, session: SessionDep, user: ApiUser) -> DebriefOut:
    """A call's debrief."""
    meeting = meetings.get_meeting(session, meeting_id)
    if meeting.debrief is None:
        raise _missing("debrief", meeting_id)
    return debriefs.debrief_out(meeting.debrief)


def _missing(what: str, meeting_id: int) -> NotFound:
    return NotFound(f"meeting {meeting_id} has no {what} yet", field="meeting_id")


# ---------- Reminders and discipline ----------


@router.get("/reminders", response_model=list[ReminderOut])
def my_reminders(session: SessionDep, user: ApiUser) -> list[ReminderOut]:
    """Huddles missing and debriefs owed on the caller's calls."""
    found, _meetings = reminders.reminders_for(session, user=user)
    return [ReminderOut(**r.__dict__) for r in found]


@router.get("/discipline", response_model=list[DisciplineOut])
def discipline(
    session: SessionDep,
    user: ApiUser,
    start: date | None = None,
    end: date | None = None,
    teams: Literal["mine", "all"] = "mine",
) -> list[DisciplineOut]:
    """Per pod: major calls in the period and the share with a huddle and with a debrief
    (default: the last 90 days). Managers see their teams' pods (``teams=all``: every team's),
    AEs and SEs their own pods, admins every pod."""
    last = end or utcnow().date()
    first = start or last - timedelta(days=90)
    if first > last:
        raise InvalidInput("the period ends before it starts", field="start")
    scope = discipline_scope(session, user, every_team=teams == "all")
    rows = reminders.discipline(
        session,
        start=start_of_day(first),
        end=start_of_day(last) + timedelta(days=1),
        pod_ids=scope.pod_ids,
    )
    return [
        DisciplineOut(
            pod_id=d.pod_id,
            pod_name=d.pod_name,
            major_calls=d.major_calls,
            with_huddle=d.with_huddle,
            with_debrief=d.with_debrief,
            huddle_rate=d.huddle_rate,
            debrief_rate=d.debrief_rate,
        )
        for d in rows
    ]
