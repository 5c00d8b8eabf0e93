"""An unexpected error answers the product's JSON error (or the error page) with a request id."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient


def _break(app: Any) -> None:
    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/_boom", boom, methods=["GET"])
    app.add_api_route("/_boom", boom, methods=["GET"])


def test_a_bug_in_the_api_answers_internal_error_json_with_its_request_id(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _break(app)
    with TestClient(app, raise_server_exceptions=False) as client:
        with caplog.at_level(logging.ERROR, logger="techwin.errors"):
            response = client.get("/api/v1/_boom")
        assert response.status_code == 500
        body = response.json()
        assert body["error"] == "InternalError"
        assert body["request_id"] == response.headers["x-request-id"]
        assert body["request_id"] in body["detail"]
        assert any(body["request_id"] in r.getMessage() for r in caplog.records)
        # The same client goes on working.
        assert client.get("/healthz").status_code == 200


def test_a_bug_behind_a_page_shows_the_error_page(app: Any) -> None:
    _break(app)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/_boom", headers={"accept": "text/html"})
    assert response.status_code == 500
    assert "something went wrong on our side" in response.text.lower()
    assert response.headers["x-request-id"] in response.text


def test_every_answer_carries_a_request_id_and_keeps_a_sane_one_from_the_client(
    client: TestClient,
) -> None:
    mine = client.get("/healthz", headers={"x-request-id": "trace-1234567"})
    assert mine.headers["x-request-id"] == "trace-1234567"
    odd = client.get("/healthz", headers={"x-request-id": "<script>"})
    assert odd.headers["x-request-id"] != "<script>"
    assert len(odd.headers["x-request-id"]) == 16
