"""`techwin scoring …` against a temporary SQLite file."""

from __future__ import annotations

import json

from tests.cli.conftest import Run


def test_recompute_scores_the_demo(run: Run, upgraded: None) -> None:
    assert run("demo", "--scale", "small").exit_code == 0
    result = run("scoring", "recompute")
    assert result.exit_code == 0, result.output
    assert "Scored" in result.stdout
    assert "contacts with the current rules" in result.stdout


def test_train_with_too_little_history_is_one_red_line(run: Run, upgraded: None) -> None:
    result = run("scoring", "train", "--target", "customer")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: target_stage: training needs at least 50 contacts")


def test_predict_without_a_model_is_refused(run: Run, upgraded: None) -> None:
    result = run("scoring", "predict")
    assert result.exit_code == 1
    assert "no predictive model is active" in result.stderr


def test_unknown_feature_is_refused(run: Run, upgraded: None) -> None:
    result = run("scoring", "train", "--exclude", "shoe_size")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: exclude: unknown feature 'shoe_size'")


def test_models_lists_nothing_yet(run: Run, upgraded: None) -> None:
    result = run("scoring", "models", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_quiet_token_prints_only_the_secret(run: Run, upgraded: None) -> None:
    assert (
        run(
            "users",
            "create",
            "--email",
            "q@example.com",
            "--name",
            "Q",
            "--role",
            "ae",
            "--password",
            "long-enough-pw",
        ).exit_code
        == 0
    )
    result = run("tokens", "create", "--email", "q@example.com", "--quiet")
    assert result.exit_code == 0
    assert result.stdout.startswith("tw_")
    assert result.stdout.count("\n") == 1
