"""Admins configure stages and exit criteria; the gates follow at once."""

from __future__ import annotations

from techwin.auth.enums import Role


def test_admin_adds_a_lifecycle_criterion_that_then_gates_contacts(api_as):
    admin = api_as(Role.ADMIN)
    ae = api_as(Role.AE)
    assert (
        ae.post(
            "/api/v1/pipelines/criteria",
            json={"key": "budget_known", "label": "Budget known", "lifecycle_stage": "sal"},
        ).status_code
        == 403
    )
    created = admin.post(
        "/api/v1/pipelines/criteria",
        json={"key": "budget_known", "label": "Budget known", "lifecycle_stage": "sal"},
    )
    assert created.status_code == 201, created.text
    lead = ae.post("/api/v1/contacts", json={"first_name": "G", "last_name": "H"}).json()
    for stage in ("mql", "sal"):
        assert (
            ae.post(
                f"/api/v1/contacts/{lead['id']}/transitions", json={"to_stage": stage}
            ).status_code
            == 201
        )
    refused = ae.post(f"/api/v1/contacts/{lead['id']}/transitions", json={"to_stage": "sql"})
    assert refused.status_code == 422
    assert [u["key"] for u in refused.json()["unmet"]] == ["bant_complete", "budget_known"]
    for element in ("budget", "authority", "need", "timeline"):
        rated = ae.post(
            f"/api/v1/contacts/{lead['id']}/qualification/bant/ratings",
            json={"element": element, "score": 2},
        )
        assert rated.status_code == 201
    gate = ae.get(f"/api/v1/contacts/{lead['id']}/gate", params={"to_stage": "sql"}).json()
    assert gate[0]["key"] == "bant_complete"
    assert gate[0]["met"] is True
    assert gate[1:] == [
        {
            "key": "budget_known",
            "label": "Budget known",
            "stage": "Sales accepted",
            "met": False,
            "hint": "tick it once done",
        }
    ]
    tick = ae.put(
        f"/api/v1/contacts/{lead['id']}/checks/{created.json()['id']}", json={"met": True}
    )
    assert tick.status_code == 204
    assert (
        ae.post(f"/api/v1/contacts/{lead['id']}/transitions", json={"to_stage": "sql"}).status_code
        == 201
    )


def test_criterion_validation(api_as):
    admin = api_as(Role.ADMIN)
    both = admin.post(
        "/api/v1/pipelines/criteria",
        json={"key": "x_y", "label": "Both", "stage": "discovery", "lifecycle_stage": "sal"},
    )
    assert both.status_code == 422
    assert both.json()["field"] == "stage"
    kind = admin.post(
        "/api/v1/pipelines/criteria",
        json={"key": "x_y", "label": "Kind", "stage": "discovery", "kind": "astrology"},
    )
    assert kind.status_code == 422
    assert kind.json()["field"] == "kind"
    dup = admin.post(
        "/api/v1/pipelines/criteria",
        json={"key": "pain_documented", "label": "Again", "stage": "discovery"},
    )
    assert dup.status_code == 409
    closed = admin.post(
        "/api/v1/pipelines/criteria", json={"key": "x_y", "label": "Closed", "stage": "closed_won"}
    )
    assert closed.status_code == 422


def test_removing_a_criterion_opens_the_gate(api_as):
    admin = api_as(Role.ADMIN)
    ae = api_as(Role.AE)
    account = ae.post("/api/v1/accounts", json={"name": "Gatey"}).json()
    deal = ae.post(
        "/api/v1/opportunities", json={"name": "Gatey deal", "account_id": account["id"]}
    ).json()
    ae.put(f"/api/v1/opportunities/{deal['id']}/checks/pain_documented", json={"met": True})
    assert (
        ae.post(
            f"/api/v1/opportunities/{deal['id']}/move", json={"stage": "technical_validation"}
        ).status_code
        == 422
    )
    criteria = admin.get("/api/v1/pipelines/criteria").json()
    call = next(c for c in criteria if c["key"] == "discovery_call_held")
    assert admin.delete(f"/api/v1/pipelines/criteria/{call['id']}").status_code == 204
    moved = ae.post(
        f"/api/v1/opportunities/{deal['id']}/move", json={"stage": "technical_validation"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["stage"] == "technical_validation"


def test_admin_renames_a_stage(api_as):
    admin = api_as(Role.ADMIN)
    response = admin.patch(
        "/api/v1/pipelines/stages/discovery", json={"name": "Discover", "probability": 5}
    )
    assert response.status_code == 200
    stages = admin.get("/api/v1/pipelines").json()
    assert stages[0]["name"] == "Discover"
    assert stages[0]["probability"] == 5
    assert (
        api_as(Role.MANAGER)
        .patch("/api/v1/pipelines/stages/discovery", json={"name": "X"})
        .status_code
        == 403
    )
