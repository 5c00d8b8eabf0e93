"""`techwin requests list` against a temporary SQLite file: filters, JSON, one red error line."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from techwin.auth.enums import Role
from techwin.cli import output
from techwin.collaboration import requests
from techwin.config import Settings
from techwin.core.time import utcnow
from techwin.db.engine import build_engine
from tests import factories
from tests.cli.conftest import Run


@pytest.fixture
def seeded(upgraded, database_file) -> dict[str, int]:
    """Two deals: a blocked custom demo and a standard demo assigned to Priya."""
    engine = build_engine(Settings(database_url=f"sqlite:///{database_file}"))
    try:
        with Session(engine) as session, session.begin():
            manager = factories.user(session, role=Role.MANAGER, password=None)
            ae = factories.user(session, role=Role.AE, full_name="Alex Morgan", password=None)
            se = factories.user(
                session, role=Role.SE, email="priya@example.com", full_name="Priya", password=None
            )
            first = factories.opportunity(session, actor=ae, name="Initech platform")
            second = factories.opportunity(session, actor=ae, name="Globex analytics")
            blocked = factories.se_request(session, actor=ae, deal=first)
            demo = factories.se_request(
                session,
                actor=ae,
                deal=second,
                kind="standard_demo",
                needed_by=utcnow().date() + timedelta(days=3),
            )
            requests.assign_request(session, actor=manager, request=demo, se_id=se.id, version=None)
            return {"blocked": blocked.id, "demo": demo.id, "deal": first.id}
    finally:
        engine.dispose()


def test_requests_list_shows_a_table(run: Run, seeded, monkeypatch):
    monkeypatch.setattr(output.console, "width", 160)
    result = run("requests", "list")
    assert result.exit_code == 0, result.output
    assert "SE requests" in result.stdout
    assert "Initech platform" in result.stdout
    assert "Standard demo" in result.stdout
    assert "priya@example.com" in result.stdout


def test_requests_list_filters_and_prints_json(run: Run, seeded):
    by_status = json.loads(run("requests", "list", "--status", "blocked", "--json").stdout)
    assert [r["id"] for r in by_status] == [seeded["blocked"]]
    assert by_status[0]["unmet"][0]["key"] == "budget_confirmed"
    both = json.loads(
        run("requests", "list", "--status", "blocked", "--status", "assigned", "--json").stdout
    )
    assert {r["id"] for r in both} == {seeded["blocked"], seeded["demo"]}
    by_se = json.loads(run("requests", "list", "--se", "priya@example.com", "--json").stdout)
    assert [r["id"] for r in by_se] == [seeded["demo"]]
    by_deal = json.loads(run("requests", "list", "--deal", str(seeded["deal"]), "--json").stdout)
    assert [r["id"] for r in by_deal] == [seeded["blocked"]]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--se", "nobody@example.com"), "se"),
        (("--deal", "99999"), "deal"),
        (("--status", "lunch"), "status"),
        (("--limit", "0"), "limit"),
    ],
)
def test_bad_filters_are_one_red_line(run: Run, seeded, args, field):
    result = run("requests", "list", *args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {field}: "), lines[0]
    assert "Traceback" not in result.output
