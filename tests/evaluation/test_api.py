"""The evaluation API: technical win, no-go, POCs with criteria, competitors, running POCs and
the DQ rate. Bad input is a 4xx JSON naming the field; nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from techwin.auth.enums import Role
from techwin.core.time import utcnow

TODAY = utcnow().date()


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
def ae(api_as):
    return api_as(Role.AE)


@pytest.fixture
def deal(ae, se):
    account = ae.post("/api/v1/accounts", json={"name": "Initech"}).json()
    return ae.post(
        "/api/v1/opportunities",
        json={
            "name": "Initech analytics",
            "account_id": account["id"],
            "acv": "75000",
            "se_ids": [se.user.id],
        },
    ).json()


def _poc_body(**changes):
    body = {
        "title": "Latency",
        "scope": "Their 20 heaviest reports on production-size data",
        "start_date": (TODAY - timedelta(days=2)).isoformat(),
        "end_date": (TODAY + timedelta(days=28)).isoformat(),
        "criteria": [
            {"description": "Dashboard load", "target": "under 2 s for 95% of loads"},
            {"description": "SSO", "target": "all 40 pilot users sign in"},
        ],
    }
    body.update(changes)
    return body


def test_the_technical_win_starts_not_started(se, deal):
    response = se.get(f"/api/v1/opportunities/{deal['id']}/technical-win")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "not_started"
    assert body["version"] == 0
    assert "no_go" in body["allowed"]


def test_a_no_go_without_a_reason_code_is_refused(se, deal):
    url = f"/api/v1/opportunities/{deal['id']}/no-go"
    _error(se.post(url, json={"reason": "not a fit"}), 422, "no_go_reason")
    _error(se.post(url, json={"no_go_reason": "other"}), 422, "reason")
    assert se.get(f"/api/v1/opportunities/{deal['id']}/technical-win").json()["version"] == 0
    done = se.post(url, json={"no_go_reason": "competitor_lock_in", "reason": "10-year contract"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "no_go"


def test_an_ae_cannot_declare_a_no_go_or_win(ae, deal):
    url = f"/api/v1/opportunities/{deal['id']}"
    refused_no_go = ae.post(f"{url}/no-go", json={"no_go_reason": "no_budget"})
    assert refused_no_go.status_code == 403
    assert refused_no_go.json()["error"] == "PermissionDenied"
    refused = ae.put(f"{url}/technical-win", json={"status": "won"})
    assert refused.status_code == 403


def test_a_move_outside_the_table_and_a_stale_version_are_refused(se, deal):
    url = f"/api/v1/opportunities/{deal['id']}/technical-win"
    won = se.put(url, json={"status": "won", "version": 0})
    assert won.status_code == 200, won.text
    _error(se.put(url, json={"status": "lost", "reason": "x"}), 409, "status")
    _error(se.put(url, json={"status": "in_progress", "reason": "x", "version": 0}), 409, "version")
    assert se.get(url).json()["status"] == "won"


def test_a_poc_ending_before_it_starts_is_refused(se, deal):
    url = f"/api/v1/opportunities/{deal['id']}/pocs"
    body = _poc_body(end_date=(TODAY - timedelta(days=30)).isoformat())
    _error(se.post(url, json=body), 422, "end_date")
    assert se.get(url).json() == []


def test_a_criterion_without_a_target_is_refused(se, deal):
    url = f"/api/v1/opportunities/{deal['id']}/pocs"
    body = _poc_body(criteria=[{"description": "Throughput"}])
    detail = _error(se.post(url, json=body), 422, "criteria.0.target")["detail"]
    assert "measurable target" in detail
    assert se.get(url).json() == []


def test_the_poc_journey_over_the_api(se, deal):
    created = se.post(f"/api/v1/opportunities/{deal['id']}/pocs", json=_poc_body())
    assert created.status_code == 201, created.text
    poc = created.json()
    assert poc["status"] == "running"
    assert poc["days_left"] == 28
    first, second = poc["criteria"]
    base = f"/api/v1/pocs/{poc['id']}"
    _error(se.put(f"{base}/criteria/{first['id']}/result", json={"result": "met"}), 422, "evidence")
    for criterion, result in ((first, "met"), (second, "partially_met")):
        response = se.put(
            f"{base}/criteria/{criterion['id']}/result",
            json={"result": result, "evidence": "measured on the customer's data"},
        )
        assert response.status_code == 200, response.text
    _error(se.post(f"{base}/outcome", json={"outcome": "passed"}), 422, "outcome")
    outcome = se.post(f"{base}/outcome", json={"outcome": "partial", "notes": "SSO next"})
    assert outcome.json()["outcome"] == "partial"
    signed = se.post(f"{base}/sign-off", json={"signed_off_by": "Dana Ruiz, CTO"})
    assert signed.json()["signed_off_by"] == "Dana Ruiz, CTO"
    win = se.put(f"/api/v1/opportunities/{deal['id']}/technical-win", json={"status": "won"})
    assert win.json()["status"] == "won"


def test_running_pocs_and_the_dq_rate(se, deal):
    se.post(f"/api/v1/opportunities/{deal['id']}/pocs", json=_poc_body())
    running = se.get("/api/v1/pocs/running").json()
    assert [(p["deal_name"], p["criteria_total"]) for p in running] == [("Initech analytics", 2)]
    se.post(f"/api/v1/opportunities/{deal['id']}/no-go", json={"no_go_reason": "no_budget"})
    assert se.get("/api/v1/pocs/running").json() == []
    rate = se.get(f"/api/v1/technical-wins/dq-rate?se_id={se.user.id}").json()
    assert (rate["decided"], rate["no_go"], rate["band"]) == (1, 1, "high")
    _error(se.get("/api/v1/technical-wins/dq-rate?start=2026-05-01&end=2026-01-01"), 422, "end")


def test_competitors_over_the_api(se, deal):
    url = f"/api/v1/opportunities/{deal['id']}/competitors"
    added = se.post(url, json={"name": "Acmeflow", "incumbent": True})
    assert added.status_code == 201, added.text
    _error(se.post(url, json={"name": "acmeflow"}), 409, "name")
    _error(se.post(url, json={}), 422, "name")
    assert [c["name"] for c in se.get(url).json()] == ["Acmeflow"]
    assert se.get("/api/v1/competitors").json()[0]["deals"] == 1
    removed = se.delete(f"{url}/{added.json()['competitor_id']}")
    assert removed.status_code == 204
    assert se.get(url).json() == []
