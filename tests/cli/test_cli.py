"""The operator's command line against a temporary SQLite file (TECHWIN_DATABASE_URL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import Result

from techwin.auth import service as auth_service
from techwin.cli import serve as serve_module
from techwin.config import Settings
from techwin.db.engine import build_engine
from techwin.models import Contact, Team, User
from tests.cli.conftest import Run


def _query(database_file: Path, fn: Callable[[Session], Any]) -> Any:
    engine = build_engine(Settings(database_url=f"sqlite:///{database_file}"))
    try:
        with Session(engine) as session:
            return fn(session)
    finally:
        engine.dispose()


def _count(database_file: Path, model: Any) -> int:
    return int(_query(database_file, lambda s: s.scalar(select(func.count()).select_from(model))))


def _one_error_line(result: Result, field: str) -> str:
    """The failure is one red line naming ``field`` on stderr, exit code 1, no traceback."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {field}: "), lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def test_db_upgrade_prints_the_revision_and_can_run_again(run: Run, database_file: Path):
    first = run("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert "revision" in first.stdout
    assert "(head)" in first.stdout
    again = run("db", "upgrade")
    assert again.exit_code == 0
    status = run("db", "status")
    assert "up to date" in status.stdout


def test_commands_refuse_a_database_that_is_not_migrated(run: Run, monkeypatch):
    line = _one_error_line(run("users", "list"), "database")
    assert "techwin db upgrade" in line
    started: list[Any] = []
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda *a, **k: started.append((a, k)))
    line = _one_error_line(run("serve"), "database")
    assert "techwin db upgrade" in line
    assert started == []


