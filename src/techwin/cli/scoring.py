"""`techwin scoring …`: recompute rule-based scores, train and apply the predictive model."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from techwin.cli.context import open_engine, unit_of_work
from techwin.cli.output import print_json, print_note, print_success, print_table, progress_reporter
from techwin.pipeline.enums import LifecycleStage
from techwin.scoring import service as rule_scoring
from techwin.scoring.models import PredictiveModel
from techwin.scoring.predictive import service as predictive
from techwin.scoring.predictive.features import ALL_FEATURES

app = typer.Typer(
    help="Lead scores: recompute the rule-based score, train and apply the predictive model.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@app.command("recompute")
def recompute() -> None:
    """Re-score every contact with the current rules (after rules change), with a progress bar."""
    with open_engine() as engine, unit_of_work(engine) as session, progress_reporter() as report:
        count = rule_scoring.recompute_all(
            session, progress=lambda d, t: report("Scoring contacts", d, t)
        )
    print_success(f"Scored {count:,} contacts with the current rules.")


def model_summary(model: PredictiveModel) -> dict[str, Any]:
    """A model version and its held-out evaluation, as JSON."""
    return {
        "version": model.version,
        "active": model.is_active,
        "algorithm": model.algorithm,
        "target_stage": model.target_stage,
        "created_at": model.created_at.isoformat(),
        "n_train": model.n_train,
        "n_test": model.n_test,
        "settings": model.settings,
        "report": model.report,
    }


@app.command("train")
def train(
    target: Annotated[
        LifecycleStage, typer.Option(help="The stage a contact must reach to count as a success.")
    ] = LifecycleStage.SQL,
    outcome: Annotated[
        bool,
        typer.Option(
            "--outcome",
            help="Learn from the outcome column of an import (converted or not) instead of a "
            "stage; only contacts with a recorded outcome are used.",
        ),
    ] = False,
    horizon: Annotated[
        int,
        typer.Option(
            min=7, max=1095, help="Days after creation within which the stage must be reached."
        ),
    ] = 180,
    window: Annotated[
        int, typer.Option(min=1, max=365, help="Days of early engagement the model looks at.")
    ] = 14,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            help="A feature to leave out (repeatable), e.g. one that leaks the outcome. "
            f"Features: {', '.join(ALL_FEATURES)}, and custom fields of contacts and accounts "
            "as contact.<key> or account.<key>."
        ),
    ] = None,
    activate: Annotated[bool, typer.Option(help="Make the new model the active one.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation as JSON.")] = False,
) -> None:
    """Train a model version on this organisation's history; report its held-out evaluation."""
    options = predictive.TrainingOptions(
        target_stage=target,
        use_outcome=outcome,
        horizon_days=horizon,
        window_days=window,
        exclude=tuple(exclude or ()),
    )
    with open_engine() as engine, unit_of_work(engine) as session:
        model = predictive.train_model(session, actor=None, options=options, activate=activate)
        summary = model_summary(model)
    if as_json:
        print_json(summary)
        return
    report = summary["report"]
    print_success(
        f"Trained model v{summary['version']} ({summary['algorithm']}) "
        f"on {summary['n_train']:,} contacts."
    )
    print_table(
        "Held-out evaluation",
        ("Measure", "Value"),
        [
            ("ROC AUC", f"{report['auc']:.3f}"),
            ("Best single feature AUC", f"{report['best_single_feature_auc']:.3f}"),
            ("Brier score", f"{report['brier']:.4f}"),
            ("Base rate", f"{report['base_rate']:.1%}"),
            ("Top-decile lift", f"{report['lift'][0]['lift']:.2f}×"),
            ("Contacts held out", f"{summary['n_test']:,}"),
        ],
    )
    for warning in report["warnings"]:
        print_note(f"warning: {warning}")
    if summary["active"]:
        print_note(
            "This model is now active; run `techwin scoring predict` to score every contact."
        )


@app.command("predict")
def predict() -> None:
    """Score every contact with the active predictive model (streamed in batches)."""
    with open_engine() as engine, unit_of_work(engine) as session, progress_reporter() as report:
        count = predictive.predict_all(session, progress=lambda d, t: report("Predicting", d, t))
    print_success(f"Scored {count:,} contacts with the active model.")


@app.command("models")
def models(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the trained model versions with their held-out AUC."""
    with open_engine() as engine, unit_of_work(engine) as session:
        rows = [model_summary(m) for m in predictive.list_models(session)]
    if as_json:
        print_json(rows)
        return
    print_table(
        "Predictive models",
        ("Version", "Active", "Algorithm", "Target", "AUC", "Brier", "Trained"),
        [
            (
                r["version"],
                "yes" if r["active"] else "",
                r["algorithm"],
                r["target_stage"],
                f"{r['report']['auc']:.3f}",
                f"{r['report']['brier']:.4f}",
                r["created_at"][:16],
            )
            for r in rows
        ],
    )
