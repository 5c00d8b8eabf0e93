"""What the services compute on top of the generated history: every contact's score, today's
nurture run and, on request, the predictive model — through the services themselves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from techwin.db.bulk import Progress
from techwin.errors import InvalidState
from techwin.scoring.models import PredictiveModel
from techwin.scoring.nurture.models import Task
from techwin.scoring.nurture.schemas import RunReport
from techwin.scoring.nurture.service import run_nurture
from techwin.scoring.predictive.service import predict_all, train_model
from techwin.scoring.service import score_contacts

SCORE_BATCH = 2000


def score_everyone(
    session: Session,
    contact_ids: Sequence[int],
    *,
    now: datetime,
    progress: Progress | None = None,
) -> int:
    """Score the contacts as of ``now`` in batches, without MQL automation (history stays put)."""
    label, total = "Scoring leads", len(contact_ids)
    if progress is not None:
        progress(label, 0, total)
    for start in range(0, total, SCORE_BATCH):
        score_contacts(session, contact_ids[start : start + SCORE_BATCH], now=now, automate=False)
        if progress is not None:
            progress(label, min(total, start + SCORE_BATCH), total)
    return total


def nurture_today(
    session: Session, *, now: datetime, progress: Progress | None = None
) -> RunReport:
    """Run the daily nurture job once as of ``now``; the tasks it creates are dated ``now`` too."""
    label = "Nurturing leads"
    if progress is not None:
        progress(label, 0, 1)
    before = int(session.scalar(select(func.coalesce(func.max(Task.id), 0))) or 0)
    report = run_nurture(session, actor=None, now=now)
    # The service stamps a task's creation with the wall clock; the demo's "now" is ``now``.
    session.execute(update(Task).where(Task.id > before).values(created_at=now))
    if progress is not None:
        progress(label, 1, 1)
    return report


@dataclass(frozen=True)
class ModelOutcome:
    """What training the predictive model on the demo gave."""

    auc: float | None  # held-out ROC AUC; None when there was too little history to train
    version: int | None
    scored: int
    note: str | None = None  # why no model was trained


def train_and_predict(session: Session, *, progress: Progress | None = None) -> ModelOutcome:
    """Train and activate a predictive model, then score every contact with it.

    The training window is the service's: contacts created at least 180 days before the wall
    clock's now. A demo too small to learn from (the small scale) gets no model and says why.
    """
    label = "Training the predictive model"
    if progress is not None:
        progress(label, 0, 1)
    try:
        model: PredictiveModel = train_model(session, actor=None)  # refuses before writing
    except InvalidState as error:
        return ModelOutcome(auc=None, version=None, scored=0, note=error.message)
    auc, version = float(model.report["auc"]), model.version
    if progress is not None:
        progress(label, 1, 1)
    scored = predict_all(
        session,
        progress=None if progress is None else lambda d, t: progress("Predicting", d, t),
    )
    return ModelOutcome(auc=auc, version=version, scored=scored)
