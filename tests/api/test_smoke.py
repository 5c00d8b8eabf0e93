"""The API answers, authenticates and walks a lead to a won deal."""

from __future__ import annotations

from techwin.auth.enums import Role


def test_unauthenticated_is_401_json(client):
    response = client.get("/api/v1/contacts")
    assert response.status_code == 401
    assert response.json()["error"] == "NotAuthenticated"


def test_lead_to_won_deal(api_as):
    ae = api_as(Role.AE)
    account = ae.post("/api/v1/accounts", json={"name": "Globex"}).json()
    lead = ae.post(
        "/api/v1/contacts",
        json={
            "first_name": "Ada",
            "last_name": "Byron",
            "email": "ada@globex.example",
            "account_id": account["id"],
        },
    )
    assert lead.status_code == 201, lead.text
    cid = lead.json()["id"]
    for stage in ("mql", "sal"):
        r = ae.post(f"/api/v1/contacts/{cid}/transitions", json={"to_stage": stage})
        assert r.status_code == 201, r.text
    blocked = ae.post(f"/api/v1/contacts/{cid}/transitions", json={"to_stage": "sql"})
    assert blocked.status_code == 422
    assert blocked.json()["unmet"][0]["key"] == "bant_complete"
    for element in ("budget", "authority", "need", "timeline"):
        rated = ae.post(
            f"/api/v1/contacts/{cid}/qualification/bant/ratings",
            json={"element": element, "score": 2, "evidence": "discovery call"},
        )
        assert rated.status_code == 201, rated.text
    r = ae.post(f"/api/v1/contacts/{cid}/transitions", json={"to_stage": "sql"})
    assert r.status_code == 201, r.text
    deal = ae.post(f"/api/v1/contacts/{cid}/convert", json={"acv": "50000"})
    assert deal.status_code == 201, deal.text
    deal_id = deal.json()["id"]
    assert ae.get(f"/api/v1/contacts/{cid}").json()["lifecycle_stage"] == "opportunity"
    refused = ae.post(
        f"/api/v1/opportunities/{deal_id}/move", json={"stage": "technical_validation"}
    )
    assert refused.status_code == 422
    body = refused.json()
    assert body["error"] == "RuleViolation"
    assert {u["key"] for u in body["unmet"]} == {"pain_documented", "discovery_call_held"}
