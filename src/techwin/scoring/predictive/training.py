"""Model fitting and honest evaluation on arrays: no database in here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

ALGORITHMS = ("logistic_regression", "gradient_boosting")
SUSPICIOUS_AUC = 0.95


def to_matrix(rows: Sequence[dict[str, Any]], features: Sequence[str]) -> np.ndarray[Any, Any]:
    """Feature dicts as an object matrix in ``features`` order."""
    matrix = np.empty((len(rows), len(features)), dtype=object)
    for i, row in enumerate(rows):
        for j, name in enumerate(features):
            matrix[i, j] = row[name]
    return matrix


def varying(x: np.ndarray[Any, Any], features: Sequence[str]) -> list[str]:
    """The features that take at least two distinct known values (the others teach nothing)."""
    keep = []
    for j, name in enumerate(features):
        values = {v for v in x[:, j] if not (isinstance(v, float) and math.isnan(v))}
        if len(values) >= 2:
            keep.append(name)
    return keep


def _as_float(x: Any) -> Any:
    return np.asarray(x, dtype=float)


def build_pipeline(
    algorithm: str, features: Sequence[str], categorical: set[str], *, seed: int
) -> Pipeline:
    """One transformer per feature (rare categories pooled), then the classifier.

    Keeping each feature's output columns apart lets :func:`explain` swap one feature at a time
    without transforming the data again.
    """
    parts: list[tuple[str, Any, list[int]]] = []
    for j, name in enumerate(features):
        if name in categorical:
            step: Any = OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                min_frequency=20,
                max_categories=25,
                sparse_output=False,
            )
        elif algorithm == "logistic_regression":
            step = Pipeline(
                [
                    ("float", FunctionTransformer(_as_float)),
                    (
                        "impute",
                        SimpleImputer(
                            strategy="median", add_indicator=True, keep_empty_features=True
                        ),
                    ),
                    ("scale", StandardScaler()),
                ]
            )
        else:
            step = FunctionTransformer(_as_float)  # gradient boosting handles missing values itself
        parts.append((name, step, [j]))
    if algorithm == "logistic_regression":
        model: Any = LogisticRegression(max_iter=2000, C=0.5)
    elif algorithm == "gradient_boosting":
        model = HistGradientBoostingClassifier(
            max_iter=200,
            learning_rate=0.08,
            max_leaf_nodes=31,
            l2_regularization=1.0,
            early_stopping=True,
            random_state=seed,
        )
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    return Pipeline([("columns", ColumnTransformer(parts)), ("model", model)])


@dataclass
class Evaluation:
    """Held-out performance of a model."""

    auc: float
    brier: float
    base_rate: float
    calibration: list[dict[str, float]]
    lift: list[dict[str, float]]


def evaluate(
    y_true: np.ndarray[Any, Any], p: np.ndarray[Any, Any], *, bins: int = 10
) -> Evaluation:
    """ROC AUC, Brier score, a calibration curve (equal-count bins) and lift by decile."""
    order = np.argsort(-p, kind="stable")
    base = float(y_true.mean())
    lift = []
    for decile, chunk in enumerate(np.array_split(order, 10), start=1):
        rate = float(y_true[chunk].mean()) if len(chunk) else 0.0
        lift.append(
            {
                "decile": decile,
                "count": len(chunk),
                "rate": rate,
                "lift": rate / base if base else 0.0,
            }
        )
    calibration = []
    for chunk in np.array_split(np.argsort(p, kind="stable"), bins):
        if len(chunk):
            calibration.append(
                {
                    "predicted": float(p[chunk].mean()),
                    "observed": float(y_true[chunk].mean()),
                    "count": len(chunk),
                }
            )
    return Evaluation(
        auc=float(roc_auc_score(y_true, p)),
        brier=float(brier_score_loss(y_true, p)),
        base_rate=base,
        calibration=calibration,
        lift=lift,
    )


def single_feature_aucs(
    x_train: np.ndarray[Any, Any],
    y_train: np.ndarray[Any, Any],
    x_test: np.ndarray[Any, Any],
    y_test: np.ndarray[Any, Any],
    features: Sequence[str],
    categorical: set[str],
) -> dict[str, float]:
    """How well each feature alone ranks held-out contacts (0.5 = not at all, 1.0 = perfectly)."""
    prior = float(y_train.mean())
    out: dict[str, float] = {}
    for j, name in enumerate(features):
        if name in categorical:
            sums: dict[Any, list[float]] = {}
            for value, label in zip(x_train[:, j], y_train, strict=True):
                acc = sums.setdefault(value, [0.0, 0.0])
                acc[0] += float(label)
                acc[1] += 1.0
            rates = {v: (s + 10 * prior) / (n + 10) for v, (s, n) in sums.items()}
            scores = np.array([rates.get(v, prior) for v in x_test[:, j]], dtype=float)
        else:
            scores = np.array(x_test[:, j], dtype=float)
            scores = np.where(
                np.isnan(scores), np.nanmedian(scores) if np.isfinite(scores).any() else 0.0, scores
            )
        if len(set(y_test.tolist())) < 2 or np.all(scores == scores[0]):
            out[name] = 0.5
            continue
        auc = float(roc_auc_score(y_test, scores))
        out[name] = max(auc, 1.0 - auc)
    return out


@dataclass
class TrainingResult:
    """A fitted pipeline with everything the report shows."""

    pipeline: Pipeline
    algorithm: str
    cv_auc: dict[str, float]
    evaluation: Evaluation
    single_feature_auc: dict[str, float]
    baseline: dict[str, Any]
    n_train: int
    n_test: int
    warnings: list[str] = field(default_factory=list)


def baseline_values(
    x: np.ndarray[Any, Any], features: Sequence[str], categorical: set[str]
) -> dict[str, Any]:
    """A typical value per feature (most common category, median number) used to explain scores."""
    out: dict[str, Any] = {}
    for j, name in enumerate(features):
        column = x[:, j]
        if name in categorical:
            values, counts = np.unique(column.astype(str), return_counts=True)
            out[name] = str(values[int(np.argmax(counts))])
        else:
            numbers = np.array(column, dtype=float)
            out[name] = float(np.nanmedian(numbers)) if np.isfinite(numbers).any() else 0.0
    return out


def train(
    x: np.ndarray[Any, Any],
    y: np.ndarray[Any, Any],
    features: Sequence[str],
    categorical: set[str],
    *,
    seed: int = 7,
    test_size: float = 0.25,
    algorithms: Sequence[str] = ALGORITHMS,
) -> TrainingResult:
    """Pick the algorithm by cross-validated AUC on the training split, then evaluate it once
    on held-out data."""
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, stratify=y, random_state=seed
    )
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    cv = {}
    for algorithm in algorithms:
        scores = cross_val_score(
            build_pipeline(algorithm, features, categorical, seed=seed),
            x_train,
            y_train,
            cv=folds,
            scoring="roc_auc",
        )
        cv[algorithm] = float(np.mean(scores))
    best = max(cv, key=lambda a: cv[a])
    pipeline = build_pipeline(best, features, categorical, seed=seed).fit(x_train, y_train)
    p = pipeline.predict_proba(x_test)[:, 1]
    evaluation = evaluate(y_test, p)
    singles = single_feature_aucs(x_train, y_train, x_test, y_test, features, categorical)
    warnings = [
        f"'{name}' alone ranks contacts almost perfectly (AUC {auc:.2f}); check that it is "
        "not set only after the outcome, and exclude it if so"
        for name, auc in sorted(singles.items(), key=lambda kv: -kv[1])
        if auc >= SUSPICIOUS_AUC
    ]
    return TrainingResult(
        pipeline=pipeline,
        algorithm=best,
        cv_auc=cv,
        evaluation=evaluation,
        single_feature_auc=singles,
        baseline=baseline_values(x_train, features, categorical),
        n_train=len(y_train),
        n_test=len(y_test),
        warnings=warnings,
    )


def _logit(p: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(clipped / (1 - clipped)))


def explain(
    pipeline: Pipeline, x: np.ndarray[Any, Any], features: Sequence[str], baseline: dict[str, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Probabilities and, per feature, how much the contact's own value moves the log-odds
    compared with a typical value (positive pushes the score up).

    The data is transformed once. For logistic regression the effect is exact and linear
    (coefficients × the change in the feature's columns); otherwise each feature's columns are
    set to the typical value's and the model is asked again.
    """
    columns: ColumnTransformer = pipeline.named_steps["columns"]
    model = pipeline.named_steps["model"]
    if any(name not in columns.output_indices_ for name in features):
        return _explain_by_swapping_inputs(pipeline, x, features, baseline)
    xt = np.asarray(columns.transform(x), dtype=float)
    typical_row = np.empty((1, len(features)), dtype=object)
    for j, name in enumerate(features):
        typical_row[0, j] = baseline[name]
    typical = np.asarray(columns.transform(typical_row), dtype=float)[0]
    p = model.predict_proba(xt)[:, 1]
    effects = np.zeros((len(x), len(features)))
    linear = isinstance(model, LogisticRegression)
    base_logit = None if linear else _logit(p)
    for j, name in enumerate(features):
        cols = columns.output_indices_[name]
        if cols.stop == cols.start:
            continue
        if linear:
            effects[:, j] = (xt[:, cols] - typical[cols]) @ model.coef_[0][cols]
        else:
            swapped = xt.copy()
            swapped[:, cols] = typical[cols]
            assert base_logit is not None
            effects[:, j] = base_logit - _logit(model.predict_proba(swapped)[:, 1])
    return p, effects


