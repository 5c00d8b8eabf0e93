"""The people, pods and calls the two-in-a-box browser tests share: Maya's team (Enterprise
East: three AEs and three SEs in three pods) and another team (Public sector: one pod), and a
call with its huddle, its holding and its debrief as the test asks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.models import Team, User
from techwin.auth.schemas import TeamCreate, UserCreate
from techwin.collaboration import debriefs, huddles, meetings, pods
from techwin.collaboration.enums import MeetingKind, PodSide
from techwin.collaboration.schemas import (
    DebriefIn,
    HeldIn,
    HuddleIn,
    MeetingIn,
    PodIn,
    PodMemberIn,
)
from techwin.core.time import utcnow

PASSWORD = "correct horse battery"
MANAGER = "maya.chen@example.com"
AE = "alex.morgan@example.com"
SE = "priya.shah@example.com"


def person(session: Session, email: str, name: str, role: Role, team_id: int | None = None) -> User:
    """A user who signs in with ``PASSWORD``."""
    data = UserCreate(email=email, full_name=name, role=role, password=PASSWORD, team_id=team_id)
    return auth_service.create_user(session, actor=None, data=data)


def pod(session: Session, name: str, team_id: int, ae: User, se: User) -> None:
    """A pod of one AE and one SE."""
    members = [
        PodMemberIn(user_id=ae.id, side=PodSide.AE),
        PodMemberIn(user_id=se.id, side=PodSide.SE),
    ]
    pods.create_pod(session, actor=None, data=PodIn(name=name, team_id=team_id, members=members))


@dataclass(frozen=True)
class Teams:
    """Who :func:`two_teams` created."""

    maya: User
    east: Team
    alex: User
    jordan: User
    sam: User
    priya: User
    lukas: User
    noor: User
    west: Team
    riley: User
    kim: User


def two_teams(session: Session) -> Teams:
    """Maya's Enterprise East (Alex + Priya, Jordan + Lukas, Sam + Noor) and Public sector
    (Riley + Kim)."""
    maya = person(session, MANAGER, "Maya Chen", Role.MANAGER)
    east = auth_service.create_team(
        session, actor=None, data=TeamCreate(name="Enterprise East", manager_id=maya.id)
    )
    maya.team_id = east.id
    alex = person(session, AE, "Alex Morgan", Role.AE, east.id)
    jordan = person(session, "jordan.lee@example.com", "Jordan Lee", Role.AE, east.id)
    sam = person(session, "sam.reed@example.com", "Sam Reed", Role.AE, east.id)
    priya = person(session, SE, "Priya Shah", Role.SE, east.id)
    lukas = person(session, "lukas.becker@example.com", "Lukas Becker", Role.SE, east.id)
    noor = person(session, "noor.haddad@example.com", "Noor Haddad", Role.SE, east.id)
    pod(session, "Alex + Priya", east.id, alex, priya)
    pod(session, "Jordan + Lukas", east.id, jordan, lukas)
    pod(session, "Sam + Noor", east.id, sam, noor)
    west = auth_service.create_team(session, actor=None, data=TeamCreate(name="Public sector"))
    riley = person(session, "riley.park@example.com", "Riley Park", Role.AE, west.id)
    kim = person(session, "kim.novak@example.com", "Kim Novak", Role.SE, west.id)
    pod(session, "Riley + Kim", west.id, riley, kim)
    return Teams(maya, east, alex, jordan, sam, priya, lukas, noor, west, riley, kim)


def call(
    session: Session,
    owner: User,
    deal_id: int,
    title: str,
    starts: datetime,
    *,
    hours: float = 1,
    attendees: Sequence[User] = (),
    huddle: bool = False,
    debrief: bool = False,
) -> None:
    """A custom demo planned by ``owner``; with a huddle the day before when ``huddle``, held if
    it is over, and debriefed when ``debrief``."""
    meeting = meetings.plan_meeting(
        session,
        actor=owner,
        data=MeetingIn(
            opportunity_id=deal_id,
            kind=MeetingKind.CUSTOM_DEMO,
            title=title,
            starts_at=starts,
            duration_minutes=int(hours * 60),
            attendee_ids=[a.id for a in attendees],
        ),
    )
    if huddle:
        huddles.save_huddle(
            session,
            actor=owner,
            meeting=meeting,
            data=HuddleIn(
                objective="One objective, agreed",
                call_to_action="Agree the next step",
                held_at=starts - timedelta(hours=26),
                commercial_owner_id=owner.id,
            ),
        )
    ends = starts + timedelta(hours=hours)
    if ends < utcnow():
        meetings.hold_meeting(session, actor=owner, meeting=meeting, data=HeldIn(held_at=ends))
    if debrief:
        debriefs.save_debrief(
            session, actor=owner, meeting=meeting, data=DebriefIn(pain_uncovered="partly")
        )
