"""The technical win's rules, without a database: which status changes are allowed, what each
needs (a reason, a no-go reason code), who may decide, and the healthy band of the DQ rate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.errors import InvalidInput, InvalidState, PermissionDenied
from techwin.evaluation.enums import NoGoReason, TechnicalWinStatus

S = TechnicalWinStatus

# A decided status is re-opened (back to in progress, with a reason) before it is decided again,
# so that every decision in the audit log has its own who, when and why.
ALLOWED_CHANGES: dict[TechnicalWinStatus, frozenset[TechnicalWinStatus]] = {
    S.NOT_STARTED: frozenset({S.IN_PROGRESS, S.WON, S.LOST, S.NO_GO}),
    S.IN_PROGRESS: frozenset({S.WON, S.LOST, S.NO_GO}),
    S.WON: frozenset({S.IN_PROGRESS}),
    S.LOST: frozenset({S.IN_PROGRESS}),
    S.NO_GO: frozenset({S.IN_PROGRESS}),
}

# The share of an SE's decided deals that end in a no-go, when the SE qualifies well.
DQ_HEALTHY_LOW = 0.15
DQ_HEALTHY_HIGH = 0.25


def allowed_targets(current: TechnicalWinStatus) -> list[TechnicalWinStatus]:
    """The statuses a technical win may move to from ``current``, in their natural order."""
    return [s for s in TechnicalWinStatus if s in ALLOWED_CHANGES[current]]


def reason_required(current: TechnicalWinStatus, target: TechnicalWinStatus) -> bool:
    """A loss, and re-opening a decided technical win, must say why (a no-go has its code)."""
    return target is S.LOST or (current.is_decided and target is S.IN_PROGRESS)


def check_change(
    current: TechnicalWinStatus,
    target: TechnicalWinStatus,
    *,
    reason: str | None,
    no_go_reason: NoGoReason | None,
) -> None:
    """Raise unless ``current`` → ``target`` is allowed with this reason and reason code."""
    if target is current:
        raise InvalidState(f"the technical win is already {current.label.lower()}", field="status")
    if target not in ALLOWED_CHANGES[current]:
        allowed = ", ".join(s.label.lower() for s in allowed_targets(current))
        hint = " (re-open it first: move it back to in progress with a reason)"
        raise InvalidState(
            f"a technical win that is {current.label.lower()} cannot become "
            f"{target.label.lower()}; it can become: {allowed}"
            + (hint if current.is_decided else ""),
            field="status",
        )
    if target is S.NO_GO:
        check_no_go(no_go_reason, reason)
    elif no_go_reason is not None:
        raise InvalidInput("a no-go reason code only goes with a no-go", field="no_go_reason")
    if reason_required(current, target) and not (reason and reason.strip()):
        why = (
            "losing the technical win" if target is S.LOST else "re-opening a decided technical win"
        )
        raise InvalidInput(f"say why: {why} needs a reason", field="reason")


def check_no_go(no_go_reason: NoGoReason | None, note: str | None) -> None:
    """A no-go names its reason code; 'other' also needs a note that explains it."""
    if no_go_reason is None:
        codes = ", ".join(r.value for r in NoGoReason)
        raise InvalidInput(f"a no-go needs a reason code (one of: {codes})", field="no_go_reason")
    if no_go_reason is NoGoReason.OTHER and not (note and note.strip()):
        raise InvalidInput(
            "a no-go for another reason needs a note that explains it", field="reason"
        )


def check_no_open_pocs(target: TechnicalWinStatus, open_pocs: Sequence[str]) -> None:
    """The technical win cannot be won while a POC on the deal still waits for its outcome."""
    if target is S.WON and open_pocs:
        names = ", ".join(f"'{name}'" for name in open_pocs)
        raise InvalidState(
            f"record the outcome of the POC {names} before marking the technical win won",
            field="status",
        )


def can_decide(actor: User | None, *, se_ids: Iterable[int]) -> bool:
    """The deal's SEs, managers and admins (and the operator's CLI) own the technical call."""
    if actor is None or actor.role in (Role.MANAGER, Role.ADMIN):
        return True
    return actor.role is Role.SE and actor.id in set(se_ids)


def require_decider(actor: User | None, *, se_ids: Iterable[int], what: str) -> None:
    """Raise PermissionDenied unless ``actor`` may ``what`` (e.g. 'declare a no-go')."""
    if not can_decide(actor, se_ids=se_ids):
        raise PermissionDenied(
            f"only the deal's solutions engineers, a manager or an admin can {what}"
        )


@dataclass(frozen=True)
class DqBand:
    """Where a DQ rate sits against the healthy band, and what it suggests."""

    key: str
    label: str
    advice: str


def dq_band(rate: float | None) -> DqBand:
    """The band of a DQ rate: none yet, below, within or above 15–25%."""
    if rate is None:
        return DqBand("none", "No decisions yet", "No technical decisions in this period.")
    if rate < DQ_HEALTHY_LOW:
        return DqBand(
            "low",
            "Below the healthy band",
            "Few no-gos: check that evaluation time is not going to deals that cannot be won.",
        )
    if rate > DQ_HEALTHY_HIGH:
        return DqBand(
            "high",
            "Above the healthy band",
            "Many no-gos: deals may reach the SE before they are qualified.",
        )
    return DqBand("healthy", "Within the healthy band", "Disqualifying at a healthy pace.")
