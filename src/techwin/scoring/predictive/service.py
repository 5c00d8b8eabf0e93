"""Train, version, activate and apply the predictive lead score."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import numpy as np  # light; scikit-learn is imported only when a model is trained or used
from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session, undefer

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.auth.permissions import require_admin
from techwin.core.time import as_utc, utcnow
from techwin.db.bulk import insert_tuples
from techwin.errors import InvalidInput, InvalidState, NotFound
from techwin.pipeline import rules as pipeline_rules
from techwin.pipeline.enums import LifecycleStage
from techwin.pipeline.models import Contact, LifecycleTransition
from techwin.scoring.models import OUTCOME_TARGET, PredictiveModel, PredictiveScore
from techwin.scoring.predictive import features as feats

MIN_PER_CLASS = 50
MAX_TRAINING_ROWS = 200_000
SCORE_BATCH = 10_000


@dataclass(frozen=True)
class TrainingOptions:
    """What to learn and from which history.

    The label is whether a contact reached ``target_stage`` within ``horizon_days``; with
    ``use_outcome`` it is the outcome column of an import instead (converted or not), and only
    contacts with a recorded outcome are learnt from.
    """

    target_stage: LifecycleStage = LifecycleStage.SQL
    use_outcome: bool = False
    horizon_days: int = 180
    window_days: int = 14
    exclude: tuple[str, ...] = ()
    seed: int = 7
    max_rows: int = MAX_TRAINING_ROWS


def _reached_at(session: Session, target: LifecycleStage) -> dict[int, datetime]:
    """When each contact first reached ``target`` or any later main-line stage."""
    rank = pipeline_rules.stage_rank(target)
    if rank is None:
        raise InvalidInput(
            "the target must be a main-line stage (mql, sal, sql, opportunity, customer)",
            field="target_stage",
        )
    later = list(pipeline_rules.MAIN_LINE[rank:])
    rows = session.execute(
        select(LifecycleTransition.contact_id, func.min(LifecycleTransition.at))
        .where(LifecycleTransition.to_stage.in_(later))
        .group_by(LifecycleTransition.contact_id)
    )
    return {cid: as_utc(at) for cid, at in rows}


def _outcomes(session: Session, limit: int) -> dict[int, bool]:
    """Imported outcomes (converted or not) of the most recent contacts that have one."""
    outcome = Contact.custom["outcome"].as_boolean()
    rows = session.execute(
        select(Contact.id, outcome)
        .where(outcome.is_not(None))
        .order_by(Contact.created_at.desc(), Contact.id.desc())
        .limit(limit)
    )
    return {cid: bool(value) for cid, value in rows}


def training_set(
    session: Session,
    options: TrainingOptions,
    *,
    now: datetime | None = None,
    custom: Sequence[feats.CustomFeature] = (),
) -> tuple[list[int], list[dict[str, Any]], np.ndarray[Any, Any]]:
    """Contacts whose outcome is known, their features and labels."""
    now = now or utcnow()
    outcomes: dict[int, bool] = {}
    reached: dict[int, datetime] = {}
    if options.use_outcome:
        outcomes = _outcomes(session, options.max_rows)
        ids = sorted(outcomes)
    else:
        reached = _reached_at(session, options.target_stage)
        cutoff = now - timedelta(days=options.horizon_days)
        ids = list(
            session.scalars(
                select(Contact.id)
                .where(Contact.created_at <= cutoff)
                .order_by(Contact.created_at.desc(), Contact.id.desc())
                .limit(options.max_rows)
            )
        )
    rows: list[dict[str, Any]] = []
    labels: list[int] = []
    kept: list[int] = []
    for batch in feats.iter_batches(ids, SCORE_BATCH):
        events = feats.events_by_contact(session, batch)
        for facts in feats.iter_facts(session, batch, with_custom=bool(custom)):
            at = reached.get(facts.contact_id)
            if options.use_outcome:
                positive = outcomes[facts.contact_id]
            else:
                positive = at is not None and at <= facts.created_at + timedelta(
                    days=options.horizon_days
                )
            rows.append(
                feats.feature_row(
                    facts,
                    events.get(facts.contact_id, []),
                    window_days=options.window_days,
                    cutoff=at,
                    custom=custom,
                )
            )
            labels.append(int(positive))
            kept.append(facts.contact_id)
    return kept, rows, np.array(labels, dtype=int)


def _next_version(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(PredictiveModel.version), 0))) or 0) + 1


def train_model(
    session: Session,
    *,
    actor: User | None,
    options: TrainingOptions = TrainingOptions(),
    activate: bool = True,
    shuffle_labels: bool = False,
) -> PredictiveModel:
    """Train on the organisation's own history, evaluate on held-out contacts, store a new version.

    ``shuffle_labels`` exists for the sanity check that a model without signal scores near 0.5.
    """
    from techwin.scoring.predictive import training  # scikit-learn is slow to import: load on use

    require_admin(actor)
    available_custom = feats.custom_features(session)
    available = [*feats.ALL_FEATURES, *(c.name for c in available_custom)]
    unknown = [f for f in options.exclude if f not in available]
    if unknown:
        raise InvalidInput(
            f"unknown feature {unknown[0]!r}; features: {', '.join(available)}",
            field="exclude",
        )
    features = [f for f in available if f not in options.exclude]
    if not features:
        raise InvalidInput("every feature is excluded; keep at least one", field="exclude")
    custom = [c for c in available_custom if c.name in features]
    _ids, rows, y = training_set(session, options, custom=custom)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if positives < MIN_PER_CLASS or negatives < MIN_PER_CLASS:
        if options.use_outcome:
            message = (
                f"training on imported outcomes needs at least {MIN_PER_CLASS} contacts that "
                f"converted and {MIN_PER_CLASS} that did not; found {positives} and {negatives}"
            )
        else:
            message = (
                f"training needs at least {MIN_PER_CLASS} contacts that reached "
                f"{options.target_stage.value} within {options.horizon_days} days and "
                f"{MIN_PER_CLASS} that did not, among contacts created more than "
                f"{options.horizon_days} days ago; found {positives} and {negatives}"
            )
        raise InvalidState(message, field="target_stage")
    if shuffle_labels:
        y = np.random.default_rng(options.seed).permutation(y)
    x = training.to_matrix(rows, features)
    constant = [f for f in features if f not in training.varying(x, features)]
    if constant:
        features = [f for f in features if f not in constant]
        if not features:
            raise InvalidState("no feature varies across the training contacts", field="exclude")
        x = training.to_matrix(rows, features)
    numeric_custom = {c.name for c in custom if c.numeric}
    categorical = {
        f for f in features if f in feats.CATEGORICAL or (f.count(".") and f not in numeric_custom)
    }
    custom = [c for c in custom if c.name in features]
    result = training.train(x, y, features, categorical, seed=options.seed)
    ev = result.evaluation
    report = {
        "auc": ev.auc,
        "brier": ev.brier,
        "base_rate": ev.base_rate,
        "calibration": ev.calibration,
        "lift": ev.lift,
        "cv_auc": result.cv_auc,
        "single_feature_auc": result.single_feature_auc,
        "best_single_feature_auc": max(result.single_feature_auc.values()),
        "warnings": result.warnings,
        "features": features,
        "skipped_features": constant,
        "positives": positives,
        "negatives": negatives,
    }
    artifact = pickle.dumps(
        {
            "pipeline": result.pipeline,
            "features": features,
            "baseline": result.baseline,
            "window_days": options.window_days,
            "custom": [vars(c) for c in custom],
        }
    )
    model = PredictiveModel(
        version=_next_version(session),
        created_by_id=actor.id if actor else None,
        target_stage=OUTCOME_TARGET if options.use_outcome else options.target_stage.value,
        algorithm=result.algorithm,
        is_active=False,
        n_train=result.n_train,
        n_test=result.n_test,
        settings={
            "horizon_days": options.horizon_days,
            "window_days": options.window_days,
            "exclude": list(options.exclude),
            "seed": options.seed,
            "shuffled": shuffle_labels,
        },
        report=report,
        artifact=artifact,
    )
    session.add(model)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="scoring.train",
        entity_type="predictive_model",
        entity_id=model.id,
        summary=f"trained model v{model.version} ({result.algorithm}), held-out AUC {ev.auc:.3f}",
    )
    if activate:
        activate_model(session, actor=actor, model=model)
    return model


def list_models(session: Session) -> list[PredictiveModel]:
    """Model versions, newest first."""
    return list(session.scalars(select(PredictiveModel).order_by(PredictiveModel.version.desc())))


def get_model(session: Session, version: int) -> PredictiveModel:
    """A model version or NotFound."""
    model = session.scalar(select(PredictiveModel).where(PredictiveModel.version == version))
    if model is None:
        raise NotFound(f"model version {version} does not exist", field="version")
    return model


def active_model(session: Session) -> PredictiveModel:
    """The model that scores contacts now, or InvalidState when none is active."""
    model = session.scalar(
        select(PredictiveModel)
        .options(undefer(PredictiveModel.artifact))
        .where(PredictiveModel.is_active.is_(True))
    )
    if model is None:
        raise InvalidState(
            "no predictive model is active; train one first ('techwin scoring train')",
            field="model",
        )
    return model


def activate_model(
    session: Session, *, actor: User | None, model: PredictiveModel
) -> PredictiveModel:
    """Make ``model`` the one that scores contacts (admins)."""
    require_admin(actor)
    session.execute(
        update(PredictiveModel).where(PredictiveModel.id != model.id).values(is_active=False)
    )
    model.is_active = True
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="scoring.activate",
        entity_type="predictive_model",
        entity_id=model.id,
        summary=f"activated model v{model.version}",
    )
    return model


def _load(model: PredictiveModel) -> dict[str, Any]:
    loaded: dict[str, Any] = pickle.loads(model.artifact)  # noqa: S301 - our own artifact
    return loaded


def predict_contacts(
    session: Session,
    contact_ids: Sequence[int] | range,
    *,
    model: PredictiveModel | None = None,
    bundle: dict[str, Any] | None = None,
    replace: bool = True,
) -> int:
    """Score the given contacts with the active model and store probabilities with reasons.

    ``contact_ids`` may be a ``range``: every contact with an id in it (cheaper to query).
    ``replace=False`` skips removing their previous scores (the caller already did).
    """
    from techwin.scoring.predictive import training  # scikit-learn is slow to import: load on use

    model = model or active_model(session)
    bundle = bundle or _load(model)
    features: list[str] = bundle["features"]
    window = int(bundle["window_days"])
    custom = [feats.CustomFeature(**c) for c in bundle.get("custom", [])]
    labels = {c.name: c.label for c in custom}
    facts = feats.iter_facts(session, contact_ids, with_custom=bool(custom))
    if not facts:
        return 0
    events = feats.events_by_contact(session, contact_ids)
    rows = [
        feats.feature_row(f, events.get(f.contact_id, []), window_days=window, custom=custom)
        for f in facts
    ]
    x = training.to_matrix(rows, features)
    p, effects = training.explain(bundle["pipeline"], x, features, bundle["baseline"])
    now = utcnow()
    if replace:
        session.execute(
            delete(PredictiveScore).where(
                PredictiveScore.contact_id.between(contact_ids.start, contact_ids.stop - 1)
                if isinstance(contact_ids, range)
                else PredictiveScore.contact_id.in_([f.contact_id for f in facts])
            )
        )
    reasons = training.top_reasons(effects, features, x)
    texts: dict[tuple[str, Any], str] = {}  # the same few phrases recur across contacts

    def text(name: str, value: Any) -> str:
        key = (name, value)
        if key not in texts:
            texts[key] = feats.describe(name, value, window_days=window, labels=labels)
        return texts[key]

    insert_tuples(
        session,
        cast(Table, PredictiveScore.__table__),
        ("contact_id", "model_id", "model_version", "probability", "scored_at", "reasons"),
        [
            (
                fact.contact_id,
                model.id,
                model.version,
                float(p[i]),
                now,
                [
                    {"feature": name, "text": text(name, value), "effect": round(effect, 3)}
                    for name, value, effect in reasons[i]
                ],
            )
            for i, fact in enumerate(facts)
        ],
        label="predictive scores",
    )
    return len(facts)


def predict_all(
    session: Session,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = SCORE_BATCH,
) -> int:
    """Score every contact with the active model, one id range at a time (memory stays bounded).

    Every previous score goes first, in the same transaction: a failed run leaves them all.
    """
    model = active_model(session)
    bundle = _load(model)
    session.execute(delete(PredictiveScore))
    total = int(session.scalar(select(func.count(Contact.id))) or 0)
    done = 0
    last_id = 0
    while True:
        upper = session.scalar(
            select(Contact.id)
            .where(Contact.id > last_id)
            .order_by(Contact.id)
            .offset(batch_size - 1)
            .limit(1)
        ) or session.scalar(select(func.max(Contact.id)).where(Contact.id > last_id))
        if upper is None:
            break
        done += predict_contacts(session, range(last_id + 1, upper + 1), model=model, bundle=bundle)
        last_id = upper
        session.expunge_all()
        if progress is not None:
            progress(done, total)
    return done


def predictive_score_of(session: Session, contact_id: int) -> PredictiveScore | None:
    """A contact's stored predictive score, if any."""
    return session.get(PredictiveScore, contact_id)
