"""Two in a box over the REST API: the request flow per role, bad input as 4xx JSON naming the
field, stakeholders, calls with huddles, debriefs and calendar files, charters and pods."""

from __future__ import annotations

from datetime import timedelta

import pytest

from techwin.auth.enums import Role
from techwin.core.time import utcnow
from techwin.pipeline import opportunities
from techwin.pipeline.schemas import MoveIn
from tests import factories


@pytest.fixture
def as_role(api_as, org):
    """API clients for the org's people."""

    def _client(name):
        return api_as(user=getattr(org, name))

    return _client


def _needed(days=10):
    return (utcnow().date() + timedelta(days=days)).isoformat()


def _request(client, deal_id, kind="custom_demo", **extra):
    body = {"opportunity_id": deal_id, "kind": kind, "needed_by": _needed(), **extra}
    return client.post("/api/v1/se-requests", json=body)


def test_a_blocked_request_says_why_and_the_flow_continues_per_role(as_role, org, session):
    ae, manager, se = as_role("ae"), as_role("manager"), as_role("se")
    check = ae.get(
        f"/api/v1/opportunities/{org.deal.id}/charter-check", params={"kind": "custom_demo"}
    )
    assert check.status_code == 200
    assert [v["met"] for v in check.json()] == [False, False, False]
    created = _request(ae, org.deal.id, topics=["SSO"])
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "blocked"
    assert {v["key"] for v in body["unmet"]} == {
        "budget_confirmed",
        "timeline_within_6_months",
        "vp_sponsor_engaged",
    }
    request_id, version = body["id"], body["version"]
    # An SE cannot override the charter; an AE cannot assign.
    refused = se.post(
        f"/api/v1/se-requests/{request_id}/override", json={"reason": "I am sure about it"}
    )
    assert refused.status_code == 403
    assert refused.json()["error"] == "PermissionDenied"
    overridden = manager.post(
        f"/api/v1/se-requests/{request_id}/override",
        json={"reason": "Strategic account", "version": version},
    )
    assert overridden.status_code == 200, overridden.text
    assert overridden.json()["status"] == "accepted"
    assert (
        ae.post(f"/api/v1/se-requests/{request_id}/assign", json={"se_id": org.se.id}).status_code
        == 403
    )
    suggestions = manager.get(f"/api/v1/se-requests/{request_id}/suggestions").json()
    assert suggestions[0]["full_name"] == "Priya Shah"
    assert "in the AE's pod (+40)" in suggestions[0]["reasons"]
    assigned = manager.post(f"/api/v1/se-requests/{request_id}/assign", json={"se_id": org.se.id})
    assert assigned.json()["status"] == "assigned"
    planned = se.post(
        "/api/v1/meetings",
        json={
            "opportunity_id": org.deal.id,
            "request_id": request_id,
            "kind": "custom_demo",
            "title": "Custom demo",
            "starts_at": (utcnow() + timedelta(days=3)).isoformat(),
        },
    )
    assert planned.status_code == 201, planned.text
    meeting = planned.json()
    assert org.se.id in meeting["attendee_ids"]
    events = ae.get(f"/api/v1/se-requests/{request_id}/events").json()
    assert [e["to_status"] for e in events] == [
        "submitted",
        "blocked",
        "accepted",
        "assigned",
        "scheduled",
    ]
    listed = manager.get("/api/v1/se-requests", params={"status": "scheduled", "se_id": org.se.id})
    assert [r["id"] for r in listed.json()["items"]] == [request_id]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "lunch"}, "kind"),
        ({"needed_by": "tomorrow"}, "needed_by"),
        ({"topics": ["x" * 41]}, "topics.0"),
        ({"opportunity_id": 0}, "opportunity_id"),
    ],
)
def test_bad_request_payloads_name_the_field(as_role, org, body, field):
    base = {"opportunity_id": org.deal.id, "kind": "poc", "needed_by": _needed()}
    response = as_role("ae").post("/api/v1/se-requests", json={**base, **body})
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_refusals_are_json_naming_the_field_and_change_nothing(as_role, org, session):
    ae, manager = as_role("ae"), as_role("manager")
    past = _request(ae, org.deal.id, needed_by=(utcnow().date() - timedelta(days=1)).isoformat())
    assert past.status_code == 422
    assert past.json() | {"detail": ""} == {
        "error": "InvalidInput",
        "detail": "",
        "field": "needed_by",
    }
    missing = _request(ae, 999_999)
    assert missing.status_code == 404
    assert missing.json()["field"] == "opportunity_id"
    opportunities.move_opportunity(
        session,
        actor=org.manager,
        opportunity=org.deal,
        data=MoveIn(stage="closed_lost", reason="no budget"),
    )
    session.commit()
    closed = _request(ae, org.deal.id)
    assert closed.status_code == 409
    assert closed.json()["error"] == "InvalidState"
    assert closed.json()["field"] == "opportunity_id"
    assert ae.get("/api/v1/se-requests").json()["total"] == 0
    # Assigning an SE of another team is refused, naming the field.
    other = factories.team(session, name="Public sector")
    outsider = factories.user(session, role=Role.SE, team_id=other.id, password=None)
    deal = factories.opportunity(session, actor=org.ae)
    session.commit()
    request = _request(ae, deal.id, kind="discovery_call").json()
    refused = manager.post(
        f"/api/v1/se-requests/{request['id']}/assign", json={"se_id": outsider.id}
    )
    assert refused.status_code == 403
    assert refused.json()["field"] == "se_id"
    assert ae.get(f"/api/v1/se-requests/{request['id']}").json()["status"] == "accepted"


