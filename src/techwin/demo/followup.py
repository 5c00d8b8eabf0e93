"""What the services compute on top of the generated history: today's nurture run and, on
request, the predictive model — through the services themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from techwin.db.bulk import Progress
from techwin.errors import InvalidState
from techwin.pipeline.models import Contact
from techwin.scoring.models import LeadScore, PredictiveModel
from techwin.scoring.nurture.configuration import list_tiers
from techwin.scoring.nurture.enums import TierAction
from techwin.scoring.nurture.models import Task
from techwin.scoring.nurture.schemas import RunReport
from techwin.scoring.nurture.service import NURTURED_STAGES, run_nurture
from techwin.scoring.predictive.service import predict_all, train_model


class NurtureRun:
    """Today's nurture run (the nurture service's own), made in passes as leads are written.

    A pass acts only on leads no pass has handled (a hot lead with an open call task or a lead
    already enrolled is left alone) and leads written later do not exist yet, so the passes
    together leave exactly the tasks and enrollments of one run over everybody: what changes is
    only how many leads the service holds at a time. The tasks are dated ``now``, like the run.
    """

    label = "Nurturing leads"

    def __init__(
        self, session: Session, *, now: datetime, progress: Progress | None = None
    ) -> None:
        self.session = session
        self.now = now
        self.progress = progress
        self.before = int(session.scalar(select(func.coalesce(func.max(Task.id), 0))) or 0)
        self.passes = 0
        self.tiered: dict[str, int] = {}
        self.owner_tasks = self.enrolled = self.step_tasks = self.completed = 0

    def run(self, done: int, total: int) -> None:
        """One pass, over the ``done`` leads of ``total`` written so far."""
        if self.progress is not None and not self.passes:
            self.progress(self.label, 0, total)
        self.passes += 1
        scores = self._hot_scores()  # held for the run: it looks each of them up
        report = run_nurture(self.session, actor=None, now=self.now)
        del scores
        self.tiered = report.tiered  # every lead written so far, tiered afresh
        self.owner_tasks += report.owner_tasks
        self.enrolled += report.enrolled
        self.step_tasks += report.step_tasks
        self.completed += report.completed
        if self.progress is not None:
            self.progress(self.label, done, total)

    def _hot_scores(self) -> list[LeadScore]:
        """The scores of the leads the run will give a call task, loaded in one query.

        The run looks up each such lead's score; found in the session, a lookup costs neither
        a query nor the flush the session makes before one (thousands of them at scale).
        """
        minimums = [
            tier.min_score
            for tier, _ in list_tiers(self.session)
            if tier.action is TierAction.OWNER_TASK
        ]
        if not minimums:
            return []
        return list(
            self.session.scalars(
                select(LeadScore)
                .join(Contact, Contact.id == LeadScore.contact_id)
                .where(
                    LeadScore.total >= min(minimums),
                    Contact.lifecycle_stage.in_(NURTURED_STAGES),
                )
            )
        )

    def finish(self) -> RunReport:
        """Date the tasks ``now`` and report the passes as one run."""
        # The service stamps a task's creation with the wall clock; the demo's "now" is ``now``.
        self.session.execute(update(Task).where(Task.id > self.before).values(created_at=self.now))
        return RunReport(
            tiered=self.tiered,
            owner_tasks=self.owner_tasks,
            enrolled=self.enrolled,
            step_tasks=self.step_tasks,
            completed=self.completed,
        )


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
