"""Shape qualification, scoring and nurturing results for pages: the qualification panel, a
score's reasons by kind, the predictive model's charts, and tasks grouped by when they are due."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from techwin.core.time import as_utc, start_of_day, utcnow
from techwin.pipeline.enums import GateSubject
from techwin.qualification.assessments import AssessmentView, ElementView
from techwin.qualification.models import Framework, Rating
from techwin.qualification.rules import SCALE, VALIDATED
from techwin.scoring.models import LeadScore
from techwin.scoring.nurture import rules as nurture_rules
from techwin.scoring.nurture.models import NurtureTier, Task
from techwin.web.forms import FormState

DEFAULT_FRAMEWORK = {GateSubject.CONTACT: "bant", GateSubject.OPPORTUNITY: "meddpicc"}
SHORT_LEVELS = {0: "Unknown", 1: "Identified", 2: "Validated", 3: "Confirmed"}


@dataclass(frozen=True)
class RatingChange:
    """One rating as the history shows it: who moved which element from what to what."""

    at: datetime
    who: str | None
    role: str | None
    element: str
    before: int
    after: int
    evidence: str | None


def rating_changes(history: Sequence[Rating], names: dict[str, str]) -> list[RatingChange]:
    """Ratings (given newest first) with the score each replaced, newest first."""
    last: dict[str, int] = {}
    changes = []
    for rating in reversed(history):
        changes.append(
            RatingChange(
                at=as_utc(rating.rated_at),
                who=rating.rated_by.full_name if rating.rated_by else None,
                role=rating.rated_by_role,
                element=names.get(rating.element_key, rating.element_key),
                before=last.get(rating.element_key, 0),
                after=rating.score,
                evidence=rating.evidence,
            )
        )
        last[rating.element_key] = rating.score
    return list(reversed(changes))


@dataclass(frozen=True)
class ElementRow:
    """An element of the panel: where it stands, who rated it, and the rating form's values."""

    element: ElementView
    rated_by: str | None
    rated_at: datetime | None
    weak: bool
    form: FormState

    @property
    def is_link(self) -> bool:
        """The evidence is a web address (shown as a link)."""
        evidence = self.element.rating.evidence if self.element.rating else None
        return bool(evidence and evidence.startswith(("https://", "http://")))


@dataclass(frozen=True)
class QualificationPanel:
    """Everything the qualification panel of a lead or a deal shows."""

    subject: GateSubject
    subject_id: int
    framework: Framework
    frameworks: list[tuple[str, str]]
    rows: list[ElementRow]
    validated: int
    completeness: float
    weakest: list[tuple[str, str]]
    history: list[RatingChange]
    can_edit: bool
    base_url: str
    notice: str | None = None

    @property
    def total(self) -> int:
        """How many elements the framework has."""
        return len(self.rows)

    @property
    def levels(self) -> list[tuple[int, str, str]]:
        """The rating scale: score, short label for the control, full label."""
        return [(score, SHORT_LEVELS[score], label) for score, label in SCALE.items()]

    @property
    def rate_url(self) -> str:
        """Where a rating of this framework is posted."""
        return f"{self.base_url}/qualification/{self.framework.key}"

    @property
    def panel_url(self) -> str:
        """Where HTMX fetches the panel for another framework."""
        return f"{self.base_url}/qualification"


def qualification_panel(
    view: AssessmentView,
    history: Sequence[Rating],
    frameworks: Iterable[Framework],
    *,
    base_url: str,
    can_edit: bool,
    posted: FormState | None = None,
) -> QualificationPanel:
    """The panel for one framework; ``posted`` is a refused rating, shown on its element."""
    latest: dict[str, Rating] = {}
    for rating in history:  # newest first: the first seen is the current one, rater loaded
        latest.setdefault(rating.element_key, rating)
    weak = set(view.weakest)
    rows = []
    for element in view.elements:
        current = latest.get(element.key)
        if posted is not None and posted.value("element") == element.key:
            form = posted
        else:
            form = FormState.blank(
                element=element.key,
                score=element.score,
                evidence=element.rating.evidence if element.rating else "",
            )
        rows.append(
            ElementRow(
                element=element,
                rated_by=current.rated_by.full_name if current and current.rated_by else None,
                rated_at=as_utc(current.rated_at) if current else None,
                weak=element.key in weak,
                form=form,
            )
        )
    names = {e.key: e.name for e in view.elements}
    notice = None
    if posted is not None and posted.value("element") not in names:
        notice = posted.message or next(iter(posted.errors.values()), None)
    return QualificationPanel(
        subject=view.subject,
        subject_id=view.subject_id,
        framework=view.framework,
        frameworks=[(f.key, f.name) for f in frameworks],
        rows=rows,
        validated=sum(e.score >= VALIDATED for e in view.elements),
        completeness=view.completeness,
        weakest=[
            (names[key], question)
            for key, question in zip(view.weakest, view.next_questions, strict=True)
        ],
        history=rating_changes(history, names),
        can_edit=can_edit,
        base_url=base_url,
        notice=notice,
    )


