"""Scores stored with reasons, events through the API, MQL automation, bulk recompute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from techwin.auth.enums import Role
from techwin.pipeline import contacts
from techwin.pipeline.enums import LifecycleStage, Seniority
from techwin.pipeline.models import LifecycleTransition
from techwin.scoring import service
from techwin.scoring.playbook import seed_scoring
from techwin.scoring.schemas import SettingsIn
from tests import factories


@pytest.fixture
def rules_seeded(session):
    seed_scoring(session)
    service.update_settings(session, actor=None, data=SettingsIn(mql_threshold=None))
    session.commit()


def test_a_new_contact_is_scored_with_reasons(session, rules_seeded):
    ae = factories.user(session, role=Role.AE)
    account = factories.account(
        session, actor=ae, industry="Software", employee_count=800, region="EMEA"
    )
    lead = factories.contact(
        session,
        actor=ae,
        account_id=account.id,
        seniority=Seniority.VP,
        title="VP Platform Engineering",
        source="demo request",
    )
    score = service.score_of(session, lead.id)
    labels = {r["label"]: r["points"] for r in score.reasons}
    assert labels["Executive buyer (VP or C-level)"] == 20
    assert labels["Mid-market to enterprise (200–10,000 staff)"] == 15
    assert labels["Technical role"] == 8
    assert score.fit == sum(labels.values())
    assert score.total == score.fit


def test_editing_a_contact_rescores_it(session, rules_seeded):
    ae = factories.user(session, role=Role.AE)
    lead = factories.contact(session, actor=ae)
    before = service.score_of(session, lead.id).total
    from techwin.pipeline.schemas import ContactPatch

    contacts.update_contact(
        session, actor=ae, contact=lead, data=ContactPatch(seniority=Seniority.C_LEVEL)
    )
    assert service.score_of(session, lead.id).total == before + 20


def test_events_through_the_api_raise_the_score(api_as, session, rules_seeded):
    ae = api_as(Role.AE)
    lead = ae.post("/api/v1/contacts", json={"first_name": "E", "last_name": "Vent"}).json()
    now = datetime.now(UTC)
    r = ae.post(
        f"/api/v1/contacts/{lead['id']}/events",
        json={"kind": "demo_request", "occurred_at": now.isoformat()},
    )
    assert r.status_code == 201, r.text
    score = ae.get(f"/api/v1/contacts/{lead['id']}/score").json()
    assert any(x["label"] == "Demo request" and x["points"] == 30 for x in score["reasons"])
    assert round(sum(x["points"] for x in score["reasons"]), 1) == score["total"]
    assert [e["kind"] for e in ae.get(f"/api/v1/contacts/{lead['id']}/events").json()] == [
        "demo_request"
    ]


def test_batch_is_all_or_nothing(api_as, rules_seeded):
    ae = api_as(Role.AE)
    lead = ae.post(
        "/api/v1/contacts", json={"first_name": "B", "last_name": "Atch", "email": "b@atch.example"}
    ).json()
    now = datetime.now(UTC).isoformat()
    bad = ae.post(
        "/api/v1/events/batch",
        json={
            "events": [
                {"email": "b@atch.example", "kind": "page_view", "occurred_at": now},
                {"email": "ghost@x.example", "kind": "page_view", "occurred_at": now},
            ]
        },
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "events.1"
    assert ae.get(f"/api/v1/contacts/{lead['id']}/events").json() == []
    good = ae.post(
        "/api/v1/events/batch",
        json={
            "events": [
                {"email": "B@atch.example", "kind": "page_view", "occurred_at": now},
                {"contact_id": lead["id"], "kind": "email_click", "occurred_at": now},
            ]
        },
    )
    assert good.status_code == 201, good.text
    assert len(ae.get(f"/api/v1/contacts/{lead['id']}/events").json()) == 2


def test_bad_events_are_refused(api_as, rules_seeded):
    ae = api_as(Role.AE)
    lead = ae.post("/api/v1/contacts", json={"first_name": "F", "last_name": "Uture"}).json()
    future = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    r = ae.post(
        f"/api/v1/contacts/{lead['id']}/events", json={"kind": "page_view", "occurred_at": future}
    )
    assert r.status_code == 422
    assert r.json()["field"] == "occurred_at"
    r = ae.post(
        f"/api/v1/contacts/{lead['id']}/events",
        json={"kind": "telepathy", "occurred_at": datetime.now(UTC).isoformat()},
    )
    assert r.status_code == 422
    assert r.json()["field"] == "kind"


def test_rule_admin_validation_through_the_api(api_as):
    admin = api_as(Role.ADMIN)
    bad_field = admin.post(
        "/api/v1/scoring/rules",
        json={
            "label": "x",
            "category": "fit",
            "field": "zodiac",
            "operator": "equals",
            "value": "leo",
            "points": 5,
        },
    )
    assert bad_field.status_code == 422
    assert bad_field.json()["field"] == "field"
    bad_points = admin.post(
        "/api/v1/scoring/rules",
        json={
            "label": "x",
            "category": "fit",
            "field": "title",
            "operator": "contains",
            "value": ["cto"],
            "points": "lots",
        },
    )
    assert bad_points.status_code == 422
    assert bad_points.json()["field"] == "points"
    assert (
        api_as(Role.MANAGER)
        .post(
            "/api/v1/scoring/rules",
            json={"label": "x", "category": "engagement", "event_kind": "page_view", "points": 1},
        )
        .status_code
        == 403
    )
    ok = admin.post(
        "/api/v1/scoring/rules",
        json={
            "label": "Any page",
            "category": "engagement",
            "event_kind": "page_view",
            "points": 1,
        },
    )
    assert ok.status_code == 201


def test_mql_automation_moves_a_lead_with_the_score_as_reason(session, rules_seeded):
    service.update_settings(session, actor=None, data=SettingsIn(mql_threshold=35))
    ae = factories.user(session, role=Role.AE)
    lead = factories.contact(session, actor=ae)
    assert lead.lifecycle_stage is LifecycleStage.LEAD
    from techwin.scoring.schemas import EventIn

    service.record_event(
        session,
        actor=ae,
        contact=lead,
        data=EventIn(kind="demo_request", occurred_at=datetime.now(UTC)),
    )
    service.record_event(
        session,
        actor=ae,
        contact=lead,
        data=EventIn(kind="webinar_attended", occurred_at=datetime.now(UTC)),
    )
    assert lead.lifecycle_stage is LifecycleStage.MQL
    moves = contacts.list_transitions(session, lead.id)
    last: LifecycleTransition = moves[-1]
    assert last.actor_id is None
    assert last.reason == "score 40 reached the MQL threshold 35"


def test_without_a_threshold_nothing_moves(session, rules_seeded):
    ae = factories.user(session, role=Role.AE)
    lead = factories.contact(session, actor=ae)
    from techwin.scoring.schemas import EventIn

    for _ in range(5):
        service.record_event(
            session,
            actor=ae,
            contact=lead,
            data=EventIn(kind="demo_request", occurred_at=datetime.now(UTC)),
        )
    assert lead.lifecycle_stage is LifecycleStage.LEAD


def test_recompute_all_scores_everyone(session, rules_seeded):
    ae = factories.user(session, role=Role.AE)
    made = [factories.contact(session, actor=ae) for _ in range(5)]
    from sqlalchemy import delete

    from techwin.scoring.models import LeadScore

    session.execute(delete(LeadScore))
    seen = []
    count = service.recompute_all(
        session, batch_size=2, progress=lambda done, total: seen.append((done, total))
    )
    assert count >= 5
    assert all(service.score_of(session, c.id) is not None for c in made)
    assert seen[-1][0] == seen[-1][1]


CUSTOM_LEADS = (
    "Email,Last Name,Company,Trial User,Seats\r\n"
    "pat@initech.example,Pat,Initech,yes,250\r\n"
    "sam@initech.example,Sam,Initech,no,12\r\n"
)


def test_fit_rules_use_custom_fields_from_an_import(api_as, session, rules_seeded, tmp_path):
    from techwin.pipeline.imports.service import import_file
    from techwin.pipeline.models import Contact

    admin = api_as(Role.ADMIN)
    path = tmp_path / "leads.csv"
    path.write_text(CUSTOM_LEADS)
    import_file(session, actor=admin.user, entity="contacts", path=path, preset="generic")
    session.commit()

    rule = {"label": "Trial user", "category": "fit", "points": 12, "operator": "equals"}
    refused = admin.post("/api/v1/scoring/rules", json={**rule, "field": "contact.shoe_size"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "field"
    assert "contact.trial_user" in refused.json()["detail"]
    wrong = admin.post(
        "/api/v1/scoring/rules", json={**rule, "field": "contact.trial_user", "value": "maybe"}
    )
    assert (wrong.status_code, wrong.json()["field"]) == (422, "value")
    assert (
        admin.post(
            "/api/v1/scoring/rules", json={**rule, "field": "contact.trial_user", "value": True}
        ).status_code
        == 201
    )
    big = {"label": "Big seat count", "category": "fit", "points": 7, "operator": "gte"}
    r = admin.post("/api/v1/scoring/rules", json={**big, "field": "contact.seats", "value": 100})
    assert r.status_code == 201, r.text
    service.recompute_all(session)
    session.commit()

    pat = session.scalar(select(Contact).where(Contact.email == "pat@initech.example"))
    sam = session.scalar(select(Contact).where(Contact.email == "sam@initech.example"))
    pat_reasons = {x["label"]: x["points"] for x in service.score_of(session, pat.id).reasons}
    sam_reasons = {x["label"] for x in service.score_of(session, sam.id).reasons}
    assert pat_reasons["Trial user"] == 12
    assert pat_reasons["Big seat count"] == 7
    assert not {"Trial user", "Big seat count"} & sam_reasons
