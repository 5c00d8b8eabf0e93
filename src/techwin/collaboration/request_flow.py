"""The SE request state machine (pure): which status may follow which.

``submitted`` is where every request starts; the charter check moves it at once to ``blocked``
(a threshold is unmet) or ``accepted`` (waiting for an SE). A blocked request is resubmitted once
the deal meets the thresholds, or a manager overrides the charter with a reason. A manager assigns
an SE; the meeting that serves it schedules it; the call held (or the SE) marks it done. The SE may
decline before it is scheduled; the requester or a manager may cancel until it is done.
"""

from __future__ import annotations

from techwin.collaboration.enums import REQUEST_STATUS_LABELS, RequestStatus
from techwin.errors import InvalidState

S = RequestStatus

TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.SUBMITTED: frozenset({S.BLOCKED, S.ACCEPTED}),
    S.BLOCKED: frozenset({S.BLOCKED, S.ACCEPTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.ASSIGNED, S.DECLINED, S.CANCELLED}),
    S.ASSIGNED: frozenset({S.ASSIGNED, S.SCHEDULED, S.DONE, S.DECLINED, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.SCHEDULED, S.DONE, S.CANCELLED}),
    S.DONE: frozenset(),
    S.DECLINED: frozenset(),
    S.CANCELLED: frozenset(),
}
OPEN = frozenset({S.SUBMITTED, S.BLOCKED, S.ACCEPTED, S.ASSIGNED, S.SCHEDULED})
# Requests that hold an SE's time (counted as their load).
ACTIVE = frozenset({S.ASSIGNED, S.SCHEDULED})
TERMINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)


def can_move(current: RequestStatus, target: RequestStatus) -> bool:
    """Whether ``current → target`` is allowed."""
    return target in TRANSITIONS[current]


def check_move(current: RequestStatus, target: RequestStatus, *, doing: str) -> None:
    """Raise InvalidState (naming the status) unless ``current → target`` is allowed."""
    if can_move(current, target):
        return
    label = REQUEST_STATUS_LABELS[current].lower()
    if current in TERMINAL:
        raise InvalidState(f"cannot {doing}: the request is already {label}", field="status")
    raise InvalidState(f"cannot {doing} a request that is {label}", field="status")
