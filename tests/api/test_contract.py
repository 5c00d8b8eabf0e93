"""A generic contract every API resource plugs into: list, get, create, update, delete, roles.

Each resource says how to build a valid body, which field to change, and which roles may write.
The same assertions then run for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from techwin.auth.enums import Role


@dataclass(frozen=True)
class Resource:
    """How the contract exercises one resource."""

    path: str
    body: Callable[[Any], dict[str, Any]]
    patch: dict[str, Any]
    writers: frozenset[Role]
    deleters: frozenset[Role] = frozenset()
    owner_field: str | None = "owner_id"
    extra_checks: dict[str, Any] = field(default_factory=dict)


def _account_body(client: Any) -> dict[str, Any]:
    return {
        "name": "Initech",
        "domain": "initech.example",
        "industry": "Software",
        "employee_count": 800,
    }


def _contact_body(client: Any) -> dict[str, Any]:
    return {
        "first_name": "Peter",
        "last_name": "Gibbons",
        "email": "peter@initech.example",
        "source": "webinar",
    }


def _opportunity_body(client: Any) -> dict[str, Any]:
    account = client.post("/api/v1/accounts", json=_account_body(client)).json()
    return {
        "name": "Initech platform",
        "account_id": account["id"],
        "acv": "50000",
        "term_months": 12,
    }


WRITERS = frozenset({Role.ADMIN, Role.MANAGER, Role.SE, Role.AE})
MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})

RESOURCES = {
    "accounts": Resource("/api/v1/accounts", _account_body, {"industry": "Finance"}, WRITERS),
    "contacts": Resource(
        "/api/v1/contacts", _contact_body, {"title": "Engineer"}, WRITERS, MANAGERS
    ),
    "opportunities": Resource(
        "/api/v1/opportunities",
        _opportunity_body,
        {"next_step": "Demo on Friday"},
        WRITERS,
        MANAGERS,
    ),
}


@pytest.fixture(params=sorted(RESOURCES))
def resource(request: pytest.FixtureRequest) -> Resource:
    return RESOURCES[request.param]


@pytest.fixture(params=sorted(name for name, r in RESOURCES.items() if r.deleters))
def deletable(request: pytest.FixtureRequest) -> Resource:
    return RESOURCES[request.param]


def test_create_get_list_update(resource, api_as):
    ae = api_as(Role.AE)
    created = ae.post(resource.path, json=resource.body(ae))
    assert created.status_code == 201, created.text
    record = created.json()
    assert record["owner_id"] == ae.user.id
    fetched = ae.get(f"{resource.path}/{record['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["id"] == record["id"]
    listing = ae.get(resource.path, params={"size": 5})
    assert listing.status_code == 200
    page = listing.json()
    assert {"items", "total", "page", "size", "pages"} <= page.keys()
    assert record["id"] in [item["id"] for item in page["items"]]
    updated = ae.patch(
        f"{resource.path}/{record['id']}", json={**resource.patch, "version": record["version"]}
    )
    assert updated.status_code == 200, updated.text
    for key, value in resource.patch.items():
        assert updated.json()[key] == value
    assert updated.json()["version"] == record["version"] + 1


def test_missing_record_is_404_json(resource, api_as):
    response = api_as(Role.VIEWER).get(f"{resource.path}/999999")
    assert response.status_code == 404
    assert response.json()["error"] == "NotFound"


def test_stale_update_is_409_with_current_values(resource, api_as):
    ae = api_as(Role.AE)
    record = ae.post(resource.path, json=resource.body(ae)).json()
    first = ae.patch(
        f"{resource.path}/{record['id']}", json={**resource.patch, "version": record["version"]}
    )
    assert first.status_code == 200
    stale = ae.patch(
        f"{resource.path}/{record['id']}", json={**resource.patch, "version": record["version"]}
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["error"] == "Conflict"
    assert body["field"] == "version"
    assert body["current"]["version"] == record["version"] + 1


@pytest.mark.parametrize("role", list(Role))
def test_who_may_create(resource, api_as, role):
    author = api_as(Role.ADMIN)
    body = resource.body(author)
    client = api_as(role)
    response = client.post(resource.path, json=body)
    if role in resource.writers:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "PermissionDenied"


@pytest.mark.parametrize("role", list(Role))
def test_who_may_edit_someone_elses_record(resource, api_as, role):
    owner = api_as(Role.AE)
    record = owner.post(resource.path, json=resource.body(owner)).json()
    response = api_as(role).patch(f"{resource.path}/{record['id']}", json=resource.patch)
    if role in MANAGERS:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403, response.text
    after = owner.get(f"{resource.path}/{record['id']}").json()
    assert after["version"] == (record["version"] + 1 if role in MANAGERS else record["version"])


@pytest.mark.parametrize("role", list(Role))
def test_who_may_delete(deletable, api_as, role):
    resource = deletable
    owner = api_as(Role.AE)
    record = owner.post(resource.path, json=resource.body(owner)).json()
    response = api_as(role).delete(f"{resource.path}/{record['id']}")
    if role in resource.deleters:
        assert response.status_code == 204, response.text
        assert owner.get(f"{resource.path}/{record['id']}").status_code == 404
    else:
        assert response.status_code == 403, response.text
        assert owner.get(f"{resource.path}/{record['id']}").status_code == 200


def test_every_role_can_read_lists(resource, api_as):
    for role in Role:
        assert api_as(role).get(resource.path).status_code == 200
