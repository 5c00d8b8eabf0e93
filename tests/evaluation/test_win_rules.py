"""The technical win's rules without a database: status changes, reasons, no-go codes, who
decides, and the DQ band."""

from __future__ import annotations

import pytest

from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.errors import InvalidInput, InvalidState, PermissionDenied
from techwin.evaluation import win_rules
from techwin.evaluation.enums import NoGoReason
from techwin.evaluation.enums import TechnicalWinStatus as S


def _person(role: Role, user_id: int = 7) -> User:
    return User(id=user_id, email=f"{role.value}@example.com", full_name="A Person", role=role)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.NOT_STARTED, S.IN_PROGRESS),
        (S.NOT_STARTED, S.WON),
        (S.IN_PROGRESS, S.WON),
        (S.IN_PROGRESS, S.LOST),
        (S.IN_PROGRESS, S.NO_GO),
    ],
)
def test_forward_moves_are_allowed(current, target):
    win_rules.check_change(
        current,
        target,
        reason="the customer chose us" if target is S.LOST else None,
        no_go_reason=NoGoReason.NO_BUDGET if target is S.NO_GO else None,
    )


@pytest.mark.parametrize(
    ("current", "target"),
    [(S.WON, S.LOST), (S.NO_GO, S.WON), (S.LOST, S.WON), (S.IN_PROGRESS, S.NOT_STARTED)],
)
def test_a_decided_win_is_reopened_before_it_is_decided_again(current, target):
    with pytest.raises(InvalidState) as refused:
        win_rules.check_change(current, target, reason="changed our mind", no_go_reason=None)
    assert refused.value.field == "status"
    assert "cannot become" in refused.value.message
    if current.is_decided:
        assert "re-open it first" in refused.value.message


def test_the_same_status_again_is_refused():
    with pytest.raises(InvalidState, match="already won"):
        win_rules.check_change(S.WON, S.WON, reason=None, no_go_reason=None)


def test_losing_and_reopening_need_a_reason():
    with pytest.raises(InvalidInput) as lost:
        win_rules.check_change(S.IN_PROGRESS, S.LOST, reason="  ", no_go_reason=None)
    assert lost.value.field == "reason"
    assert "losing the technical win needs a reason" in lost.value.message
    with pytest.raises(InvalidInput, match="re-opening a decided technical win"):
        win_rules.check_change(S.NO_GO, S.IN_PROGRESS, reason=None, no_go_reason=None)
    win_rules.check_change(S.NO_GO, S.IN_PROGRESS, reason="budget found", no_go_reason=None)


def test_a_no_go_needs_a_reason_code_and_other_needs_a_note():
    with pytest.raises(InvalidInput) as missing:
        win_rules.check_change(S.IN_PROGRESS, S.NO_GO, reason="bad fit", no_go_reason=None)
    assert missing.value.field == "no_go_reason"
    assert "poor_technical_fit" in missing.value.message
    with pytest.raises(InvalidInput) as other:
        win_rules.check_change(S.IN_PROGRESS, S.NO_GO, reason="", no_go_reason=NoGoReason.OTHER)
    assert other.value.field == "reason"
    win_rules.check_change(S.IN_PROGRESS, S.NO_GO, reason=None, no_go_reason=NoGoReason.NO_BUDGET)


def test_a_reason_code_belongs_only_to_a_no_go():
    with pytest.raises(InvalidInput) as refused:
        win_rules.check_change(S.IN_PROGRESS, S.WON, reason=None, no_go_reason=NoGoReason.NO_BUDGET)
    assert refused.value.field == "no_go_reason"


def test_won_waits_for_every_poc_outcome():
    with pytest.raises(InvalidState, match="'Latency POC'"):
        win_rules.check_no_open_pocs(S.WON, ["Latency POC"])
    win_rules.check_no_open_pocs(S.LOST, ["Latency POC"])
    win_rules.check_no_open_pocs(S.WON, [])


def test_allowed_targets_follow_the_table():
    assert win_rules.allowed_targets(S.NOT_STARTED) == [S.IN_PROGRESS, S.WON, S.LOST, S.NO_GO]
    assert win_rules.allowed_targets(S.NO_GO) == [S.IN_PROGRESS]


@pytest.mark.parametrize(
    ("role", "on_deal", "allowed"),
    [
        (Role.SE, True, True),
        (Role.SE, False, False),
        (Role.MANAGER, False, True),
        (Role.ADMIN, False, True),
        (Role.AE, True, False),  # even an AE listed among the deal's people does not decide it
        (Role.PM, False, False),
        (Role.VIEWER, False, False),
    ],
)
def test_who_decides_the_technical_win_and_a_no_go(role, on_deal, allowed):
    person = _person(role)
    se_ids = [person.id] if on_deal else [99]
    assert win_rules.can_decide(person, se_ids=se_ids) is allowed
    if allowed:
        win_rules.require_decider(person, se_ids=se_ids, what="declare a no-go")
    else:
        with pytest.raises(PermissionDenied, match="declare a no-go"):
            win_rules.require_decider(person, se_ids=se_ids, what="declare a no-go")


def test_the_operator_cli_decides():
    assert win_rules.can_decide(None, se_ids=[])


@pytest.mark.parametrize(
    ("rate", "band"),
    [
        (None, "none"),
        (0.1, "low"),
        (0.15, "healthy"),
        (0.2, "healthy"),
        (0.25, "healthy"),
        (0.3, "high"),
    ],
)
def test_the_dq_band_is_15_to_25_percent(rate, band):
    assert win_rules.dq_band(rate).key == band
