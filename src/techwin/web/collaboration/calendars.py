"""Calls as one calendar file: a deal's calls (from the deal page) or the signed-in person's
upcoming calls (from My day)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from techwin.collaboration import meetings
from techwin.collaboration.enums import MeetingStatus
from techwin.core.time import utcnow
from techwin.deps import SessionDep, WebUser
from techwin.errors import InvalidInput, NotFound
from techwin.pipeline import opportunities
from techwin.web.forms import Filters

router = APIRouter()

CALENDAR_LIMIT = 200
_YES = frozenset({"1", "true", "on", "yes"})
_NO = frozenset({"", "0", "false", "off", "no"})


def _switch(filters: Filters, name: str) -> bool:
    """A yes/no filter; anything else is refused rather than read as no, so that a mistyped
    value never widens the calendar to calls the person did not ask for."""
    value = (filters.text(name) or "").lower()
    if value in _YES:
        return True
    if value not in _NO:
        filters.errors[name] = f"{name}: '{value}' is not one of 1, true, yes, 0, false, no"
    return False


@router.get("/meetings.ics")
def calls_ics(request: Request, session: SessionDep, user: WebUser) -> Response:
    """The calls matching ``deal`` (a deal's id), ``mine`` (calls you attend or own) and
    ``upcoming`` (planned calls from now on), first 200 by start time, as an iCalendar file."""
    given = Filters(request.query_params)
    deal_id = given.integer("deal")
    mine = _switch(given, "mine")
    upcoming = _switch(given, "upcoming")
    if given.errors:
        field, message = next(iter(given.errors.items()))
        raise InvalidInput(message, field=field)
    name = "calls"
    if deal_id is not None:
        try:
            opportunities.get_opportunity(session, deal_id)
        except NotFound as missing:
            raise NotFound(missing.message, field="deal") from None
        name += f"-deal-{deal_id}"
    if mine:
        name += "-mine"
    if upcoming:
        name += "-upcoming"
    filters = meetings.MeetingFilter(
        opportunity_id=deal_id,
        user_id=user.id if mine else None,
        start=utcnow() if upcoming else None,
        statuses=(MeetingStatus.PLANNED,) if upcoming else (),
    )
    found = meetings.list_meetings(session, filters=filters, limit=CALENDAR_LIMIT)
    return Response(
        meetings.calendar_of(found),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.ics"'},
    )
