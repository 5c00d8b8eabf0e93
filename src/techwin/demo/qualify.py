"""Qualification as sellers fill it in: BANT on accepted leads, MEDDPICC on deals.

Ratings are derived from a record's finished history, so they always agree with it: an owner
qualifies a lead while it sits in SAL (fully when it moves on to SQL, partly when it goes
elsewhere or is still waiting), a gap found later is written down as a downgrade, and a deal's
AE and SEs rate MEDDPICC stage by stage. Whatever qualification gates the database holds (the
shipped ones or an admin's) are then met before every forward move that crosses them: the
required elements get a rating of at least the minimum, by a person in an allowed role, before
the move. Ratings of one assessment get ids in time order, as the service would have given them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from techwin.demo.notes import CONFIRMED_NOTES, REASON_ELEMENTS, REVISED_NOTES, VALIDATED_NOTES
from techwin.demo.records import Recorder, Row, StageInfo
from techwin.pipeline import rules
from techwin.pipeline.enums import GateSubject
from techwin.pipeline.enums import LifecycleStage as S

CONTACT_FRAMEWORK = "bant"
QUALIFYING_DAYS = timedelta(days=45)
# A contact that never reached these was never qualified by sales (and crossed no gate but one
# on ``lead``).
QUALIFIED_STAGES = frozenset({S.SAL, S.SQL, S.OPPORTUNITY, S.CUSTOMER, S.CHURNED})
DEAL_FRAMEWORK = "meddpicc"

# Deal stage key → what gets rated there: (element, score, who rates it, how often).
DEAL_STORIES: dict[str, tuple[tuple[str, int, str, float], ...]] = {
    "discovery": (
        ("identify_pain", 1, "ae", 0.8),
        ("metrics", 1, "ae", 0.5),
        ("competition", 1, "ae", 0.5),
        ("champion", 1, "ae", 0.5),
        ("economic_buyer", 1, "ae", 0.3),
    ),
    "technical_validation": (
        ("identify_pain", 2, "se", 0.9),
        ("decision_criteria", 1, "se", 0.6),
        ("metrics", 1, "se", 0.3),
    ),
    "proof_of_concept": (
        ("decision_criteria", 2, "se", 0.9),
        ("metrics", 2, "se", 0.6),
        ("champion", 2, "ae", 0.5),
        ("competition", 2, "ae", 0.3),
    ),
    "proposal": (
        ("economic_buyer", 2, "ae", 0.8),
        ("decision_process", 2, "ae", 0.7),
        ("champion", 2, "ae", 0.3),
    ),
    "negotiation": (
        ("paper_process", 2, "ae", 0.8),
        ("decision_process", 2, "ae", 0.3),
    ),
}
# How much of a stage's story happens when the deal is still there, or was lost there.
OPEN_SHARE, LOST_SHARE = 0.8, 0.5
# Lost reasons that reveal a gap, and the element they reveal it in.
LOST_GAPS: tuple[tuple[str, str], ...] = (
    ("budget", "economic_buyer"),
    ("price", "economic_buyer"),
    ("poc", "decision_criteria"),
    ("frozen", "economic_buyer"),
)


@dataclass(frozen=True)
class FrameworkInfo:
    """The current version of a framework, as the demo rates it."""

    id: int
    key: str
    name: str
    elements: tuple[str, ...]


@dataclass(frozen=True)
class GateSpec:
    """A ``qualification`` exit criterion: what must be rated, how high and by whom."""

    framework: str
    elements: tuple[str, ...] | None  # None: every element of the framework
    min_score: int
    roles: frozenset[str] | None


@dataclass(frozen=True)
class Rater:
    """Who rates, with the role the rating records."""

    id: int
    role: str


@dataclass
class _Pending:
    at: datetime
    element: str
    score: int
    evidence: str | None
    rater: Rater


@dataclass
class _Ledger:
    """The ratings one record collects, per framework key, before they are written."""

    ratings: dict[str, list[_Pending]] = field(default_factory=dict)

    def latest(
        self, key: str, element: str, *, before: datetime, roles: frozenset[str] | None = None
    ) -> int:
        """The element's newest score before ``before`` (by raters in ``roles`` when given)."""
        best: _Pending | None = None
        for rating in self.ratings.get(key, ()):
            if rating.element != element or rating.at >= before:
                continue
            if roles is not None and rating.rater.role not in roles:
                continue
            if best is None or rating.at >= best.at:
                best = rating
        return best.score if best else 0

    def last_at(self, key: str, element: str, *, before: datetime) -> datetime | None:
        """When the element was last rated before ``before``, by anyone."""
        times = [r.at for r in self.ratings.get(key, ()) if r.element == element and r.at < before]
        return max(times) if times else None


