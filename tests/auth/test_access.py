"""Tokens, settings, probes, audit visibility and the one-request-one-transaction rule."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from techwin.app import create_app
from techwin.auth import service
from techwin.auth.enums import Role
from techwin.auth.models import ApiToken
from techwin.auth.security import hash_secret
from techwin.config import Environment, Settings
from techwin.errors import NotAuthenticated
from techwin.pipeline.models import Opportunity
from tests import factories


def test_token_is_shown_once_and_stored_hashed(api_as, session):
    ae = api_as(Role.AE)
    created = ae.post("/api/v1/me/tokens", json={"name": "laptop"})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("tw_")
    stored = session.scalar(select(ApiToken).where(ApiToken.id == created.json()["id"]))
    assert stored.token_hash == hash_secret(secret)
    assert secret not in str(ae.get("/api/v1/me/tokens").json())


def test_revoked_token_stops_working_at_once(app, api_as):
    ae = api_as(Role.AE)
    secret = ae.post("/api/v1/me/tokens", json={"name": "ci"}).json()
    other = TestClient(app, headers={"Authorization": f"Bearer {secret['token']}"})
    assert other.get("/api/v1/me").status_code == 200
    assert ae.delete(f"/api/v1/me/tokens/{secret['id']}").status_code == 200
    response = other.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"] == "NotAuthenticated"


def test_someone_elses_token_cannot_be_revoked(api_as):
    owner = api_as(Role.AE)
    token = owner.post("/api/v1/me/tokens", json={"name": "x"}).json()
    response = api_as(Role.AE).delete(f"/api/v1/me/tokens/{token['id']}")
    assert response.status_code == 403


def test_inactive_users_token_is_refused(api_as, session):
    ae = api_as(Role.AE)
    ae.user.is_active = False
    session.commit()
    assert ae.get("/api/v1/me").status_code == 401


def test_wrong_password_and_unknown_email_read_the_same(session):
    user = factories.user(session, role=Role.SE)
    with pytest.raises(NotAuthenticated) as wrong:
        service.authenticate(session, email=user.email, password="nope-nope")
    with pytest.raises(NotAuthenticated) as unknown:
        service.authenticate(session, email="ghost@example.com", password="nope-nope")
    assert str(wrong.value) == str(unknown.value)
    assert (
        service.authenticate(session, email=user.email.upper(), password=factories.PASSWORD).id
        == user.id
    )


def test_only_admins_create_users(api_as):
    body = {"email": "new@example.com", "full_name": "New Person", "role": "se"}
    assert api_as(Role.MANAGER).post("/api/v1/users", json=body).status_code == 403
    created = api_as(Role.ADMIN).post("/api/v1/users", json=body)
    assert created.status_code == 201
    duplicate = api_as(Role.ADMIN).post("/api/v1/users", json=body)
    assert duplicate.status_code == 409
    assert duplicate.json()["field"] == "email"


def test_whole_audit_log_is_for_admins_but_a_records_timeline_is_for_all(api_as):
    ae = api_as(Role.AE)
    account = ae.post("/api/v1/accounts", json={"name": "Audited"}).json()
    assert ae.get("/api/v1/audit").status_code == 403
    timeline = ae.get(
        "/api/v1/audit", params={"entity_type": "account", "entity_id": account["id"]}
    )
    assert timeline.status_code == 200
    assert timeline.json()[0]["action"] == "account.create"
    assert api_as(Role.ADMIN).get("/api/v1/audit").status_code == 200


def test_a_failed_request_leaves_nothing_half_written(api_as, session):
    ae = api_as(Role.AE)
    account = ae.post("/api/v1/accounts", json={"name": "Half"}).json()
    # The deal row is flushed before the unknown contact is found; the request must roll it back.
    response = ae.post(
        "/api/v1/opportunities",
        json={"name": "Half deal", "account_id": account["id"], "contact_ids": [424242]},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "contact_ids"
    session.expire_all()
    assert session.scalar(select(Opportunity).where(Opportunity.name == "Half deal")) is None


def test_placeholder_secret_is_refused_outside_dev():
    with pytest.raises(ValidationError, match="TECHWIN_SECRET_KEY"):
        Settings(env=Environment.PROD, secret_key="change-me")
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(env=Environment.PROD, secret_key="short")
    Settings(env=Environment.DEV)  # the placeholder is fine on a laptop
    Settings(env=Environment.PROD, secret_key="x" * 40)


def test_health_and_readiness(client):
    assert client.get("/healthz").text == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["ready"] is True


def test_readiness_fails_on_an_unmigrated_database(tmp_path):
    settings = Settings(
        env=Environment.TEST, secret_key="k" * 40, database_url=f"sqlite:///{tmp_path / 'empty.db'}"
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["revision"] is None
