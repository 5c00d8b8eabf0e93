"""The gap workflow and who may move it, without a database."""

from __future__ import annotations

import pytest

from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.errors import InvalidInput, InvalidState, PermissionDenied
from techwin.feedback import gaps
from techwin.feedback.enums import GapStatus as S


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.NEW, S.REVIEWED),
        (S.NEW, S.PLANNED),
        (S.REVIEWED, S.PLANNED),
        (S.PLANNED, S.SHIPPED),
        (S.PLANNED, S.REVIEWED),
    ],
)
def test_the_workflow_moves_forward_without_a_reason(current, target):
    gaps.check_status_move(current, target, None)


@pytest.mark.parametrize(
    ("current", "target"),
    [(S.NEW, S.SHIPPED), (S.REVIEWED, S.SHIPPED), (S.SHIPPED, S.PLANNED), (S.WONT_DO, S.SHIPPED)],
)
def test_moves_outside_the_workflow_are_refused_and_say_what_is_allowed(current, target):
    with pytest.raises(InvalidState) as refused:
        gaps.check_status_move(current, target, "because")
    assert refused.value.field == "status"
    assert "it can move to:" in refused.value.message


def test_declining_and_reopening_need_a_reason():
    with pytest.raises(InvalidInput) as declined:
        gaps.check_status_move(S.NEW, S.WONT_DO, " ")
    assert declined.value.field == "reason"
    with pytest.raises(InvalidInput, match="re-opening"):
        gaps.check_status_move(S.SHIPPED, S.REVIEWED, None)
    gaps.check_status_move(S.WONT_DO, S.REVIEWED, "three more deals asked for it")


def test_the_same_status_again_is_refused():
    with pytest.raises(InvalidState, match="already planned"):
        gaps.check_status_move(S.PLANNED, S.PLANNED, None)


@pytest.mark.parametrize(
    ("role", "triage", "report"),
    [
        (Role.PM, True, True),
        (Role.MANAGER, True, True),
        (Role.ADMIN, True, True),
        (Role.SE, False, True),
        (Role.AE, False, True),
        (Role.VIEWER, False, False),
    ],
)
def test_pms_managers_and_admins_change_a_gaps_status(role, triage, report):
    person = User(id=3, email="x@example.com", full_name="X", role=role)
    assert gaps.can_triage(person) is triage
    assert gaps.can_report(person) is report
    if not triage:
        with pytest.raises(PermissionDenied, match="product manager, a manager or an admin"):
            gaps.require_triage(person)
