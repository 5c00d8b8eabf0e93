"""The product gaps API: record, link deals (once), the workflow by role, the ranking and the
CSV export. Bad input is a 4xx JSON naming the field; nothing changes."""

from __future__ import annotations

import csv
import io

import pytest

from techwin.auth.enums import Role


def _error(response, status, field):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["field"] == field, body
    assert body["detail"], body
    return body


@pytest.fixture
def se(api_as):
    return api_as(Role.SE)


@pytest.fixture
def pm(api_as):
    return api_as(Role.PM)


@pytest.fixture
def deals(api_as):
    manager = api_as(Role.MANAGER)
    account = manager.post("/api/v1/accounts", json={"name": "Hooli"}).json()

    def deal(name, acv):
        return manager.post(
            "/api/v1/opportunities", json={"name": name, "account_id": account["id"], "acv": acv}
        ).json()

    open_deal, lost = deal("Hooli search", "120000"), deal("Hooli mail", "300000")
    moved = manager.post(
        f"/api/v1/opportunities/{lost['id']}/move",
        json={"stage": "closed_lost", "reason": "No SSO", "override": True},
    )
    assert moved.status_code == 200, moved.text
    return open_deal, lost


def test_record_rank_and_move_a_gap(se, pm, deals):
    open_deal, lost = deals
    created = se.post(
        "/api/v1/gaps",
        json={
            "title": "No SSO with Azure AD",
            "product_area": "Security",
            "severity": "deal_breaker",
            "deal_ids": [open_deal["id"]],
        },
    )
    assert created.status_code == 201, created.text
    gap = created.json()
    linked = se.post(
        f"/api/v1/gaps/{gap['id']}/deals",
        json={"opportunity_id": lost["id"], "lost_because": True},
    )
    assert linked.status_code == 201, linked.text
    assert {d["counts_as"] for d in linked.json()} == {"blocked", "lost"}
    se.post("/api/v1/gaps", json={"title": "Dark mode", "product_area": "UI", "severity": "minor"})
    ranked = pm.get("/api/v1/gaps").json()
    assert [g["title"] for g in ranked["items"]] == ["No SSO with Azure AD", "Dark mode"]
    top = ranked["items"][0]
    assert top["rank"] == 1
    assert top["impact"]["total"] == "420000.00"
    assert (top["impact"]["open_deals"], top["impact"]["lost_deals"]) == (1, 1)
    refused = se.post(f"/api/v1/gaps/{gap['id']}/status", json={"status": "planned"})
    assert refused.status_code == 403
    moved = pm.post(
        f"/api/v1/gaps/{gap['id']}/status", json={"status": "planned", "version": gap["version"]}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "planned"
    assert moved.json()["allowed_statuses"] == ["reviewed", "shipped", "wont_do"]
    on_deal = se.get(f"/api/v1/opportunities/{lost['id']}/gaps").json()
    assert [g["title"] for g in on_deal] == ["No SSO with Azure AD"]


def test_a_deal_linked_twice_is_refused(se, deals):
    open_deal, _lost = deals
    gap = se.post(
        "/api/v1/gaps",
        json={
            "title": "PDF",
            "product_area": "Reporting",
            "severity": "major",
            "deal_ids": [open_deal["id"]],
        },
    ).json()
    body = _error(
        se.post(f"/api/v1/gaps/{gap['id']}/deals", json={"opportunity_id": open_deal["id"]}),
        409,
        "opportunity_id",
    )
    assert "already linked" in body["detail"]
    _error(
        se.post(
            "/api/v1/gaps",
            json={
                "title": "Twice",
                "product_area": "Reporting",
                "severity": "major",
                "deal_ids": [open_deal["id"], open_deal["id"]],
            },
        ),
        409,
        "deal_ids",
    )
    assert len(se.get(f"/api/v1/gaps/{gap['id']}/deals").json()) == 1


def test_bad_gap_input_names_the_field(se, pm, deals):
    open_deal, _lost = deals
    _error(
        se.post("/api/v1/gaps", json={"title": "No area", "severity": "major"}), 422, "product_area"
    )
    _error(
        se.post("/api/v1/gaps", json={"title": "x", "product_area": "y", "severity": "huge"}),
        422,
        "severity",
    )
    gap = se.post(
        "/api/v1/gaps", json={"title": "PDF", "product_area": "Reporting", "severity": "major"}
    ).json()
    _error(
        se.post(
            f"/api/v1/gaps/{gap['id']}/deals",
            json={"opportunity_id": open_deal["id"], "lost_because": True},
        ),
        409,
        "lost_because",
    )
    _error(pm.post(f"/api/v1/gaps/{gap['id']}/status", json={"status": "shipped"}), 409, "status")
    _error(pm.post(f"/api/v1/gaps/{gap['id']}/status", json={"status": "wont_do"}), 422, "reason")
    _error(pm.get("/api/v1/gaps?currency=XYZ"), 422, "currency")
    _error(pm.get("/api/v1/gaps?status=someday"), 422, "status.0")
    assert pm.get(f"/api/v1/gaps/{gap['id']}").json()["status"] == "new"


def test_the_csv_export_follows_the_status_filter(se, pm, deals):
    _open_deal, lost = deals
    first = se.post(
        "/api/v1/gaps",
        json={
            "title": "=cmd|calc",
            "product_area": "Security",
            "severity": "deal_breaker",
            "deal_ids": [lost["id"]],
            "lost_because": True,
        },
    ).json()
    se.post("/api/v1/gaps", json={"title": "Other", "product_area": "UI", "severity": "minor"})
    pm.post(f"/api/v1/gaps/{first['id']}/status", json={"status": "reviewed"})
    response = pm.get("/api/v1/gaps/export?status=reviewed")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["title"], r["status"], r["lost_acv"]) for r in rows] == [
        ("'=cmd|calc", "reviewed", "300000.00")
    ]
    everything = list(csv.DictReader(io.StringIO(pm.get("/api/v1/gaps/export").text)))
    assert len(everything) == 2
