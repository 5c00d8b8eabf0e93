"""The predictive lead score: train versions, read their held-out evaluation, activate one, score
every contact, and read a contact's likelihood with its reasons."""

from __future__ import annotations

from fastapi import APIRouter, status

from techwin.auth.permissions import require_admin
from techwin.core.types import RecordId
from techwin.deps import ApiUser, SessionDep
from techwin.errors import NotFound
from techwin.pipeline import contacts
from techwin.scoring.predictive import service as predictive
from techwin.scoring.schemas import LikelihoodOut, ModelOut, PredictReport, TrainIn

router = APIRouter(tags=["predictive scoring"])


@router.get("/scoring/models", response_model=list[ModelOut])
def list_models(session: SessionDep, user: ApiUser) -> list[ModelOut]:
    """Every model version, newest first, with its evaluation."""
    return [ModelOut.model_validate(m) for m in predictive.list_models(session)]


@router.post("/scoring/models", response_model=ModelOut, status_code=status.HTTP_201_CREATED)
def train(body: TrainIn, session: SessionDep, user: ApiUser) -> ModelOut:
    """Train a new version on the organisation's history (admins); 409 when the history has too
    few examples of either class, saying how many are needed."""
    options = predictive.TrainingOptions(
        target_stage=body.target_stage,
        use_outcome=body.use_outcome,
        horizon_days=body.horizon_days,
        window_days=body.window_days,
        exclude=tuple(body.exclude),
    )
    model = predictive.train_model(session, actor=user, options=options, activate=body.activate)
    return ModelOut.model_validate(model)


@router.get("/scoring/models/{version}", response_model=ModelOut)
def get_model(version: RecordId, session: SessionDep, user: ApiUser) -> ModelOut:
    """One version and its held-out evaluation."""
    return ModelOut.model_validate(predictive.get_model(session, version))


@router.post("/scoring/models/{version}/activate", response_model=ModelOut)
def activate(version: RecordId, session: SessionDep, user: ApiUser) -> ModelOut:
    """Make a version the one that scores contacts (admins)."""
    model = predictive.get_model(session, version)
    return ModelOut.model_validate(predictive.activate_model(session, actor=user, model=model))


@router.post("/scoring/predict", response_model=PredictReport)
def predict_all(session: SessionDep, user: ApiUser) -> PredictReport:
    """Score every contact with the active model (admins)."""
    require_admin(user)
    model = predictive.active_model(session)
    return PredictReport(scored=predictive.predict_all(session), model_version=model.version)


@router.get("/contacts/{contact_id}/likelihood", response_model=LikelihoodOut)
def likelihood(contact_id: RecordId, session: SessionDep, user: ApiUser) -> LikelihoodOut:
    """The contact's predicted likelihood and the features pushing it up and down."""
    contacts.get_contact(session, contact_id)
    score = predictive.predictive_score_of(session, contact_id)
    if score is None:
        raise NotFound(
            "this contact has no predictive score yet; score contacts with the active model",
            field="contact_id",
        )
    return LikelihoodOut.model_validate(score)