@dataclass(frozen=True)
class _Span:
    """A stay in one stage: when it began and ended, where it went next and why."""

    start: datetime
    end: datetime
    stage: S
    next_stage: S | None
    reason: str | None


@dataclass(frozen=True)
class _DealSpan:
    start: datetime
    end: datetime
    stage: StageInfo
    next_stage: StageInfo | None


def element_in(reason: str | None, elements: Sequence[str]) -> str | None:
    """The element a move's reason points at (``budget`` for "No budget this year"), if any."""
    text = (reason or "").lower()
    for word, element in REASON_ELEMENTS:
        if word in text and element in elements:
            return element
    return None


class Qualifier:
    """Writes assessments and ratings that agree with each record's history and the gates."""

    def __init__(
        self,
        rng: random.Random,
        recorder: Recorder,
        *,
        frameworks: dict[str, FrameworkInfo],
        contact_gates: dict[S, list[GateSpec]],
        deal_gates: dict[int, list[GateSpec]],
        roles: dict[int, str],
        managers: dict[int, int],
        horizon: datetime,
    ) -> None:
        self.rng = rng
        self.rec = recorder
        self.out = recorder.out
        self.frameworks = frameworks
        self.contact_gates = contact_gates
        self.deal_gates = deal_gates
        self.roles = roles
        self.managers = managers
        self.horizon = horizon
        self._raters: dict[int, Rater] = {}

    # -- shared means ---------------------------------------------------------------------------

    def _rater(self, user_id: int) -> Rater:
        rater = self._raters.get(user_id)
        if rater is None:
            rater = self._raters[user_id] = Rater(user_id, self.roles[user_id])
        return rater

    def _moment(
        self, start: datetime, end: datetime, low: float = 0.1, high: float = 0.95
    ) -> datetime:
        """A moment strictly inside ``start``–``end`` (at ``start`` when there is no room)."""
        span = (end - start).total_seconds()
        if span < 2:
            return start
        seconds = int(span * self.rng.uniform(low, high))
        return start + timedelta(seconds=min(max(1, seconds), int(span) - 1))

    def _validated(self, element: str, confirm: float = 0.3) -> tuple[int, str | None]:
        """A score of 2 (sometimes with a note) or 3 with the evidence that earns it."""
        rng = self.rng
        if rng.random() < confirm and element in CONFIRMED_NOTES:
            return 3, rng.choice(CONFIRMED_NOTES[element])
        notes = VALIDATED_NOTES.get(element)
        return 2, rng.choice(notes) if notes and rng.random() < 0.3 else None

    @staticmethod
    def _rate(
        ledger: _Ledger,
        framework: FrameworkInfo,
        element: str,
        score: int,
        at: datetime,
        rater: Rater,
        evidence: str | None = None,
    ) -> None:
        ledger.ratings.setdefault(framework.key, []).append(
            _Pending(at=at, element=element, score=score, evidence=evidence, rater=rater)
        )

    def _ensure(
        self, ledger: _Ledger, gate: GateSpec, start: datetime, end: datetime, people: list[Rater]
    ) -> None:
        """Meet ``gate`` before ``end``: rate every short element inside ``start``–``end``."""
        framework = self.frameworks.get(gate.framework)
        if framework is None:
            return
        allowed = [p for p in people if gate.roles is None or p.role in gate.roles]
        if not allowed:
            return  # nobody on the record may rate it; the demo cannot meet such a gate
        rater = allowed[0]
        for element in gate.elements or framework.elements:
            if element not in framework.elements:
                continue
            have = ledger.latest(framework.key, element, before=end, roles=gate.roles)
            if have >= gate.min_score:
                continue
            last = ledger.last_at(framework.key, element, before=end)
            after = max(start, last) if last is not None else start
            score, evidence = self._validated(element, confirm=0.25)
            if score < gate.min_score:
                score, evidence = 3, self.rng.choice(CONFIRMED_NOTES.get(element, ("Confirmed",)))
            self._rate(ledger, framework, element, score, self._moment(after, end), rater, evidence)

    def _write(self, ledger: _Ledger, subject: GateSubject, subject_id: int) -> None:
        """Assessments and ratings (ids in time order) and the audit trail the service keeps."""
        for key, pending in ledger.ratings.items():
            if not pending:
                continue
            framework = self.frameworks[key]
            ordered = sorted(pending, key=lambda r: r.at)  # stable: ties keep their order
            assessment_id = self.rec.next_id("assessment")
            self.out.assessments.append(
                {
                    "id": assessment_id,
                    "framework_id": framework.id,
                    "framework_key": framework.key,
                    "subject": subject,
                    "subject_id": subject_id,
                    "created_at": ordered[0].at,
                }
            )
            previous: dict[str, int] = {}
            for rating in ordered:
                self.out.ratings.append(
                    {
                        "id": self.rec.next_id("rating"),
                        "assessment_id": assessment_id,
                        "element_key": rating.element,
                        "score": rating.score,
                        "evidence": rating.evidence,
                        "rated_by_id": rating.rater.id,
                        "rated_by_role": rating.rater.role,
                        "rated_at": rating.at,
                    }
                )
                before = previous.get(rating.element, 0)
                previous[rating.element] = rating.score
                self.rec.audit(
                    at=rating.at,
                    actor=rating.rater.id,
                    action="qualification.rate",
                    entity_type=subject.value,
                    entity_id=subject_id,
                    summary=f"{framework.name} {rating.element}: {before} → {rating.score}",
                    before={"element": rating.element, "score": before},
                    after={"element": rating.element, "score": rating.score},
                )

    # -- contacts -------------------------------------------------------------------------------

    def qualify_contact(self, contact_id: int, owner_id: int, transitions: Sequence[Row]) -> None:
        """BANT for a contact that reached SAL, and every contact gate met before it was crossed."""
        spans = [
            _Span(
                start=row["at"],
                end=following["at"] if following is not None else self.horizon,
                stage=row["to_stage"],
                next_stage=following["to_stage"] if following is not None else None,
                reason=following["reason"] if following is not None else None,
            )
            for row, following in zip(transitions, [*transitions[1:], None], strict=True)
        ]
        if S.LEAD not in self.contact_gates and not any(s.stage in QUALIFIED_STAGES for s in spans):
            return  # never accepted by sales: nothing was qualified, and no gate was crossed
        ledger = _Ledger()
        owner = self._rater(owner_id)
        people = [owner, *self._managers_of(owner_id)]
        bant = self.frameworks.get(CONTACT_FRAMEWORK)
        for span in spans:
            if bant is not None:
                if span.stage is S.SAL:
                    self._bant_visit(ledger, bant, span, owner)
                elif span.stage in (S.SQL, S.OPPORTUNITY) and self.rng.random() < 0.2:
                    self._confirm_one(ledger, bant, span, owner)
                if span.stage is S.SQL and span.next_stage is S.SAL:
                    self._revise(ledger, bant, span, owner)
            if span.next_stage is None:
                continue
            low, high = rules.stage_rank(span.stage), rules.stage_rank(span.next_stage)
            if low is None or high is None or high <= low:
                continue
            for crossed in rules.MAIN_LINE[low:high]:
                for gate in self.contact_gates.get(crossed, ()):
                    self._ensure(ledger, gate, span.start, span.end, people)
        self._write(ledger, GateSubject.CONTACT, contact_id)

    def _managers_of(self, user_id: int) -> list[Rater]:
        manager = self.managers.get(user_id)
        return [] if manager is None else [self._rater(manager)]

    def _bant_visit(self, ledger: _Ledger, bant: FrameworkInfo, span: _Span, owner: Rater) -> None:
        """The owner qualifies the lead while it sits in SAL; how far depends on what came next."""
        rng = self.rng
        current = {e: ledger.latest(bant.key, e, before=span.start) for e in bant.elements}
        if span.next_stage is S.SQL:
            for element in bant.elements:
                if current[element] >= 2:
                    continue
                start = span.start
                if current[element] < 1 and rng.random() < 0.35:
                    first = self._moment(span.start, span.end, 0.05, 0.45)
                    self._rate(ledger, bant, element, 1, first, owner)
                    start = first
                score, evidence = self._validated(element)
                at = self._moment(start, span.end, 0.3, 0.95)
                self._rate(ledger, bant, element, score, at, owner, evidence)
            return
        weak = element_in(span.reason, bant.elements) if span.next_stage is not None else None
        weights = (18, 24, 28, 22, 8) if span.next_stage is None else (40, 40, 20)
        count = rng.choices(range(len(weights)), weights=weights)[0]
        pool = [e for e in bant.elements if e != weak]
        rng.shuffle(pool)
        # A lead still waiting was qualified in its first weeks in SAL, however long it waits.
        until = min(span.end, span.start + QUALIFYING_DAYS) if span.next_stage is None else span.end
        for index, element in enumerate(pool):
            at = self._moment(span.start, until, 0.1, 0.85)
            if index < count:
                if current[element] < 2:
                    score, evidence = self._validated(element, confirm=0.2)
                    self._rate(ledger, bant, element, score, at, owner, evidence)
            elif current[element] < 1 and rng.random() < 0.5:
                self._rate(ledger, bant, element, 1, at, owner)
        if weak is not None and (current[weak] >= 2 or rng.random() < 0.7):
            at = self._moment(span.start, span.end, 0.6, 0.98)
            self._rate(ledger, bant, weak, 1, at, owner, span.reason)

    def _confirm_one(self, ledger: _Ledger, bant: FrameworkInfo, span: _Span, owner: Rater) -> None:
        """Later in the deal an element gets its evidence: 2 becomes 3."""
        validated = [e for e in bant.elements if ledger.latest(bant.key, e, before=span.start) == 2]
        if validated:
            element = self.rng.choice(validated)
            at = self._moment(span.start, span.end)
            note = self.rng.choice(CONFIRMED_NOTES.get(element, ("Confirmed in writing",)))
            self._rate(ledger, bant, element, 3, at, owner, note)

    def _revise(self, ledger: _Ledger, bant: FrameworkInfo, span: _Span, owner: Rater) -> None:
        """A contact sent back from SQL to SAL: the gap its reason names is rated down first."""
        element = element_in(span.reason, bant.elements) or self.rng.choice(bant.elements)
        last = ledger.last_at(bant.key, element, before=span.end)
        after = max(span.start, last) if last is not None else span.start
        note = self.rng.choice(REVISED_NOTES.get(element, ("Gap found after review",)))
        self._rate(ledger, bant, element, 1, self._moment(after, span.end, 0.5, 0.98), owner, note)

    # -- deals ----------------------------------------------------------------------------------

    def qualify_deal(
        self,
        deal_id: int,
        *,
        owner_id: int,
        engineers: Sequence[int],
        changes: Sequence[Row],
        stages: dict[int, StageInfo],
        lost_reason: str | None,
    ) -> None:
        """MEDDPICC stage by stage, and every deal gate met before the deal crossed it."""
        spans: list[_DealSpan] = []
        for row, following in zip(changes, [*changes[1:], None], strict=True):
            stage = stages[row["to_stage_id"]]
            if stage.is_closed:
                continue
            spans.append(
                _DealSpan(
                    start=row["at"],
                    end=following["at"] if following is not None else self.horizon,
                    stage=stage,
                    next_stage=stages[following["to_stage_id"]] if following is not None else None,
                )
            )
        ledger = _Ledger()
        owner = self._rater(owner_id)
        ses = [self._rater(se) for se in engineers]
        people = [*ses, owner, *self._managers_of(engineers[0])]
        meddpicc = self.frameworks.get(DEAL_FRAMEWORK)
        for span in spans:
            nxt = span.next_stage
            lost = nxt is not None and nxt.is_closed and not nxt.is_won
            if meddpicc is not None:
                share = OPEN_SHARE if nxt is None else LOST_SHARE if lost else 1.0
                self._deal_story(ledger, meddpicc, span, share, owner, ses)
                if lost:
                    self._lost_gap(ledger, meddpicc, span, lost_reason, owner)
            if nxt is None or lost:
                continue
            for gate in self.deal_gates.get(span.stage.id, ()):
                self._ensure(ledger, gate, span.start, span.end, people)
        self._write(ledger, GateSubject.OPPORTUNITY, deal_id)

    def _deal_story(
        self,
        ledger: _Ledger,
        meddpicc: FrameworkInfo,
        span: _DealSpan,
        share: float,
        owner: Rater,
        ses: list[Rater],
    ) -> None:
        rng = self.rng
        for element, score, role, chance in DEAL_STORIES.get(span.stage.key, ()):
            if element not in meddpicc.elements or rng.random() >= chance * share:
                continue
            if ledger.latest(meddpicc.key, element, before=span.end) >= score:
                continue
            rater = owner
            if role == "se" and ses:
                rater = ses[1] if len(ses) > 1 and rng.random() < 0.25 else ses[0]
            last = ledger.last_at(meddpicc.key, element, before=span.end)
            after = max(span.start, last) if last is not None else span.start
            evidence: str | None = None
            if score >= 2:
                score, evidence = self._validated(element)
            at = self._moment(after, span.end, 0.15, 0.9)
            self._rate(ledger, meddpicc, element, score, at, rater, evidence)

    def _lost_gap(
        self,
        ledger: _Ledger,
        meddpicc: FrameworkInfo,
        span: _DealSpan,
        lost_reason: str | None,
        owner: Rater,
    ) -> None:
        """Some losses show the gap that caused them: that element is rated down."""
        text = (lost_reason or "").lower()
        element = next((e for word, e in LOST_GAPS if word in text), None)
        if element is None or element not in meddpicc.elements or self.rng.random() < 0.3:
            return
        last = ledger.last_at(meddpicc.key, element, before=span.end)
        after = max(span.start, last) if last is not None else span.start
        note = self.rng.choice(REVISED_NOTES.get(element, (lost_reason or "Gap",)))
        self._rate(
            ledger, meddpicc, element, 1, self._moment(after, span.end, 0.6, 0.98), owner, note
        )
