"""Bad input gets a 4xx naming the field and the reason, and stored data stays as it was."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from techwin.auth.enums import Role


@pytest.fixture
def ae(api_as):
    return api_as(Role.AE)


@pytest.fixture
def lead(ae):
    return ae.post(
        "/api/v1/contacts",
        json={"first_name": "Ann", "last_name": "Lee", "email": "ann@corp.example"},
    ).json()


@pytest.fixture
def deal(ae):
    account = ae.post("/api/v1/accounts", json={"name": "Corp"}).json()
    return ae.post(
        "/api/v1/opportunities",
        json={"name": "Corp deal", "account_id": account["id"], "acv": "1000"},
    ).json()


def assert_error(response, status, field):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["field"] == field, body
    assert body["detail"], body
    return body


def test_unknown_lifecycle_stage(ae, lead):
    body = assert_error(
        ae.post(f"/api/v1/contacts/{lead['id']}/transitions", json={"to_stage": "won"}),
        422,
        "to_stage",
    )
    assert body["error"] == "ValidationError"
    assert ae.get(f"/api/v1/contacts/{lead['id']}").json()["lifecycle_stage"] == "lead"


def test_illegal_transition(ae, lead):
    body = assert_error(
        ae.post(f"/api/v1/contacts/{lead['id']}/transitions", json={"to_stage": "customer"}),
        422,
        "to_stage",
    )
    assert body["error"] == "RuleViolation"
    assert "allowed" in body["detail"]
    assert len(ae.get(f"/api/v1/contacts/{lead['id']}/transitions").json()) == 1


def test_missing_reason(ae, lead):
    assert_error(
        ae.post(f"/api/v1/contacts/{lead['id']}/transitions", json={"to_stage": "disqualified"}),
        422,
        "reason",
    )
    assert ae.get(f"/api/v1/contacts/{lead['id']}").json()["lifecycle_stage"] == "lead"


def test_unknown_deal_stage(ae, deal):
    body = assert_error(
        ae.post(f"/api/v1/opportunities/{deal['id']}/move", json={"stage": "celebration"}),
        422,
        "stage",
    )
    assert "valid stages" in body["detail"]


def test_negative_amount(ae, deal):
    assert_error(ae.patch(f"/api/v1/opportunities/{deal['id']}", json={"acv": "-5"}), 422, "acv")
    assert ae.get(f"/api/v1/opportunities/{deal['id']}").json()["acv"] == "1000.00"


def test_close_date_before_creation(ae, deal):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert_error(
        ae.patch(f"/api/v1/opportunities/{deal['id']}", json={"close_date": yesterday}),
        422,
        "close_date",
    )
    assert ae.get(f"/api/v1/opportunities/{deal['id']}").json()["close_date"] is None


def test_duplicate_email_in_same_account(ae):
    account = ae.post("/api/v1/accounts", json={"name": "Dup Inc"}).json()
    body = {
        "first_name": "A",
        "last_name": "B",
        "email": "a@dup.example",
        "account_id": account["id"],
    }
    assert ae.post("/api/v1/contacts", json=body).status_code == 201
    assert_error(ae.post("/api/v1/contacts", json=body), 409, "email")
    listing = ae.get("/api/v1/contacts", params={"account_id": account["id"]}).json()
    assert listing["total"] == 1


def test_malformed_email(ae):
    assert_error(
        ae.post(
            "/api/v1/contacts", json={"first_name": "A", "last_name": "B", "email": "not-an-email"}
        ),
        422,
        "email",
    )


def test_oversized_text(ae, lead):
    assert_error(
        ae.patch(f"/api/v1/contacts/{lead['id']}", json={"title": "x" * 500}), 422, "title"
    )
    assert ae.get(f"/api/v1/contacts/{lead['id']}").json()["title"] is None


def test_unknown_field_is_refused(ae):
    assert_error(ae.post("/api/v1/accounts", json={"name": "X", "colour": "red"}), 422, "colour")


def test_inconsistent_amounts(ae, deal):
    body = assert_error(
        ae.patch(
            f"/api/v1/opportunities/{deal['id']}",
            json={"acv": "1000", "tcv": "5000", "term_months": 12},
        ),
        422,
        "tcv",
    )
    assert body["error"] == "InvalidInput"


def test_unknown_owner(ae):
    assert_error(
        ae.post("/api/v1/accounts", json={"name": "X", "owner_id": 987654}), 422, "owner_id"
    )


def test_unknown_currency(ae, deal):
    assert_error(
        ae.patch(f"/api/v1/opportunities/{deal['id']}", json={"currency": "XYZ"}), 422, "currency"
    )


def test_bad_paging(ae):
    assert_error(ae.get("/api/v1/contacts", params={"size": 100000}), 422, "size")


def test_reversed_funnel_period(ae):
    assert_error(
        ae.get("/api/v1/funnel", params={"start": "2026-02-01", "end": "2026-01-01"}), 422, "end"
    )


def test_malformed_json_is_a_422_not_a_500(ae):
    response = ae.post(
        "/api/v1/accounts", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "ValidationError"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("get", "/api/v1/contacts/99999999999999999999", None, "contact_id"),
        ("get", "/api/v1/opportunities/0", None, "opportunity_id"),
        ("get", "/api/v1/contacts?owner_id=99999999999999999999", None, "owner_id"),
        (
            "post",
            "/api/v1/opportunities",
            {"name": "X", "account_id": 99999999999999999999},
            "account_id",
        ),
        (
            "post",
            "/api/v1/contacts",
            {"first_name": "A", "last_name": "B", "account_id": -3},
            "account_id",
        ),
    ],
)
def test_absurd_ids_are_a_field_error_not_a_crash(ae, method, path, body, field):
    response = getattr(ae, method)(path, **({"json": body} if body is not None else {}))
    assert_error(response, 422, field)


def test_blank_account_name_is_refused(ae):
    account = ae.post("/api/v1/accounts", json={"name": "Named"}).json()
    assert_error(ae.patch(f"/api/v1/accounts/{account['id']}", json={"name": "  "}), 422, "name")
    assert ae.get(f"/api/v1/accounts/{account['id']}").json()["name"] == "Named"