def test_a_debrief_before_the_call_is_refused(as_role, org, session):
    meeting = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=20)
    session.commit()
    ae = as_role("ae")
    response = ae.put(f"/api/v1/meetings/{meeting.id}/debrief", json={"pain_uncovered": "yes"})
    assert response.status_code == 409
    assert response.json()["field"] == "meeting_id"
    assert "has not happened yet" in response.json()["detail"]
    assert ae.get(f"/api/v1/meetings/{meeting.id}/debrief").status_code == 404


def test_stakeholders_coverage_huddle_debrief_and_calendar(as_role, org, session):
    ae = as_role("ae")
    added = ae.post(
        f"/api/v1/opportunities/{org.deal.id}/stakeholders",
        json={
            "new_contact": {"first_name": "Bill", "last_name": "Lumbergh", "seniority": "vp"},
            "role": "economic_buyer",
            "engagement": "engaged",
        },
    )
    assert added.status_code == 201, added.text
    assert added.json()["seniority"] == "vp"
    coverage = ae.get(f"/api/v1/opportunities/{org.deal.id}/coverage").json()
    assert coverage["key_roles_covered"] == ["economic_buyer"]
    assert coverage["single_threaded"] is True
    patched = ae.patch(f"/api/v1/stakeholders/{added.json()['id']}", json={"sentiment": "negative"})
    assert patched.json()["sentiment"] == "negative"
    meeting = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=48)
    session.commit()
    huddle = ae.put(
        f"/api/v1/meetings/{meeting.id}/huddle",
        json={"objective": "Show the audit trail", "call_to_action": "Book the POC"},
    )
    assert huddle.status_code == 200, huddle.text
    assert huddle.json()["checklist"]["prospect_researched"] is False
    early = ae.post(f"/api/v1/meetings/{meeting.id}/held", json={})
    assert early.status_code == 422
    assert early.json()["field"] == "held_at"
    meeting.starts_at = utcnow() - timedelta(hours=1)  # two days pass
    session.commit()
    held = ae.post(f"/api/v1/meetings/{meeting.id}/held", json={})
    assert held.json()["status"] == "held"
    debrief = ae.put(
        f"/api/v1/meetings/{meeting.id}/debrief",
        json={"pain_uncovered": "partly", "next_step": "Security review"},
    )
    assert debrief.status_code == 200, debrief.text
    calendar = ae.get(f"/api/v1/meetings/{meeting.id}.ics")
    assert calendar.status_code == 200
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert "Objective: Show the audit trail" in calendar.text.replace("\r\n ", "")
    assert ae.get("/api/v1/reminders").status_code == 200
    rows = ae.get("/api/v1/discipline").json()
    pod = next(r for r in rows if r["pod_id"] == org.pod.id)
    assert (pod["major_calls"], pod["with_huddle"], pod["with_debrief"]) == (1, 1, 1)


