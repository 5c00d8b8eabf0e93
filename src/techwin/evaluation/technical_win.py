"""The technical win of a deal: its status, the SE's no-go with a reason code, re-opening.

A no-go ends the SE's work on the deal: POCs still open are recorded as abandoned, open SE
requests are cancelled (and the planned calls that serve them called off), and no new request is
taken until the technical win is re-opened.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.collaboration import meetings, requests
from techwin.core.concurrency import check_version
from techwin.core.time import utcnow
from techwin.errors import InvalidState
from techwin.evaluation import win_rules
from techwin.evaluation.enums import PocOutcome, TechnicalWinStatus
from techwin.evaluation.models import Poc, TechnicalWin
from techwin.evaluation.schemas import NoGoIn, TechnicalWinIn, TechnicalWinOut
from techwin.pipeline.models import Opportunity


def get_technical_win(session: Session, opportunity_id: int) -> TechnicalWin | None:
    """The deal's technical win record (None while the evaluation has not started)."""
    return session.scalar(select(TechnicalWin).where(TechnicalWin.opportunity_id == opportunity_id))


def current_status(win: TechnicalWin | None) -> TechnicalWinStatus:
    """The status a record (or its absence) stands for."""
    return win.status if win is not None else TechnicalWinStatus.NOT_STARTED


def technical_win_out(opportunity_id: int, win: TechnicalWin | None) -> TechnicalWinOut:
    """The API shape of a deal's technical win (version 0 while there is no record)."""
    status = current_status(win)
    return TechnicalWinOut(
        opportunity_id=opportunity_id,
        status=status,
        no_go_reason=win.no_go_reason if win else None,
        reason=win.reason if win else None,
        decided_at=win.decided_at if win else None,
        decided_by_id=win.decided_by_id if win else None,
        allowed=win_rules.allowed_targets(status),
        version=win.version if win else 0,
    )


def open_poc_titles(session: Session, opportunity_id: int) -> list[str]:
    """Titles of the deal's POCs that have no outcome yet."""
    query = select(Poc.title).where(Poc.opportunity_id == opportunity_id, Poc.outcome.is_(None))
    return list(session.scalars(query.order_by(Poc.start_date, Poc.id)))


def set_technical_win(
    session: Session,
    *,
    actor: User | None,
    opportunity: Opportunity,
    data: TechnicalWinIn,
    today: date | None = None,
) -> TechnicalWin:
    """Change the deal's technical win status (its SEs, managers and admins decide).

    The deal's SEs must be loaded. Won needs every POC concluded; lost and re-opening need a
    reason; a no-go needs a reason code and ends the open POCs.
    """
    target = data.status
    what = "declare a no-go" if target is TechnicalWinStatus.NO_GO else "change the technical win"
    win_rules.require_decider(actor, se_ids=[u.id for u in opportunity.engineers], what=what)
    win = get_technical_win(session, opportunity.id)
    before = technical_win_out(opportunity.id, win)
    check_version(
        before.version, data.version, what="technical win", values=before.model_dump(mode="json")
    )
    current = before.status
    reason = data.reason.strip() if data.reason else None
    win_rules.check_change(current, target, reason=reason, no_go_reason=data.no_go_reason)
    win_rules.check_no_open_pocs(target, open_poc_titles(session, opportunity.id))
    if win is None:
        win = TechnicalWin(opportunity_id=opportunity.id, status=current)
        session.add(win)
    now = utcnow()
    win.status = target
    win.reason = reason
    win.no_go_reason = data.no_go_reason if target is TechnicalWinStatus.NO_GO else None
    win.decided_at = now if target.is_decided else None
    win.decided_by_id = actor.id if actor is not None and target.is_decided else None
    session.flush()
    if target is TechnicalWinStatus.NO_GO:
        note = win.no_go_reason.label if win.no_go_reason else "no-go"
        _abandon_open_pocs(
            session, actor=actor, opportunity_id=opportunity.id, note=note, today=today
        )
        _end_requests(session, actor=actor, opportunity_id=opportunity.id, note=note)
        summary = note + (f": {reason}" if reason else "")
        action = "win.no-go"
    else:
        summary = f"{current.label} → {target.label}"
        action = "win.status"
    record_audit(
        session,
        actor=actor,
        action=action,
        entity_type="opportunity",
        entity_id=opportunity.id,
        summary=summary,
        before={"technical_win": current.value},
        after={"technical_win": target.value}
        | ({"no_go_reason": win.no_go_reason.value} if win.no_go_reason else {}),
        reason=reason,
    )
    return win


def declare_no_go(
    session: Session,
    *,
    actor: User | None,
    opportunity: Opportunity,
    data: NoGoIn,
    today: date | None = None,
) -> TechnicalWin:
    """The SE disqualifies the deal with a reason code; it counts in their DQ rate."""
    return set_technical_win(
        session,
        actor=actor,
        opportunity=opportunity,
        data=TechnicalWinIn(
            status=TechnicalWinStatus.NO_GO,
            reason=data.reason,
            no_go_reason=data.no_go_reason,
            version=data.version,
        ),
        today=today,
    )


def no_go_reason(session: Session, opportunity_id: int) -> str | None:
    """Why the SE declared a no-go on the deal (lower case), or None when there is none."""
    win = get_technical_win(session, opportunity_id)
    if win is None or win.status is not TechnicalWinStatus.NO_GO:
        return None
    return win.no_go_reason.label.lower() if win.no_go_reason else "no reason code"


def require_se_work_open(session: Session, opportunity_id: int) -> None:
    """Refuse new SE work on a deal the SE declared a no-go on (re-open the technical win
    first)."""
    reason = no_go_reason(session, opportunity_id)
    if reason is not None:
        raise InvalidState(
            f"the SE declared a no-go on this deal ({reason}); re-open the technical win "
            "before asking for SE time again",
            field="opportunity_id",
        )


def _end_requests(session: Session, *, actor: User | None, opportunity_id: int, note: str) -> None:
    """A no-go cancels the deal's open SE requests and calls off the planned calls serving
    them (calls of the AE's own stay on the calendar)."""
    why = f"SE no-go: {note}"
    ended = requests.close_open_requests(
        session, actor=actor, opportunity_id=opportunity_id, note=why
    )
    meetings.call_off_serving(session, actor=actor, request_ids=[r.id for r in ended], why=why)


def _abandon_open_pocs(
    session: Session,
    *,
    actor: User | None,
    opportunity_id: int,
    note: str,
    today: date | None,
) -> None:
    """A no-go ends the deal's open POCs: each is recorded as abandoned, with the reason."""
    day = today or utcnow().date()
    pocs = session.scalars(
        select(Poc).where(Poc.opportunity_id == opportunity_id, Poc.outcome.is_(None))
    )
    for poc in pocs:
        poc.outcome = PocOutcome.ABANDONED
        poc.outcome_notes = f"Ended by the SE's no-go ({note})."
        poc.concluded_on = day
        record_audit(
            session,
            actor=actor,
            action="poc.outcome",
            entity_type="poc",
            entity_id=poc.id,
            summary=f"{poc.title}: abandoned (no-go: {note})",
            after={"outcome": PocOutcome.ABANDONED.value},
        )
    session.flush()
