"""Pydantic shapes of two in a box: API bodies, form input and CLI input share them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from techwin.collaboration.charter_rules import Threshold, parse_thresholds
from techwin.collaboration.enums import (
    BuyingRole,
    Engagement,
    MeetingKind,
    MeetingStatus,
    PainUncovered,
    PodSide,
    RequestKind,
    RequestStatus,
    Sentiment,
)
from techwin.core.inputs import BlankableText, InputModel
from techwin.core.types import RecordId
from techwin.pipeline.enums import Seniority

Tag = Annotated[str, Field(min_length=1, max_length=40)]
Reason = Annotated[str, Field(min_length=3, max_length=500)]


def _tags(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip().lower() for v in values if v.strip()))


# ---------- SE profiles and pods ----------


class SEProfileIn(InputModel):
    """What a manager records about an SE for assignment."""

    skills: list[Tag] = Field(default_factory=list, max_length=30)
    territories: list[Tag] = Field(default_factory=list, max_length=20)
    weekly_capacity_hours: int = Field(default=30, ge=1, le=80)
    version: int | None = None

    @field_validator("skills", "territories")
    @classmethod
    def _clean(cls, value: list[str]) -> list[str]:
        return _tags(value)


class SEProfileOut(BaseModel):
    """An SE's profile."""

    model_config = ConfigDict(from_attributes=True)

    user_id: int
    skills: list[str]
    territories: list[str]
    weekly_capacity_hours: int
    version: int


class PodMemberIn(InputModel):
    """A person in a pod."""

    user_id: RecordId
    side: PodSide


class PodIn(InputModel):
    """A new pod, or a pod's new name, team and members."""

    name: str = Field(min_length=1, max_length=120)
    team_id: RecordId | None = None
    members: list[PodMemberIn] = Field(default_factory=list, max_length=40)
    version: int | None = None


class PodMemberOut(BaseModel):
    """A pod member."""

    user_id: int
    full_name: str
    side: PodSide


class PodOut(BaseModel):
    """A pod with its members and ratio."""

    id: int
    name: str
    team_id: int | None
    members: list[PodMemberOut]
    se_count: int
    ae_count: int
    ratio: str
    version: int


class TeamCoverageOut(BaseModel):
    """A team's SE:AE ratio and its pods."""

    team_id: int
    team_name: str
    se_count: int
    ae_count: int
    ratio: str
    pods: list[PodOut]


# ---------- Charters ----------


class CharterSpec(InputModel):
    """A charter's content, as shipped in the playbook or edited by a manager."""

    name: str = Field(min_length=1, max_length=120)
    rescue_phrase: str = Field(min_length=3, max_length=200)
    prep_lead_hours: int = Field(default=24, ge=1, le=168)
    prep_minutes: int = Field(default=15, ge=5, le=60)
    pricing_with_ae: bool = True
    commitments: list[Annotated[str, Field(min_length=3, max_length=600)]] = Field(
        default_factory=list, max_length=20
    )
    thresholds: list[Threshold] = Field(default_factory=list, max_length=40)

    @model_validator(mode="after")
    def _unique_threshold_keys(self) -> CharterSpec:
        parse_thresholds([t.model_dump() for t in self.thresholds])
        return self


class CharterEdit(CharterSpec):
    """A new revision of a charter; ``based_on`` is the revision the editor started from."""

    change_note: str | None = Field(default=None, max_length=500)
    based_on: int | None = None


class CharterScopeIn(InputModel):
    """Start a team charter (or a pod override) from the charter that applies there today."""

    team_id: RecordId | None = None
    pod_id: RecordId | None = None

    @model_validator(mode="after")
    def _one_scope(self) -> CharterScopeIn:
        if (self.team_id is None) == (self.pod_id is None):
            raise ValueError("give either team_id or pod_id")
        return self


class AcknowledgementOut(BaseModel):
    """Who agreed to a charter revision, and when."""

    user_id: int
    full_name: str
    side: str
    acknowledged_at: datetime | None


class CharterOut(BaseModel):
    """A charter revision with who has acknowledged it."""

    id: int
    scope: str
    team_id: int | None
    pod_id: int | None
    revision: int
    is_current: bool
    name: str
    rescue_phrase: str
    prep_lead_hours: int
    prep_minutes: int
    pricing_with_ae: bool
    commitments: list[str]
    thresholds: list[dict[str, Any]]
    change_note: str | None
    created_at: datetime
    acknowledgements: list[AcknowledgementOut] = Field(default_factory=list)