def _explain_by_swapping_inputs(
    pipeline: Pipeline, x: np.ndarray[Any, Any], features: Sequence[str], baseline: dict[str, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The slow, general way (models whose columns are not kept per feature): swap each input."""
    p = pipeline.predict_proba(x)[:, 1]
    base_logit = _logit(p)
    effects = np.zeros((len(x), len(features)))
    for j, name in enumerate(features):
        typical = x.copy()
        typical[:, j] = baseline[name]
        effects[:, j] = base_logit - _logit(pipeline.predict_proba(typical)[:, 1])
    return p, effects


def top_reasons(
    effects: np.ndarray[Any, Any],
    features: Sequence[str],
    x: np.ndarray[Any, Any],
    *,
    limit: int = 3,
    floor: float = 0.05,
) -> list[list[tuple[str, Any, float]]]:
    """For each contact (row), its strongest pushes up then down: (feature, value, effect).

    Effects smaller than ``floor`` are left out, and so is a missing value with no effect.
    """
    order = np.argsort(-effects, axis=1, kind="stable")
    k = min(limit, effects.shape[1])
    out: list[list[tuple[str, Any, float]]] = []
    for i in range(len(effects)):
        row = effects[i]
        picked: list[tuple[str, Any, float]] = []
        for j in order[i, :k]:
            if row[j] < floor:
                break
            picked.append((features[j], x[i, j], float(row[j])))
        for j in order[i, ::-1][:k]:
            if row[j] > -floor:
                break
            picked.append((features[j], x[i, j], float(row[j])))
        out.append(picked)
    return out
