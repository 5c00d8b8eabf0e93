"""The REST views of what the web UI shows: ``GET /api/v1/me/deals-at-risk`` (My day's deals at
risk) and ``GET /api/v1/charters/{id}/revisions`` (the charter page's revision history)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from techwin.auth.enums import Role
from techwin.collaboration.overview import deals_at_risk
from techwin.core.time import utcnow
from tests import factories

# ---------- Deals at risk ----------


@pytest.fixture
def risky(session, org):
    """Alex's deals: Initech platform (no stakeholder, no next step), a healthy deal, a
    single-threaded deal closing soon that Priya works on, and a lost deal."""
    healthy = factories.opportunity(
        session, actor=org.ae, name="Healthy deal", next_step="Security review Friday"
    )
    factories.stakeholder(session, actor=org.ae, deal=healthy, role="champion")
    factories.stakeholder(session, actor=org.ae, deal=healthy, role="economic_buyer")
    thin = factories.opportunity(
        session,
        actor=org.ae,
        name="Globex analytics",
        next_step="Demo",
        next_step_due=utcnow().date() + timedelta(days=3),
        close_date=utcnow().date() + timedelta(days=5),
        se_ids=[org.se.id],
    )
    factories.stakeholder(session, actor=org.ae, deal=thin)
    lost = factories.opportunity(session, actor=org.ae, name="Lost deal")
    factories.lose(session, actor=org.manager, deal=lost)
    session.commit()
    return {"healthy": healthy, "thin": thin, "lost": lost}


def test_deals_at_risk_are_the_callers_with_their_reasons(api_as, org, risky):
    response = api_as(user=org.ae).get("/api/v1/me/deals-at-risk")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [d["name"] for d in body] == ["Globex analytics", "Initech platform"]
    thin, initech = body
    assert thin == {
        "id": risky["thin"].id,
        "name": "Globex analytics",
        "account_id": risky["thin"].account_id,
        "account_name": thin["account_name"],
        "stage": thin["stage"],
        "close_date": (utcnow().date() + timedelta(days=5)).isoformat(),
        "next_step": "Demo",
        "next_step_due": (utcnow().date() + timedelta(days=3)).isoformat(),
        "engaged_people": 1,
        "reasons": ["single-threaded: one engaged stakeholder"],
    }
    assert thin["account_name"]
    assert initech["id"] == org.deal.id
    assert initech["reasons"] == ["no engaged stakeholder", "no next step recorded"]
    assert initech["engaged_people"] == 0


def test_a_next_step_past_its_date_puts_a_deal_at_risk(api_as, org, risky, session):
    """The deal's own next-step date decides; a new next step typed on the deal clears the
    old date instead of leaving the deal flagged for a step nobody owes any more."""
    from techwin.pipeline import opportunities
    from techwin.pipeline.schemas import OpportunityPatch

    healthy = risky["healthy"]
    due = utcnow().date() - timedelta(days=2)
    opportunities.update_opportunity(
        session, actor=org.ae, opportunity=healthy, data=OpportunityPatch(next_step_due=due)
    )
    session.commit()
    flagged = {d["name"]: d for d in api_as(user=org.ae).get("/api/v1/me/deals-at-risk").json()}
    assert flagged["Healthy deal"]["reasons"] == [f"next step was due {due.isoformat()}"]
    opportunities.update_opportunity(
        session,
        actor=org.ae,
        opportunity=healthy,
        data=OpportunityPatch(next_step="", version=healthy.version),
    )
    assert healthy.next_step_due is None
    opportunities.update_opportunity(
        session,
        actor=org.ae,
        opportunity=healthy,
        data=OpportunityPatch(next_step="Pricing call", version=healthy.version),
    )
    session.commit()
    names = [d["name"] for d in api_as(user=org.ae).get("/api/v1/me/deals-at-risk").json()]
    assert "Healthy deal" not in names


def test_a_next_step_date_needs_a_next_step(api_as, org, session):
    client = api_as(user=org.ae)
    deal = client.get(f"/api/v1/opportunities/{org.deal.id}").json()
    refused = client.patch(
        f"/api/v1/opportunities/{org.deal.id}",
        json={"next_step_due": "2026-12-01", "version": deal["version"]},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "next_step"
    assert client.get(f"/api/v1/opportunities/{org.deal.id}").json() == deal


def test_deals_at_risk_match_my_day(api_as, org, risky, session):
    for person in (org.ae, org.se, org.other_se, org.manager):
        listed = api_as(user=person).get("/api/v1/me/deals-at-risk").json()
        shown = deals_at_risk(session, user=person, today=utcnow().date())
        assert [(d["id"], d["reasons"]) for d in listed] == [(r.deal.id, r.reasons) for r in shown]
    # Priya works on Globex only; Lukas and Maya work on no deal.
    assert [d["name"] for d in api_as(user=org.se).get("/api/v1/me/deals-at-risk").json()] == [
        "Globex analytics"
    ]
    assert api_as(user=org.other_se).get("/api/v1/me/deals-at-risk").json() == []


def test_deals_at_risk_limit(api_as, org, risky):
    client = api_as(user=org.ae)
    assert [d["name"] for d in client.get("/api/v1/me/deals-at-risk?limit=1").json()] == [
        "Globex analytics"
    ]
    for bad in ("0", "201", "many"):
        refused = client.get(f"/api/v1/me/deals-at-risk?limit={bad}")
        assert refused.status_code == 422
        assert refused.json()["field"] == "limit"


def test_deals_at_risk_need_a_token(client, org, risky):
    response = client.get("/api/v1/me/deals-at-risk")
    assert response.status_code == 401
    assert response.json()["error"] == "NotAuthenticated"


# ---------- Charter revisions ----------


RULES = {"name": "Enterprise rules", "rescue_phrase": "Zoom out", "change_note": "Shorter prep"}


@pytest.fixture
def team_charter(api_as, org):
    """Enterprise East adopts its own charter (revision 1), then Maya edits it (revision 2)."""
    manager = api_as(user=org.manager)
    first = manager.post("/api/v1/charters", json={"team_id": org.team.id})
    assert first.status_code == 201, first.text
    second = manager.put(
        f"/api/v1/charters/{first.json()['id']}",
        json={**RULES, "prep_minutes": 10, "based_on": 1},
    )
    assert second.status_code == 200, second.text
    return first.json(), second.json()


def test_revisions_list_the_scopes_history_newest_first(api_as, org, team_charter):
    first, second = team_charter
    client = api_as(user=org.se)
    response = client.get(f"/api/v1/charters/{first['id']}/revisions")
    assert response.status_code == 200, response.text
    history = response.json()
    assert [(r["id"], r["revision"], r["is_current"]) for r in history] == [
        (second["id"], 2, True),
        (first["id"], 1, False),
    ]
    newest, oldest = history
    assert newest["name"] == "Enterprise rules"
    assert newest["change_note"] == "Shorter prep"
    assert newest["created_by_id"] == org.manager.id
    assert newest["created_by_name"] == "Maya Chen"
    assert oldest["change_note"] == first["change_note"]
    assert oldest["created_at"] == first["created_at"]
    # Any revision's id gives the same history.
    assert client.get(f"/api/v1/charters/{second['id']}/revisions").json() == history


def test_the_default_charters_history_is_its_own(api_as, org, team_charter):
    client = api_as(user=org.ae)
    charters = client.get("/api/v1/charters").json()
    default = next(c for c in charters if c["team_id"] is None and c["pod_id"] is None)
    history = client.get(f"/api/v1/charters/{default['id']}/revisions").json()
    assert [r["id"] for r in history] == [default["id"]]
    assert history[0]["is_current"] is True
    assert history[0]["created_by_name"] is None  # shipped with the playbook


def test_revisions_are_readable_by_whoever_reads_the_charter(api_as, org, team_charter):
    first, _second = team_charter
    viewer = api_as(Role.VIEWER)
    assert viewer.get(f"/api/v1/charters/{first['id']}").status_code == 200
    response = viewer.get(f"/api/v1/charters/{first['id']}/revisions")
    assert response.status_code == 200
    assert len(response.json()) == 2


def test_revisions_of_an_unknown_charter_are_json_errors(api_as, client, org, team_charter):
    ae = api_as(user=org.ae)
    missing = ae.get("/api/v1/charters/999999/revisions")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": "NotFound",
        "detail": "charter 999999 does not exist",
        "field": "charter_id",
    }
    malformed = ae.get("/api/v1/charters/first/revisions")
    assert malformed.status_code == 422
    assert malformed.json()["field"] == "charter_id"
    anonymous = client.get(f"/api/v1/charters/{team_charter[0]['id']}/revisions")
    assert anonymous.status_code == 401