# ---------- Stakeholders ----------


class NewContactIn(InputModel):
    """A person to add to the account while putting them on the stakeholder map."""

    first_name: BlankableText = Field(default="", max_length=80)
    last_name: str = Field(min_length=1, max_length=80)
    email: str | None = Field(default=None, max_length=254)
    title: str | None = Field(default=None, max_length=120)
    seniority: Seniority | None = None


class StakeholderIn(InputModel):
    """A contact on the deal's stakeholder map (an existing one, or a new person)."""

    contact_id: RecordId | None = None
    new_contact: NewContactIn | None = None
    role: BuyingRole
    engagement: Engagement = Engagement.NONE
    sentiment: Sentiment = Sentiment.UNKNOWN
    last_touch_at: datetime | None = None
    notes: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _who(self) -> StakeholderIn:
        if (self.contact_id is None) == (self.new_contact is None):
            raise ValueError("choose a contact or describe a new one (one of the two)")
        return self


class StakeholderPatch(InputModel):
    """A change to a stakeholder's role, engagement, sentiment or notes."""

    role: BuyingRole | None = None
    engagement: Engagement | None = None
    sentiment: Sentiment | None = None
    last_touch_at: datetime | None = None
    notes: str | None = Field(default=None, max_length=500)
    version: int | None = None


class StakeholderOut(BaseModel):
    """A stakeholder on a deal."""

    id: int
    opportunity_id: int
    contact_id: int
    name: str
    title: str | None
    seniority: Seniority | None
    role: BuyingRole
    engagement: Engagement
    sentiment: Sentiment
    last_touch_at: datetime | None
    notes: str | None
    version: int


class CoverageOut(BaseModel):
    """How well a deal is multi-threaded."""

    engaged_people: int
    key_roles_covered: list[BuyingRole]
    key_roles_missing: list[BuyingRole]
    coverage: float
    single_threaded: bool
    has_blocker: bool


# ---------- SE requests ----------


class RequestIn(InputModel):
    """An AE's request for SE time on a deal."""

    opportunity_id: RecordId
    kind: RequestKind
    needed_by: date
    notes: str | None = Field(default=None, max_length=4000)
    attendees: str | None = Field(default=None, max_length=500)
    topics: list[Tag] = Field(default_factory=list, max_length=15)

    @field_validator("topics")
    @classmethod
    def _clean(cls, value: list[str]) -> list[str]:
        return _tags(value)


class ReasonIn(InputModel):
    """A reason, for overrides and cancellations."""

    reason: Reason
    version: int | None = None


class DeclineIn(InputModel):
    """An SE declining a request, with the questions the AE could not answer."""

    reason: Reason
    unanswered: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=list, max_length=20
    )
    version: int | None = None


class AssignIn(InputModel):
    """A manager assigning an SE."""

    se_id: RecordId
    version: int | None = None


class VersionIn(InputModel):
    """An action on a record that only needs the version the actor saw."""

    version: int | None = None


class VerdictOut(BaseModel):
    """One charter threshold's state."""

    key: str
    label: str
    kind: str
    met: bool
    now: str
    how: str
    framework: str = Field(default="", description="for qualification thresholds: the framework")


class RequestEventOut(BaseModel):
    """One status change."""

    model_config = ConfigDict(from_attributes=True)

    from_status: RequestStatus | None
    to_status: RequestStatus
    at: datetime
    actor_id: int | None
    note: str | None


class RequestOut(BaseModel):
    """An SE request."""

    id: int
    opportunity_id: int
    opportunity_name: str
    kind: RequestKind
    status: RequestStatus
    requester_id: int | None
    assignee_id: int | None
    needed_by: date
    notes: str | None
    attendees: str | None
    topics: list[str]
    charter_id: int | None
    unmet: list[VerdictOut]
    override_reason: str | None
    decline_reason: str | None
    unanswered: list[str]
    status_changed_at: datetime
    created_at: datetime
    version: int


class SuggestionOut(BaseModel):
    """An SE suggested for a request, with the reasons for the rank."""

    rank: int
    se_id: int
    full_name: str
    score: float
    reasons: list[str]
    open_requests: int
    hours_this_week: float
    capacity_hours: int
    in_team: bool


# ---------- Meetings, huddles, debriefs ----------


