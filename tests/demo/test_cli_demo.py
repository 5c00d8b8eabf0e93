"""`techwin demo --with-model`: documented, off by default, and explains itself when it cannot."""

from __future__ import annotations

from typer.testing import CliRunner

from techwin.cli.main import app
from techwin.demo import generate
from tests.demo.conftest import TODAY


def test_help_documents_the_model_flag():
    result = CliRunner().invoke(app, ["demo", "--help"])
    assert result.exit_code == 0
    assert "--with-model" in result.stdout
    assert "predictive" in result.stdout


def test_a_demo_too_small_to_learn_from_says_so_and_keeps_its_data(session):
    summary = generate(session, scale="small", seed=42, today=TODAY, with_model=True)
    assert summary.model_auc is None
    assert summary.model_note is not None
    assert "training needs at least" in summary.model_note
    assert "predictive_score" not in summary.rows
    assert summary.rows["lead_score"] == 500
