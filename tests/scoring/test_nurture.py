"""Tiers, sequences, tasks, unsubscribes and the pure nurture rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from techwin.auth.enums import Role
from techwin.errors import InvalidInput, InvalidState
from techwin.pipeline import contacts
from techwin.pipeline.enums import LifecycleStage
from techwin.scoring.models import LeadScore
from techwin.scoring.nurture import configuration, rules, service
from techwin.scoring.nurture.enums import EnrollmentStatus, TaskStatus
from techwin.scoring.nurture.models import Enrollment, Task
from techwin.scoring.nurture.schemas import StepSpec
from tests import factories

MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)


class TestRules:
    def test_business_days_skip_the_weekend(self):
        friday = datetime(2026, 11, 27, 17, tzinfo=UTC)
        assert rules.add_business_days(friday, 1).weekday() == 0
        assert rules.add_business_days(MONDAY, 1) == MONDAY + timedelta(days=1)
        assert rules.add_business_days(MONDAY, 0) == MONDAY

    def test_tier_is_the_highest_reached(self):
        tiers = [("cold", 0), ("hot", 70), ("warm", 40)]
        assert rules.choose_tier(85, tiers) == "hot"
        assert rules.choose_tier(40, tiers) == "warm"
        assert rules.choose_tier(3, tiers) == "cold"
        assert rules.choose_tier(-5, tiers) is None

    def test_render_fills_and_never_leaves_marks(self):
        text = "Hi {{first_name}}, how is {{ company }}?"
        assert rules.render(text, {"first_name": "Ada", "company": None}) == "Hi Ada, how is ?"

    def test_unknown_placeholder_is_refused(self):
        with pytest.raises(InvalidInput) as info:
            rules.check_template("Hello {{nickname}}", field="template")
        assert info.value.field == "template"
        with pytest.raises(ValidationError, match="unknown placeholder"):
            StepSpec(kind="email", title="Hi {{shoe_size}}")

    def test_shipped_playbook_is_valid(self):
        playbook = configuration.load_nurture_playbook()
        assert [t.key for t in playbook.tiers] == ["hot", "warm", "cold"]
        assert len(playbook.sequences[0].steps) == 4


@pytest.fixture
def seeded(session):
    configuration.seed_nurture(session)
    session.flush()


def _lead(session, owner, score, **kwargs):
    lead = factories.contact(session, actor=owner, **kwargs)
    session.merge(LeadScore(contact_id=lead.id, fit=score, engagement=0, total=score, reasons=[]))
    session.flush()
    return lead


def test_run_gives_each_tier_what_it_says(session, seeded):
    ae = factories.user(session, role=Role.AE, password=None)
    account = factories.account(session, actor=ae, name="Umbrella")
    hot = _lead(session, ae, 90, account_id=account.id, first_name="Hana")
    warm = _lead(session, ae, 50, account_id=account.id, first_name="Will")
    cold = _lead(session, ae, 5)
    report = service.run_nurture(session, actor=None, now=MONDAY)
    assert report.owner_tasks >= 1
    assert report.enrolled >= 1
    tasks = {t.contact_id: t for t in service.list_tasks(session, owner=ae)}
    assert tasks[hot.id].kind == "hot_lead"
    assert tasks[hot.id].due_at == MONDAY + timedelta(days=1)
    assert "Hana" in tasks[hot.id].title
    assert "Umbrella" in tasks[hot.id].title
    welcome = tasks[warm.id]
    assert welcome.kind == "email"
    assert welcome.body.startswith("Hi Will,")
    assert "Umbrella" in welcome.body
    assert "{{" not in welcome.body
    assert cold.id not in tasks
    # Running again the same day creates nothing new.
    again = service.run_nurture(session, actor=None, now=MONDAY)
    assert (again.owner_tasks, again.enrolled, again.step_tasks) == (0, 0, 0)


def test_sequence_steps_come_due_with_their_spacing_and_complete(session, seeded):
    ae = factories.user(session, role=Role.AE, password=None)
    lead = factories.contact(session, actor=ae)
    enrollment = service.enroll(
        session, actor=ae, contact=lead, sequence_key="warm_welcome", now=MONDAY
    )
    assert len(service.list_tasks(session, owner=ae)) == 1
    service.advance_due(session, now=MONDAY + timedelta(days=3))
    assert len(service.list_tasks(session, owner=ae)) == 1
    service.advance_due(session, now=MONDAY + timedelta(days=4))
    assert len(service.list_tasks(session, owner=ae)) == 2
    tasks, completed = service.advance_due(session, now=MONDAY + timedelta(days=30))
    assert (tasks, completed) == (2, 1)
    assert enrollment.status is EnrollmentStatus.COMPLETED
    assert [t.kind for t in service.list_tasks(session, owner=ae)] == [
        "email",
        "case_study",
        "webinar_invite",
        "call",
    ]


def test_unsubscribe_stops_everything_and_forever(session, seeded):
    ae = factories.user(session, role=Role.AE, password=None)
    lead = _lead(session, ae, 50)
    service.enroll(session, actor=ae, contact=lead, sequence_key="warm_welcome", now=MONDAY)
    service.unsubscribe(session, actor=ae, contact=lead, reason="asked by email")
    enrollment = session.scalar(select(Enrollment).where(Enrollment.contact_id == lead.id))
    assert enrollment.status is EnrollmentStatus.STOPPED
    assert enrollment.stop_reason == "unsubscribed"
    assert service.list_tasks(session, owner=ae) == []
    assert (
        session.scalar(select(Task.status).where(Task.contact_id == lead.id))
        is TaskStatus.CANCELLED
    )
    service.run_nurture(session, actor=None, now=MONDAY + timedelta(days=40))
    assert service.list_tasks(session, owner=ae) == []
    with pytest.raises(InvalidState):
        service.enroll(session, actor=ae, contact=lead, sequence_key="warm_welcome")


def test_disqualifying_leaves_every_sequence(session, seeded):
    ae = factories.user(session, role=Role.AE, password=None)
    lead = factories.contact(session, actor=ae)
    enrollment = service.enroll(
        session, actor=ae, contact=lead, sequence_key="warm_welcome", now=MONDAY
    )
    contacts.transition_contact(
        session, actor=ae, contact=lead, to_stage=LifecycleStage.DISQUALIFIED, reason="student"
    )
    assert enrollment.status is EnrollmentStatus.STOPPED
    assert enrollment.stop_reason == "disqualified"
    service.advance_due(session, now=MONDAY + timedelta(days=60))
    assert service.list_tasks(session, owner=ae) == []


def test_tasks_through_the_api(api_as, session, seeded):
    ae = api_as(Role.AE)
    lead = ae.post("/api/v1/contacts", json={"first_name": "Tia", "last_name": "Task"}).json()
    enrolled = ae.post(f"/api/v1/contacts/{lead['id']}/enrollments/warm_welcome")
    assert enrolled.status_code == 201, enrolled.text
    assert ae.post(f"/api/v1/contacts/{lead['id']}/enrollments/warm_welcome").status_code == 409
    mine = ae.get("/api/v1/me/tasks").json()
    assert [t["kind"] for t in mine] == ["email"]
    assert (
        api_as(Role.AE).patch(f"/api/v1/tasks/{mine[0]['id']}", json={"status": "done"}).status_code
        == 403
    )
    done = ae.patch(f"/api/v1/tasks/{mine[0]['id']}", json={"status": "done"})
    assert done.json()["status"] == "done"
    assert ae.get("/api/v1/me/tasks").json() == []
    assert (
        ae.post(
            f"/api/v1/contacts/{lead['id']}/unsubscribe", json={"reason": "no thanks"}
        ).status_code
        == 204
    )
    assert ae.get(f"/api/v1/contacts/{lead['id']}/enrollments").json()[0]["status"] == "stopped"


def test_admin_edits_tiers_and_sequences_with_validation(api_as, seeded):
    admin = api_as(Role.ADMIN)
    bad = admin.put(
        "/api/v1/nurture/tiers",
        json=[
            {"key": "hot", "name": "Hot", "min_score": 70, "action": "sequence", "sequence": "nope"}
        ],
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "sequence"
    step = {"kind": "email", "title": "Hi {{first_name}}", "template": "Dear {{mood}}"}
    bad_seq = admin.put(
        "/api/v1/nurture/sequences/quick", json={"key": "quick", "name": "Quick", "steps": [step]}
    )
    assert bad_seq.status_code == 422
    step["template"] = "Dear {{first_name}}"
    ok = admin.put(
        "/api/v1/nurture/sequences/quick", json={"key": "quick", "name": "Quick", "steps": [step]}
    )
    assert ok.status_code == 200, ok.text
    tiers = [
        {"key": "warm", "name": "Warm", "min_score": 10, "action": "sequence", "sequence": "quick"},
        {"key": "cold", "name": "Cold", "min_score": 0, "action": "newsletter"},
    ]
    assert api_as(Role.MANAGER).put("/api/v1/nurture/tiers", json=tiers).status_code == 403
    saved = admin.put("/api/v1/nurture/tiers", json=tiers)
    assert [t["key"] for t in saved.json()] == ["warm", "cold"]