def test_serve_runs_the_app_factory_once_migrated(run: Run, upgraded, monkeypatch):
    started: list[Any] = []
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda *a, **k: started.append((a, k)))
    result = run("serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "2")  # noqa: S104
    assert result.exit_code == 0, result.output
    assert started == [
        (
            ("techwin.app:create_app",),
            {"factory": True, "host": "0.0.0.0", "port": 9000, "workers": 2},  # noqa: S104
        )
    ]
    _one_error_line(run("serve", "--port", "70000"), "port")


def test_demo_generates_prints_logins_and_refuses_to_run_twice(run: Run, database_file: Path):
    result = run("demo", "--scale", "small", "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert "director@demo.techwin.dev" in result.stdout
    assert "techwin-demo" in result.stdout
    assert "Open http://127.0.0.1:8000 and sign in" in result.stdout
    assert "Two in a box:" in result.stdout
    assert "SE requests" in result.stdout
    assert _count(database_file, Contact) == 500
    assert _count(database_file, User) == 20

    logins = run("demo", "--logins")
    assert logins.exit_code == 0, logins.output
    assert "admin@demo.techwin.dev" in logins.stdout
    assert "Open http://127.0.0.1:8000 and sign in" in logins.stdout
    assert _count(database_file, Contact) == 500  # printing logins generates nothing

    line = _one_error_line(run("demo", "--scale", "small"), "database")
    assert "--reset" in line
    assert _count(database_file, Contact) == 500

    reset = run("demo", "--scale", "small", "--seed", "7", "--reset")
    assert reset.exit_code == 0, reset.output
    assert _count(database_file, Contact) == 500
    assert _count(database_file, User) == 20


def test_demo_logins_needs_a_demo_database(run: Run, upgraded):
    line = _one_error_line(run("demo", "--logins"), "database")
    assert "techwin demo" in line


def test_demo_rejects_a_bad_scale_or_date(run: Run):
    _one_error_line(run("demo", "--scale", "huge"), "scale")
    _one_error_line(run("demo", "--scale", "small", "--today", "tomorrow"), "today")


def test_users_create_and_list(run: Run, upgraded, database_file: Path):
    boss = run(
        "users", "create", "--email", "Boss@Example.com", "--name", "Ana Boss",
        "--role", "manager", "--password", "correct horse", "--team", "Enterprise",
    )  # fmt: skip
    assert boss.exit_code == 0, boss.output
    assert "boss@example.com" in boss.stdout
    assert "Created the team 'Enterprise'" in boss.stdout
    se = run(
        "users", "create", "--email", "se@example.com", "--name", "Sam Engineer",
        "--role", "se", "--team", "Enterprise", "--manager-email", "boss@example.com",
        "--level", "senior", "--title", "Senior SE",
    )  # fmt: skip
    assert se.exit_code == 1  # no password given and no terminal input
    prompted = run(
        "users", "create", "--email", "se@example.com", "--name", "Sam Engineer",
        "--role", "se", "--team", "Enterprise", "--manager-email", "boss@example.com",
        "--level", "senior", "--title", "Senior SE",
        input="prompted-pass\nprompted-pass\n",
    )  # fmt: skip
    assert prompted.exit_code == 0, prompted.output
    assert "prompted-pass" not in prompted.stdout
    assert _count(database_file, Team) == 1

    listed = run("users", "list", "--json")
    assert listed.exit_code == 0, listed.output
    people = json.loads(listed.stdout)
    assert [p["email"] for p in people] == ["boss@example.com", "se@example.com"]
    engineer = people[1]
    assert engineer["role"] == "se"
    assert engineer["se_level"] == "senior"
    assert engineer["team"] == "Enterprise"
    assert engineer["manager_email"] == "boss@example.com"
    only_se = json.loads(run("users", "list", "--role", "se", "--json").stdout)
    assert [p["email"] for p in only_se] == ["se@example.com"]
    table = run("users", "list")
    assert table.exit_code == 0
    assert "se@example.com" in table.stdout
    assert "2 people" in table.stdout

    signed_in = _query(
        database_file,
        lambda s: auth_service.authenticate(s, email="se@example.com", password="prompted-pass"),
    )
    assert signed_in.email == "se@example.com"


def test_users_create_errors_name_the_field(run: Run, upgraded, database_file: Path):
    base = ["users", "create", "--name", "Pat Doe", "--password", "long enough"]
    line = _one_error_line(run(*base, "--email", "pat@example.com", "--role", "wizard"), "role")
    assert "wizard" in line
    assert run(*base, "--email", "pat@example.com", "--role", "ae").exit_code == 0
    line = _one_error_line(run(*base, "--email", "PAT@example.com", "--role", "ae"), "email")
    assert "already exists" in line
    _one_error_line(run(*base, "--email", "not-an-email", "--role", "ae"), "email")
    _one_error_line(
        run("users", "create", "--name", "X", "--role", "ae", "--email", "x@example.com",
            "--password", "short"),
        "password",
    )  # fmt: skip
    _one_error_line(
        run(*base, "--email", "q@example.com", "--role", "ae", "--manager-email", "no@one.io"),
        "manager_email",
    )
    _one_error_line(run("users", "create", "--role", "ae"), "email")
    assert _count(database_file, User) == 1


def test_tokens_create_prints_the_secret_once(run: Run, upgraded, database_file: Path):
    created = run(
        "users", "create", "--email", "ae@example.com", "--name", "Avery Exec",
        "--role", "ae", "--password", "long enough",
    )  # fmt: skip
    assert created.exit_code == 0
    result = run("tokens", "create", "--email", "ae@example.com", "--name", "crm-sync")
    assert result.exit_code == 0, result.output
    assert "shown only once" in result.stdout
    secret = next(line for line in result.stdout.splitlines() if line.startswith("tw_"))
    owner = _query(database_file, lambda s: auth_service.user_for_api_token(s, secret))
    assert owner is not None
    assert owner.email == "ae@example.com"
    listed = json.loads(run("tokens", "list", "--email", "ae@example.com", "--json").stdout)
    assert [t["name"] for t in listed] == ["crm-sync"]
    assert secret not in json.dumps(listed)
    _one_error_line(run("tokens", "create", "--email", "nobody@example.com"), "email")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), ("serve", "demo", "db", "users", "tokens", "TECHWIN_DATABASE_URL")),
        (("serve",), ("--host", "--port", "--workers", "techwin db upgrade")),
        (("db",), ("upgrade", "status")),
        (("demo",), ("--scale", "--seed", "--reset", "--logins", "small", "medium")),
        (("users", "create"), ("--email", "--name", "--role", "--password", "--manager-email")),
        (("users", "list"), ("--role", "--json")),
        (("tokens", "create"), ("--email", "--name", "printed once")),
    ],
)
def test_help_is_complete(run: Run, args: tuple[str, ...], expected: tuple[str, ...]):
    result = run(*args, "--help")
    assert result.exit_code == 0, result.output
    for text in expected:
        assert text in result.stdout, text
