"""The board and the funnel through the API."""

from __future__ import annotations

from techwin.auth.enums import Role


def test_board_lists_cards_with_their_stage_and_totals(api_as):
    ae = api_as(Role.AE)
    account = ae.post("/api/v1/accounts", json={"name": "Boardy"}).json()
    for n in range(3):
        ae.post(
            "/api/v1/opportunities",
            json={"name": f"Deal {n}", "account_id": account["id"], "acv": "1000"},
        )
    response = ae.get("/api/v1/board", params={"owner_id": ae.user.id})
    assert response.status_code == 200, response.text
    columns = {c["stage"]["key"]: c for c in response.json()["columns"]}
    assert columns["discovery"]["count"] == 3
    assert columns["discovery"]["total_acv"] == "3000.00"
    assert {card["stage"] for card in columns["discovery"]["cards"]} == {"discovery"}


def test_funnel_for_a_period(api_as):
    ae = api_as(Role.AE)
    ae.post("/api/v1/contacts", json={"first_name": "F", "last_name": "Unnel", "source": "webinar"})
    response = ae.get("/api/v1/funnel", params={"split_by": "source", "owner_id": ae.user.id})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["steps"][0]["reached"] == 1
    assert body["splits"]["webinar"][0]["reached"] == 1
