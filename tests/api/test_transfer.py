"""Imports, exports and custom fields through the API."""

from __future__ import annotations

import csv
import io

import pytest

from techwin.auth.enums import Role
from tests import factories
from tests.pipeline.imports.conftest import DATA


@pytest.fixture
def admin(api_as, session):
    factories.user(
        session, role=Role.AE, email="owner@example.com", full_name="Olive Owner", password=None
    )
    session.commit()
    return api_as(Role.ADMIN)


def upload(client, entity, name, content, **form):
    return client.post(
        f"/api/v1/imports/{entity}", files={"file": (name, content, "text/csv")}, data=form
    )


def test_import_report_then_custom_filter_then_export(admin):
    content = (DATA / "salesforce_leads.csv").read_bytes()
    dry = upload(admin, "contacts", "leads.csv", content, preset="salesforce", dry_run="true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["created"] == 4
    assert admin.get("/api/v1/contacts").json()["total"] == 0
    real = upload(admin, "contacts", "leads.csv", content, preset="salesforce")
    assert real.json()["created"] == 4
    assert real.json()["custom_fields"] == {"annual_revenue": "number", "rating": "text"}
    rich = admin.get("/api/v1/contacts", params={"custom": "annual_revenue:gte:1000000"}).json()
    assert sorted(c["last_name"] for c in rich["items"]) == ["Lopez", "Silva"]
    hot = admin.get("/api/v1/contacts", params={"custom": "rating:Hot"}).json()
    assert hot["total"] == 2
    assert hot["items"][0]["custom"]["rating"] == "Hot"
    bad = admin.get("/api/v1/contacts", params={"custom": "shoe_size:gte:3"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "custom"
    exported = admin.get("/api/v1/exports/contacts")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][-2:] == ["annual_revenue", "rating"]
    assert len(rows) == 5


def test_rejected_file_is_422_with_every_bad_row(admin):
    content = (
        (DATA / "salesforce_leads.csv")
        .read_text("utf-8")
        .replace("lee@globex.example", "lee@")
        .encode()
    )
    response = upload(admin, "contacts", "bad.csv", content, preset="salesforce")
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "file"
    assert body["report"]["error_count"] == 1
    assert body["report"]["errors"][0]["line"] == 4
    assert admin.get("/api/v1/contacts").json()["total"] == 0


def test_binary_upload_and_bad_mapping_are_clear_errors(admin):
    binary = upload(admin, "contacts", "x.csv", b"\x00\x01\x02garbage")
    assert binary.status_code == 422
    assert "binary" in binary.json()["detail"]
    mapping = upload(
        admin,
        "contacts",
        "l.csv",
        (DATA / "salesforce_leads.csv").read_bytes(),
        preset="salesforce",
        mapping="columns: [",
    )
    assert mapping.status_code == 422
    assert mapping.json()["field"] == "mapping"


def test_only_admins_and_managers_import(api_as):
    response = upload(
        api_as(Role.AE),
        "contacts",
        "l.csv",
        (DATA / "hubspot_contacts.csv").read_bytes(),
        preset="hubspot",
    )
    assert response.status_code == 403


def test_retype_and_rename_custom_fields(admin, api_as):
    upload(
        admin, "contacts", "hs.csv", (DATA / "hubspot_contacts.csv").read_bytes(), preset="hubspot"
    )
    fields = admin.get("/api/v1/custom-fields", params={"entity": "contact"}).json()
    views = next(f for f in fields if f["key"] == "number_of_pageviews")
    assert views["field_type"] == "number"
    assert (
        api_as(Role.MANAGER)
        .patch(f"/api/v1/custom-fields/{views['id']}", json={"label": "Views"})
        .status_code
        == 403
    )
    renamed = admin.patch(
        f"/api/v1/custom-fields/{views['id']}", json={"label": "Page views", "field_type": "text"}
    )
    assert renamed.status_code == 200
    assert renamed.json()["field_type"] == "text"
    back = admin.patch(f"/api/v1/custom-fields/{views['id']}", json={"field_type": "boolean"})
    assert back.status_code == 422
    assert back.json()["field"] == "field_type"
