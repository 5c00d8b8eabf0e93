"""The predictive lead score: train a version on the organisation's own history, read its honest
evaluation (AUC, Brier, calibration, lift by decile, leakage warnings), activate a version, and
score every contact with it."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from techwin.deps import SessionDep, WebUser
from techwin.pipeline.enums import LIFECYCLE_LABELS, LifecycleStage
from techwin.pipeline.rules import MAIN_LINE
from techwin.scoring.models import OUTCOME_TARGET, PredictiveModel
from techwin.scoring.predictive import features as feats
from techwin.scoring.predictive import service as predictive
from techwin.scoring.predictive.service import TrainingOptions
from techwin.web.forms import Filters, FormState, attempt
from techwin.web.rendering import redirect, render
from techwin.web.scoring_presenters import calibration_chart, lift_chart
from techwin.web.security import FormDep

router = APIRouter()

TARGETS = [(s.value, LIFECYCLE_LABELS[s]) for s in MAIN_LINE[1:]] + [
    (OUTCOME_TARGET, "Converted (the outcome column of an import)")
]
FEATURE_LABELS = {
    "seniority": "Seniority",
    "source": "Lead source",
    "department": "Department",
    "industry": "Industry",
    "region": "Region",
    "email_kind": "Email kind (business or personal)",
    "title_word": "Job title keyword",
    "log_employees": "Company size",
    "total_events": "All early interactions",
}
LABELS = {"target_stage": "Target stage", "horizon_days": "Horizon", "exclude": "Excluded"}
HORIZON = (30, 730)


def feature_label(name: str, custom: dict[str, str] | None = None) -> str:
    """A feature as people read it (``custom`` labels the custom-field features)."""
    if custom and name in custom:
        return custom[name]
    if name.startswith("events_"):
        return name.removeprefix("events_").replace("_", " ").capitalize() + " (early)"
    return FEATURE_LABELS.get(name, name.replace("_", " "))


def _chosen(models: list[PredictiveModel], version: int | None) -> PredictiveModel | None:
    if version is not None:
        found = next((m for m in models if m.version == version), None)
        if found is not None:
            return found
    return next((m for m in models if m.is_active), models[0] if models else None)


def _context(
    session: Session, *, version: int | None = None, train: FormState | None = None
) -> dict[str, object]:
    models = predictive.list_models(session)
    chosen = _chosen(models, version)
    report = chosen.report if chosen else {}
    singles = sorted((report.get("single_feature_auc") or {}).items(), key=lambda kv: -float(kv[1]))
    custom = {
        c.name: f"{c.entity.capitalize()} · {c.label}" for c in feats.custom_features(session)
    }
    names = [*feats.ALL_FEATURES, *custom]
    return {
        "models": models,
        "chosen": chosen,
        "report": report,
        "singles": singles,
        "calibration": calibration_chart(report) if chosen else None,
        "lift": lift_chart(report) if chosen else None,
        "train": train or FormState.blank(target_stage="sql", horizon_days=180, exclude=[]),
        "targets": TARGETS,
        "features": [(name, feature_label(name, custom)) for name in names],
        "feature_label": partial(feature_label, custom=custom),
        "labels": LABELS,
    }


@router.get("/admin/predictive")
def predictive_page(request: Request, session: SessionDep) -> Response:
    """Versions with their evaluation; the chosen (or active) one in detail."""
    version = Filters(request.query_params).integer("version")
    return render(request, "admin/predictive.html", _context(session, version=version))


@router.post("/admin/predictive/train")
def train(request: Request, session: SessionDep, user: WebUser, form: FormDep) -> Response:
    """Train and evaluate a new version (it becomes the active one); refusals stay on the form."""
    state = FormState.from_form(form, lists=("exclude",))
    target = state.value("target_stage")
    if target not in dict(TARGETS):
        state.errors["target_stage"] = (
            "choose a stage from Marketing qualified to Customer, or the imported outcome"
        )
    try:
        horizon = int(state.value("horizon_days") or 180)
    except ValueError:
        state.errors["horizon_days"] = "the horizon is a whole number of days"
        horizon = 180
    if not HORIZON[0] <= horizon <= HORIZON[1]:
        state.errors["horizon_days"] = f"the horizon is {HORIZON[0]} to {HORIZON[1]} days"

    def run() -> PredictiveModel:
        options = TrainingOptions(
            target_stage=LifecycleStage.SQL if target == OUTCOME_TARGET else LifecycleStage(target),
            use_outcome=target == OUTCOME_TARGET,
            horizon_days=horizon,
            exclude=tuple(state.chosen("exclude")),
        )
        return predictive.train_model(session, actor=user, options=options)

    model = attempt(session, state, run)
    if model is None:
        context = _context(session, train=state)
        return render(request, "admin/predictive.html", context, status_code=state.status)
    auc = model.report["auc"]
    return redirect(
        f"/admin/predictive?version={model.version}",
        flash=f"Model v{model.version} trained and active: held-out AUC {auc:.2f}.",
    )


@router.post("/admin/predictive/{version:id}/activate")
def activate(version: int, session: SessionDep, user: WebUser) -> Response:
    """Make a version the one that scores contacts."""
    model = predictive.get_model(session, version)
    predictive.activate_model(session, actor=user, model=model)
    return redirect(
        f"/admin/predictive?version={version}",
        flash=f"Model v{version} is active. Score all contacts to refresh their likelihoods.",
    )


@router.post("/admin/predictive/score")
def score_all(session: SessionDep) -> Response:
    """Score every contact with the active model."""
    count = predictive.predict_all(session)
    return redirect("/admin/predictive", flash=f"Scored {count:,} contacts with the active model.")
