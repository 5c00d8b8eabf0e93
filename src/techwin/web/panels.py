"""What the panels of the lead and deal pages show, shared by the pages and the routes that
change them: qualification under one framework, the next lifecycle gate, the lead's score with
its reasons, the predictive likelihood, engagement events and nurturing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from techwin.pipeline import contacts
from techwin.pipeline.enums import LIFECYCLE_LABELS, GateSubject, LifecycleStage
from techwin.pipeline.models import Contact
from techwin.pipeline.rules import MAIN_LINE, CriterionVerdict, allowed_targets, stage_rank
from techwin.qualification import assessments, frameworks
from techwin.qualification.queries import rated_criteria
from techwin.scoring import queries as score_queries
from techwin.scoring import service as scoring
from techwin.scoring.enums import EVENT_LABELS
from techwin.scoring.nurture import configuration as nurture_setup
from techwin.scoring.nurture import service as nurture
from techwin.scoring.predictive import service as predictive
from techwin.web.forms import FormState
from techwin.web.scoring_presenters import (
    DEFAULT_FRAMEWORK,
    QualificationPanel,
    qualification_panel,
    score_card,
)

SUBJECT_PATHS = {GateSubject.CONTACT: "/leads", GateSubject.OPPORTUNITY: "/opportunities"}


def qualification(
    session: Session,
    *,
    subject: GateSubject,
    subject_id: int,
    framework: str | None,
    can_edit: bool,
    posted: FormState | None = None,
) -> QualificationPanel:
    """The qualification panel under ``framework`` (the subject's default when unknown)."""
    available = frameworks.list_frameworks(session)
    keys = [f.key for f in available]
    default = DEFAULT_FRAMEWORK[subject]
    key = framework if framework in keys else (default if default in keys or not keys else keys[0])
    view = assessments.view_assessment(
        session, subject=subject, subject_id=subject_id, framework_key=key
    )
    history = assessments.rating_history(
        session, subject=subject, subject_id=subject_id, framework_key=key
    )
    return qualification_panel(
        view,
        history,
        available,
        base_url=f"{SUBJECT_PATHS[subject]}/{subject_id}",
        can_edit=can_edit,
        posted=posted,
    )


@dataclass(frozen=True)
class NextGate:
    """The exit criteria between a lead and the next stage of the main line."""

    stage: LifecycleStage
    label: str
    verdicts: list[CriterionVerdict]
    rated: dict[str, str]

    @property
    def met(self) -> int:
        """How many of the criteria hold."""
        return sum(v.met for v in self.verdicts)


def next_gate(session: Session, lead: Contact) -> NextGate | None:
    """The gate of the lead's next forward move, or None when it has none to pass."""
    rank = stage_rank(lead.lifecycle_stage)
    if rank is None or rank + 1 >= len(MAIN_LINE):
        return None
    target = MAIN_LINE[rank + 1]
    if target not in allowed_targets(lead.lifecycle_stage):
        return None
    verdicts = contacts.lifecycle_gate(session, lead, target)
    if not verdicts:
        return None
    return NextGate(
        stage=target,
        label=LIFECYCLE_LABELS[target],
        verdicts=verdicts,
        rated=rated_criteria(session, subject=GateSubject.CONTACT),
    )


def lead_scoring(session: Session, lead: Contact) -> dict[str, object]:
    """The lead's score card, predictive likelihood, engagement events and nurture state."""
    settings = scoring.scoring_settings(session)
    tiers = [tier for tier, _sequence in nurture_setup.list_tiers(session)]
    model = score_queries.active_model_summary(session)
    sequences = nurture_setup.list_sequences(session)
    return {
        "score": score_card(
            scoring.score_of(session, lead.id), threshold=settings.mql_threshold, tiers=tiers
        ),
        "model": model,
        "likelihood": predictive.predictive_score_of(session, lead.id) if model else None,
        "events": scoring.list_events(session, lead.id, limit=50),
        "enrollments": nurture.enrollments_of(session, lead.id),
        "sequences": sequences,
        "step_counts": {s.id: len(s.steps) for s in sequences},
        "unsubscribed": nurture.is_unsubscribed(session, lead.id),
        "event_kinds": [(kind.value, label) for kind, label in EVENT_LABELS.items()],
    }