class MeetingIn(InputModel):
    """A call on a deal."""

    opportunity_id: RecordId
    request_id: RecordId | None = None
    kind: MeetingKind
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    duration_minutes: int = Field(default=60, ge=5, le=600)
    location: str | None = Field(default=None, max_length=300)
    is_major: bool | None = None
    agenda: str | None = Field(default=None, max_length=4000)
    attendee_ids: list[RecordId] = Field(default_factory=list, max_length=20)
    contact_ids: list[RecordId] = Field(default_factory=list, max_length=40)


class MeetingPatch(InputModel):
    """A change to a call: any of its time, length, kind, title, place, agenda and people (the
    lists replace the call's); fields left out stay as they are."""

    kind: MeetingKind | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    starts_at: datetime | None = None
    duration_minutes: int | None = Field(default=None, ge=5, le=600)
    location: str | None = Field(default=None, max_length=300)
    is_major: bool | None = None
    agenda: str | None = Field(default=None, max_length=4000)
    attendee_ids: list[RecordId] | None = Field(default=None, max_length=20)
    contact_ids: list[RecordId] | None = Field(default=None, max_length=40)
    version: int | None = None


class HeldIn(InputModel):
    """Marking a call as held."""

    held_at: datetime | None = None
    version: int | None = None


class MeetingOut(BaseModel):
    """A call."""

    id: int
    opportunity_id: int
    request_id: int | None
    kind: MeetingKind
    title: str
    starts_at: datetime
    duration_minutes: int
    location: str | None
    is_major: bool
    status: MeetingStatus
    held_at: datetime | None
    owner_id: int | None
    agenda: str | None
    attendee_ids: list[int]
    contact_ids: list[int]
    has_huddle: bool
    has_debrief: bool
    version: int


class HuddleIn(InputModel):
    """The plan the AE and SE agree on before a major call."""

    held_at: datetime | None = None
    duration_minutes: int = Field(default=15, ge=5, le=120)
    objective: str = Field(min_length=3, max_length=500)
    driver_id: RecordId | None = None
    commercial_owner_id: RecordId | None = None
    screen_sharer_id: RecordId | None = None
    note_taker_id: RecordId | None = None
    opener_id: RecordId | None = None
    call_to_action: str = Field(min_length=3, max_length=500)
    checklist: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=list, max_length=20
    )
    notes: str | None = Field(default=None, max_length=4000)
    version: int | None = None


class HuddleOut(BaseModel):
    """A huddle record."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    meeting_id: int
    held_at: datetime
    duration_minutes: int
    objective: str
    driver_id: int | None
    commercial_owner_id: int | None
    screen_sharer_id: int | None
    note_taker_id: int | None
    opener_id: int | None
    call_to_action: str
    checklist: dict[str, bool]
    notes: str | None
    version: int


class RatingUpdateIn(InputModel):
    """A qualification rating the debrief updates."""

    framework: str = Field(min_length=1, max_length=40)
    element: str = Field(min_length=1, max_length=40)
    score: int = Field(ge=0, le=3)
    evidence: str | None = Field(default=None, max_length=4000)


class DebriefIn(InputModel):
    """The review right after a call."""

    what_we_missed: str | None = Field(default=None, max_length=4000)
    pain_uncovered: PainUncovered
    next_step_secured: bool = False
    next_step: str | None = Field(default=None, max_length=500)
    next_step_date: date | None = None
    notes: str | None = Field(default=None, max_length=4000)
    ratings: list[RatingUpdateIn] = Field(default_factory=list, max_length=12)
    update_deal_next_step: bool = True
    version: int | None = None

    @model_validator(mode="after")
    def _next_step(self) -> DebriefIn:
        if self.next_step_secured and not self.next_step:
            raise ValueError("say which next step was secured")
        return self


class DebriefOut(BaseModel):
    """A debrief."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    meeting_id: int
    what_we_missed: str | None
    pain_uncovered: PainUncovered
    next_step_secured: bool
    next_step: str | None
    next_step_date: date | None
    notes: str | None
    author_id: int | None
    created_at: datetime
    version: int


class ReminderOut(BaseModel):
    """Something the product reminds a person of."""

    kind: str
    meeting_id: int
    opportunity_id: int
    title: str
    due_at: datetime
    overdue: bool
    message: str


class DisciplineOut(BaseModel):
    """Huddle and debrief discipline of a pod over a period."""

    pod_id: int | None
    pod_name: str
    major_calls: int
    with_huddle: int
    with_debrief: int
    huddle_rate: float | None
    debrief_rate: float | None
