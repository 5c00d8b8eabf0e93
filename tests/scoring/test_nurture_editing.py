"""Editing nurturing: the tier ladder, sequences changed under running enrollments, switching a
sequence off, deleting an unused one, and the audit trail of each change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from techwin.auth.enums import Role
from techwin.auth.models import AuditEvent
from techwin.errors import Conflict, InvalidInput, InvalidState, PermissionDenied
from techwin.scoring.nurture import configuration as nurture_setup
from techwin.scoring.nurture import service
from techwin.scoring.nurture.enums import EnrollmentStatus
from techwin.scoring.nurture.models import Sequence
from techwin.scoring.nurture.schemas import SequenceSpec, TierSpec
from tests import factories

MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)


def tier(key, minimum, action="newsletter", **kwargs):
    return TierSpec(key=key, name=key.capitalize(), min_score=minimum, action=action, **kwargs)


def spec(key="quick", n=3, wait=2):
    steps = [
        {
            "kind": "email",
            "wait_days": 0 if i == 0 else wait,
            "title": f"Step {i + 1} {{{{first_name}}}}",
        }
        for i in range(n)
    ]
    return SequenceSpec.model_validate({"key": key, "name": key.title(), "steps": steps})


@pytest.fixture
def admin(session):
    nurture_setup.seed_nurture(session)
    return factories.user(session, role=Role.ADMIN, password=None)


def _last_audit(session, action):
    return session.scalar(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    )


class TestLadder:
    def test_tiers_from_the_highest_minimum_down_pass(self):
        nurture_setup.check_ladder([tier("hot", 70), tier("warm", 40), tier("cold", -5)])
        nurture_setup.check_ladder([])

    @pytest.mark.parametrize(
        ("tiers", "field", "index", "message"),
        [
            ([tier("hot", 70), tier("warm", 80)], "min_score", 1, "Warm must start below Hot"),
            ([tier("hot", 70), tier("warm", 70)], "min_score", 1, "its own minimum score"),
            ([tier("hot", 70), tier("cold", 0), tier("hot", -1)], "key", 2, "the key 'hot'"),
        ],
    )
    def test_unordered_duplicate_minimums_and_keys_are_refused(self, tiers, field, index, message):
        with pytest.raises(InvalidInput, match=message) as info:
            nurture_setup.check_ladder(tiers)
        assert (info.value.field, info.value.extra) == (field, {"index": index})


def test_saving_tiers_replaces_them_and_audits_before_and_after(session, admin):
    nurture_setup.save_tiers(
        session,
        actor=admin,
        tiers=[tier("hot", 60, "owner_task", due_business_days=2), tier("cold", 0)],
    )
    assert [(t.key, t.min_score, seq) for t, seq in nurture_setup.list_tiers(session)] == [
        ("hot", 60, None),
        ("cold", 0, None),
    ]
    event = _last_audit(session, "nurture.tiers")
    assert event.actor_id == admin.id
    assert [t["key"] for t in event.before["tiers"]] == ["hot", "warm", "cold"]
    assert event.before["tiers"][1]["sequence"] == "warm_welcome"
    assert [t["due_business_days"] for t in event.after["tiers"]] == [2, 1]


def test_a_refused_tier_set_names_the_tier_and_changes_nothing(session, admin):
    before = [(t.key, t.min_score) for t, _ in nurture_setup.list_tiers(session)]
    with pytest.raises(InvalidInput) as info:
        nurture_setup.save_tiers(
            session,
            actor=admin,
            tiers=[tier("hot", 70), tier("warm", 40, "sequence", sequence="nope")],
        )
    assert (info.value.field, info.value.extra) == ("sequence", {"index": 1})
    with pytest.raises(InvalidInput):
        nurture_setup.save_tiers(session, actor=admin, tiers=[tier("cold", 0), tier("hot", 70)])
    manager = factories.user(session, role=Role.MANAGER, password=None)
    with pytest.raises(PermissionDenied):
        nurture_setup.save_tiers(session, actor=manager, tiers=[tier("cold", 0)])
    assert [(t.key, t.min_score) for t, _ in nurture_setup.list_tiers(session)] == before


def test_a_new_sequence_never_replaces_one_with_its_key(session, admin):
    created = nurture_setup.create_sequence(session, actor=admin, spec=spec())
    assert len(created.steps) == 3
    assert _last_audit(session, "nurture.sequence").before is None
    with pytest.raises(Conflict) as info:
        nurture_setup.create_sequence(session, actor=admin, spec=spec(n=1))
    assert info.value.field == "key"
    assert len(nurture_setup.get_sequence(session, "quick").steps) == 3


def test_running_enrollments_keep_their_place_when_steps_change(session, admin):
    ae = factories.user(session, role=Role.AE, password=None)
    nurture_setup.create_sequence(session, actor=admin, spec=spec(n=4, wait=2))
    early, late = factories.contact(session, actor=ae), factories.contact(session, actor=ae)
    first = service.enroll(session, actor=ae, contact=early, sequence_key="quick", now=MONDAY)
    second = service.enroll(
        session, actor=ae, contact=late, sequence_key="quick", now=MONDAY - timedelta(days=5)
    )
    service.advance_due(session, now=MONDAY)
    assert (first.next_position, second.next_position) == (1, 3)
    planned = first.next_due_at

    # Three steps, spaced by five days: the early contact's next step keeps its date; the late
    # one, already past the new last step, has finished the sequence.
    nurture_setup.save_sequence(session, actor=admin, spec=spec(n=3, wait=5), now=MONDAY)
    session.refresh(first)
    session.refresh(second)
    assert (first.status, first.next_position, first.next_due_at) == (
        EnrollmentStatus.ACTIVE,
        1,
        planned,
    )
    assert (second.status, second.next_due_at) == (EnrollmentStatus.COMPLETED, None)
    event = _last_audit(session, "nurture.sequence")
    assert "1 contacts past its new end finished it" in event.summary
    assert len(event.before["steps"]) == 4
    assert len(event.after["steps"]) == 3

    tasks, completed = service.advance_due(session, now=MONDAY + timedelta(days=30))
    assert (tasks, completed) == (2, 1)  # steps 2 and 3 of the new version
    assert first.status is EnrollmentStatus.COMPLETED


def test_a_run_finishes_an_enrollment_whose_place_is_past_the_last_step(session, admin):
    """Should a place ever point past the end, the run finishes it rather than failing."""
    ae = factories.user(session, role=Role.AE, password=None)
    nurture_setup.create_sequence(session, actor=admin, spec=spec(n=2))
    enrollment = service.enroll(
        session, actor=ae, contact=factories.contact(session, actor=ae), sequence_key="quick"
    )
    enrollment.next_position = 5
    enrollment.next_due_at = MONDAY
    session.flush()
    assert service.advance_due(session, now=MONDAY + timedelta(days=1)) == (0, 1)
    assert enrollment.status is EnrollmentStatus.COMPLETED


def test_a_switched_off_sequence_takes_nobody_new_and_lets_the_others_finish(session, admin):
    ae = factories.user(session, role=Role.AE, password=None)
    nurture_setup.create_sequence(session, actor=admin, spec=spec(n=2))
    inside = service.enroll(
        session,
        actor=ae,
        contact=factories.contact(session, actor=ae),
        sequence_key="quick",
        now=MONDAY,
    )
    nurture_setup.set_sequence_active(session, actor=admin, key="quick", active=False)
    assert _last_audit(session, "nurture.sequence").after == {"is_active": False}
    with pytest.raises(InvalidState, match="switched off"):
        service.enroll(
            session, actor=ae, contact=factories.contact(session, actor=ae), sequence_key="quick"
        )
    service.advance_due(session, now=MONDAY + timedelta(days=10))
    assert inside.status is EnrollmentStatus.COMPLETED
    assert nurture_setup.enrollment_counts(session)[inside.sequence_id] == (0, 1)
    with pytest.raises(PermissionDenied):
        nurture_setup.set_sequence_active(session, actor=ae, key="quick", active=True)


def test_only_an_unused_sequence_is_deleted(session, admin):
    with pytest.raises(InvalidState, match="the Warm tier uses Warm lead welcome"):
        nurture_setup.delete_sequence(session, actor=admin, key="warm_welcome")
    ae = factories.user(session, role=Role.AE, password=None)
    nurture_setup.create_sequence(session, actor=admin, spec=spec())
    nurture_setup.create_sequence(session, actor=admin, spec=spec(key="spare"))
    service.enroll(
        session, actor=ae, contact=factories.contact(session, actor=ae), sequence_key="quick"
    )
    with pytest.raises(InvalidState, match="1 contacts have been in Quick"):
        nurture_setup.delete_sequence(session, actor=admin, key="quick")
    with pytest.raises(PermissionDenied):
        nurture_setup.delete_sequence(session, actor=ae, key="spare")
    nurture_setup.delete_sequence(session, actor=admin, key="spare")
    assert session.scalar(select(Sequence.id).where(Sequence.key == "spare")) is None
    event = _last_audit(session, "nurture.sequence.delete")
    assert (event.actor_id, event.before["name"]) == (admin.id, "Spare")