def test_discipline_shows_each_person_the_pods_they_may_see(as_role, org, session, api_as):
    other_ae = factories.user(session, role=Role.AE, full_name="Sam Ortiz")
    elsewhere = factories.pod(session, aes=[other_ae], ses=[org.other_se], name="Sam + Lukas")
    session.commit()
    pods_seen = {
        name: {r["pod_id"] for r in as_role(name).get("/api/v1/discipline").json()}
        for name in ("ae", "se", "manager")
    }
    assert pods_seen["ae"] == pods_seen["se"] == {org.pod.id}
    # The manager's team is Enterprise East; a pod without a team is shown to every manager.
    assert pods_seen["manager"] == {org.pod.id, elsewhere.id}
    every = as_role("manager").get("/api/v1/discipline", params={"teams": "all"}).json()
    assert {r["pod_id"] for r in every} >= {org.pod.id, elsewhere.id}
    pm = api_as(user=factories.user(session, role=Role.PM))
    refused = pm.get("/api/v1/discipline")
    assert refused.status_code == 403
    bad = as_role("manager").get("/api/v1/discipline", params={"teams": "some"})
    assert bad.status_code == 422
    assert "teams" in bad.text


def test_charters_pods_and_profiles(as_role, org):
    manager, ae = as_role("manager"), as_role("ae")
    charter = ae.get(f"/api/v1/opportunities/{org.deal.id}/charter").json()
    assert charter["scope"] == "Organisation default"
    assert charter["prep_lead_hours"] == 24
    adopted = manager.post("/api/v1/charters", json={"team_id": org.team.id})
    assert adopted.status_code == 201
    team_charter = adopted.json()
    edited = manager.put(
        f"/api/v1/charters/{team_charter['id']}",
        json={
            "name": "Enterprise rules",
            "rescue_phrase": "Zoom out",
            "thresholds": [
                {
                    "key": "notice",
                    "label": "Three days' notice",
                    "kind": "notice",
                    "applies_to": ["rfp"],
                    "min_days": 3,
                }
            ],
            "based_on": 1,
        },
    )
    assert edited.status_code == 200, edited.text
    fresh = edited.json()
    assert fresh["revision"] == 2
    acked = ae.post(f"/api/v1/charters/{fresh['id']}/acknowledge").json()
    alex = next(a for a in acked["acknowledgements"] if a["user_id"] == org.ae.id)
    assert alex["acknowledged_at"] is not None
    bad = manager.put(
        f"/api/v1/charters/{fresh['id']}",
        json={"name": "x", "rescue_phrase": "Zoom out", "thresholds": [{"kind": "vibes"}]},
    )
    assert bad.status_code == 422
    assert bad.json()["field"].startswith("thresholds.0")
    coverage = ae.get("/api/v1/teams/coverage").json()
    east = next(c for c in coverage if c["team_name"] == "Enterprise East")
    assert east["ratio"] == "1:1"
    assert ae.put(f"/api/v1/se-profiles/{org.se.id}", json={"skills": ["sso"]}).status_code == 403
    saved = manager.put(f"/api/v1/se-profiles/{org.se.id}", json={"skills": ["SSO"]})
    assert saved.json()["skills"] == ["sso"]
    assert ae.get("/api/v1/question-bank").json()["groups"]
