"""Asking for SE time as the product offers it (API and web): two in a box's request service,
refused while the SE's no-go on the deal stands (see :mod:`techwin.evaluation.technical_win`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from techwin.auth.models import User
from techwin.collaboration import requests
from techwin.collaboration.models import SERequest
from techwin.collaboration.schemas import RequestIn
from techwin.evaluation.technical_win import require_se_work_open


def submit_request(
    session: Session, *, actor: User | None, data: RequestIn, today: date | None = None
) -> SERequest:
    """A new request, checked against the charter; refused on a deal with a no-go."""
    require_se_work_open(session, data.opportunity_id)
    return requests.submit_request(session, actor=actor, data=data, today=today)


def resubmit_request(
    session: Session,
    *,
    actor: User | None,
    request: SERequest,
    version: int | None = None,
    today: date | None = None,
) -> SERequest:
    """A blocked request checked again; refused on a deal with a no-go."""
    require_se_work_open(session, request.opportunity_id)
    return requests.resubmit_request(
        session, actor=actor, request=request, version=version, today=today
    )
