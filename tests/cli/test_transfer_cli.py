"""`techwin import` and `techwin export` against a temporary SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.cli.conftest import Run
from tests.pipeline.imports.conftest import DATA


def _owner(run: Run) -> None:
    result = run(
        "users",
        "create",
        "--email",
        "owner@example.com",
        "--name",
        "Olive Owner",
        "--role",
        "ae",
        "--password",
        "long-enough-pw",
    )
    assert result.exit_code == 0, result.output


def test_import_dry_run_then_real_then_again(run: Run, upgraded: None) -> None:
    _owner(run)
    path = str(DATA / "salesforce_leads.csv")
    dry = run("import", "contacts", path, "--preset", "salesforce", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["created"] == 4
    real = run("import", "contacts", path, "--preset", "salesforce")
    assert real.exit_code == 0, real.output
    assert "4 contacts written" in real.stdout
    again = run("import", "contacts", path, "--preset", "salesforce", "--update", "--json")
    body = json.loads(again.stdout)
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 4)


def test_bad_file_lists_rows_and_ends_with_one_red_line(
    run: Run, upgraded: None, tmp_path: Path
) -> None:
    _owner(run)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        (DATA / "salesforce_leads.csv").read_text("utf-8").replace("maria@globex.example", "nope"),
        "utf-8",
    )
    result = run("import", "contacts", str(bad), "--preset", "salesforce")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert "line 2, Email" in result.stderr
    assert lines[-1].startswith("error: file: 1 bad row(s)")


def test_export_round_trip(run: Run, upgraded: None, tmp_path: Path) -> None:
    _owner(run)
    assert (
        run(
            "import", "contacts", str(DATA / "hubspot_contacts.csv"), "--preset", "hubspot"
        ).exit_code
        == 0
    )
    first = tmp_path / "first.csv"
    result = run("export", "contacts", str(first))
    assert result.exit_code == 0, result.output
    assert "Exported 3 contacts" in result.stdout
    again = run("import", "contacts", str(first), "--update", "--json")
    assert json.loads(again.stdout)["unchanged"] == 3
    second = tmp_path / "second.csv"
    run("export", "contacts", str(second))
    assert second.read_bytes() == first.read_bytes()


def test_missing_file_is_one_red_line(run: Run, upgraded: None) -> None:
    result = run("import", "contacts", "/nonexistent.csv")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: file: no such file")


def test_events_from_the_command_line(run: Run, upgraded: None, tmp_path) -> None:
    created = run(
        "users",
        "create",
        "--email",
        "ae@example.com",
        "--name",
        "A E",
        "--role",
        "ae",
        "--password",
        "long-enough-pw",
    )
    assert created.exit_code == 0, created.output
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("Email,Last Name\nada@example.com,Lovelace\n")
    assert run("import", "contacts", str(contacts)).exit_code == 0
    events = tmp_path / "events.csv"
    events.write_text(f"email,kind,occurred_at\nada@example.com,demo request,{_recent()}\n")
    result = run("import", "events", str(events), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 1
    refused = run("import", "events", str(events), "--update")
    assert refused.exit_code == 1
    assert (
        refused.stderr.strip().splitlines()[-1].startswith("error: entity: events are only added")
    )


def _recent() -> str:
    return (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
