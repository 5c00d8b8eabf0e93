"""CLI tests run `techwin …` in-process against a temporary SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from techwin.cli.main import app
from techwin.config import get_settings

Run = Callable[..., Result]


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SQLite file that every command of the test uses."""
    path = tmp_path / "cli.db"
    monkeypatch.setenv("TECHWIN_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


@pytest.fixture
def run(database_file: Path) -> Run:
    """Invoke ``techwin …`` in-process; stdout and stderr are kept apart."""
    runner = CliRunner()

    def _run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return _run


@pytest.fixture
def upgraded(run: Run) -> None:
    """The schema at head, playbook seeded."""
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