@dataclass(frozen=True)
class ScoreCard:
    """A rule-based score split into fit and engagement, with the reasons that add up to it."""

    total: float
    fit: float
    engagement: float
    fit_reasons: list[dict[str, Any]]
    engagement_reasons: list[dict[str, Any]]
    computed_at: datetime
    threshold: float | None
    tier: NurtureTier | None

    @property
    def scale(self) -> float:
        """The top of the bar: the threshold with room above it, or the score if higher."""
        return max(100.0, (self.threshold or 0) * 1.25, self.total, self.fit + self.engagement)

    def width(self, points: float) -> float:
        """A share of the bar, in percent (never negative)."""
        return max(0.0, min(100.0, 100 * points / self.scale))


def score_card(
    score: LeadScore | None, *, threshold: float | None, tiers: Sequence[NurtureTier]
) -> ScoreCard | None:
    """The score card of a contact, or None when it was never scored."""
    if score is None:
        return None
    reasons = sorted(score.reasons, key=lambda r: -abs(float(r["points"])))
    return ScoreCard(
        total=score.total,
        fit=score.fit,
        engagement=score.engagement,
        fit_reasons=[r for r in reasons if r["category"] == "fit"],
        engagement_reasons=[r for r in reasons if r["category"] == "engagement"],
        computed_at=as_utc(score.computed_at),
        threshold=threshold,
        tier=tier_of(score.total, tiers),
    )


def tier_of(total: float | None, tiers: Sequence[NurtureTier]) -> NurtureTier | None:
    """The nurture tier a score falls in (tiers from the highest minimum down)."""
    if total is None:
        return None
    key = nurture_rules.choose_tier(total, [(t.key, t.min_score) for t in tiers])
    return next((t for t in tiers if t.key == key), None)


def calibration_chart(report: dict[str, Any]) -> dict[str, Any]:
    """Chart.js data: observed rate against predicted probability per bin, and the diagonal."""
    points = [
        {"x": round(b["predicted"], 4), "y": round(b["observed"], 4), "n": b["count"]}
        for b in report.get("calibration", [])
    ]
    top = max([0.0, *(p["x"] for p in points), *(p["y"] for p in points)])
    edge = min(1.0, max(0.1, round(top * 1.1 + 0.05, 1)))
    return {
        "type": "scatter",
        "datasets": [
            {
                "label": "Model",
                "data": points,
                "showLine": True,
                "borderColor": "#4f46e5",
                "backgroundColor": "#4f46e5",
                "pointRadius": 4,
                "borderWidth": 2,
            },
            {
                "label": "Perfect calibration",
                "data": [{"x": 0, "y": 0}, {"x": edge, "y": edge}],
                "showLine": True,
                "borderColor": "#98a2b3",
                "borderDash": [6, 5],
                "borderWidth": 1.5,
                "pointRadius": 0,
            },
        ],
        "axes": {
            "x": {"title": "Predicted probability", "min": 0, "max": edge, "percent": True},
            "y": {"title": "Observed rate", "min": 0, "max": edge, "percent": True},
        },
        "legend": True,
    }


def lift_chart(report: dict[str, Any]) -> dict[str, Any]:
    """Chart.js data: lift per decile (best-scored first) against the line of no lift."""
    deciles = report.get("lift", [])
    labels = [f"D{d['decile']}" for d in deciles]
    return {
        "type": "bar",
        "labels": labels,
        "datasets": [
            {
                "type": "bar",
                "label": "Lift",
                "data": [round(d["lift"], 2) for d in deciles],
                "backgroundColor": ["#4f46e5" if d["lift"] >= 1 else "#c7d2fe" for d in deciles],
                "order": 2,
            },
            {
                "type": "line",
                "label": "No lift (base rate)",
                "data": [1] * len(deciles),
                "borderColor": "#f79009",
                "borderDash": [6, 5],
                "borderWidth": 1.5,
                "pointRadius": 0,
                "order": 1,
            },
        ],
        "axes": {
            "x": {"title": "Decile (1 = highest predicted)"},
            "y": {"title": "Lift (× base rate)", "min": 0},
        },
        "legend": True,
    }


TASK_KIND_LABELS = {
    "email": "Email",
    "case_study": "Case study",
    "webinar_invite": "Webinar invite",
    "call": "Call",
    "hot_lead": "Hot lead",
    "manual": "To do",
}


@dataclass
class TaskGroup:
    """Tasks due in one period, as the task list shows them."""

    key: str
    title: str
    tasks: list[Task] = field(default_factory=list)


def task_groups(tasks: Iterable[Task], *, now: datetime | None = None) -> list[TaskGroup]:
    """Open tasks split into overdue, due today, this week and later (empty groups dropped)."""
    now = now or utcnow()
    today = start_of_day(now.date())
    groups = [
        TaskGroup("overdue", "Overdue"),
        TaskGroup("today", "Due today"),
        TaskGroup("week", "Next 7 days"),
        TaskGroup("later", "Later"),
    ]
    for task in tasks:
        due = as_utc(task.due_at)
        if due < today:
            groups[0].tasks.append(task)
        elif due < today + timedelta(days=1):
            groups[1].tasks.append(task)
        elif due < today + timedelta(days=8):
            groups[2].tasks.append(task)
        else:
            groups[3].tasks.append(task)
    return [g for g in groups if g.tasks]


def days_overdue(due_at: datetime, *, now: datetime | None = None) -> int:
    """Whole days a task is past its due date (0 when it is not)."""
    now = now or utcnow()
    return max(0, (start_of_day(now.date()) - start_of_day(as_utc(due_at).date())).days)
