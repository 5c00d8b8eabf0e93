"""`techwin gaps export`: CSV to a file or standard output, filtered by status; bad options are
one red line and exit 1."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from techwin.cli.main import app
from techwin.config import Environment, Settings, get_settings
from techwin.db.engine import build_engine
from techwin.feedback import gaps
from techwin.feedback.schemas import GapStatusIn
from tests import factories


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite file at head, with two gaps: one linked to a lost deal, one planned."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TECHWIN_DATABASE_URL", url)
    get_settings.cache_clear()
    assert CliRunner().invoke(app, ["db", "upgrade"]).exit_code == 0
    engine = build_engine(Settings(env=Environment.DEV, database_url=url))
    with Session(engine) as session, session.begin():
        lost = factories.opportunity(session, name="Lost deal", acv="80000")
        factories.lose(session, actor=None, deal=lost)
        open_deal = factories.opportunity(session, name="Open deal", acv="30000")
        factories.gap(session, title="=HYPERLINK(sso)", deal_ids=[lost.id], lost_because=True)
        planned = factories.gap(session, title="Scheduled PDF exports", deal_ids=[open_deal.id])
        gaps.change_status(session, actor=None, gap=planned, data=GapStatusIn(status="planned"))
    engine.dispose()
    yield url
    get_settings.cache_clear()


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_to_stdout_in_ranking_order(database):
    result = CliRunner().invoke(app, ["gaps", "export"])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert [r["title"] for r in rows] == ["'=HYPERLINK(sso)", "Scheduled PDF exports"]
    first = rows[0]
    assert first["rank"] == "1"
    assert Decimal(first["lost_acv"]) == Decimal("80000")
    assert Decimal(first["impact"]) == Decimal("80000")
    assert first["lost_deals"] == "1"
    assert first["currency"] == "USD"


def test_export_filtered_by_status_to_a_file(database, tmp_path):
    target = tmp_path / "planned.csv"
    result = CliRunner().invoke(app, ["gaps", "export", str(target), "--status", "planned"])
    assert result.exit_code == 0, result.output
    assert "Exported 1 gaps" in result.stdout
    rows = _rows(target.read_text(encoding="utf-8"))
    assert [(r["title"], r["status"]) for r in rows] == [("Scheduled PDF exports", "planned")]


def test_an_unknown_status_is_one_red_line_and_exit_1(database, tmp_path):
    target = tmp_path / "never.csv"
    result = CliRunner().invoke(app, ["gaps", "export", str(target), "--status", "someday"])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: status:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not target.exists()


def test_an_unknown_currency_is_refused(database):
    result = CliRunner().invoke(app, ["gaps", "export", "--currency", "XYZ"])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: currency: unknown currency")


def test_an_unwritable_file_is_refused(database, tmp_path):
    result = CliRunner().invoke(app, ["gaps", "export", str(tmp_path / "missing" / "x.csv")])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: file: cannot write")
