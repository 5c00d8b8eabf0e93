"""A request's status history while it is being made: the steps, squeezed into the deal's stay
in a stage, cut short by a loss, or cut at the horizon while the request still waits; and what
the kept steps say about the request (its charter check, override, last status)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from techwin.collaboration.enums import RequestStatus
from techwin.demo.collab_words import LOST_CANCEL_REASON
from techwin.demo.meetings import Call, CallBook

S = RequestStatus
FINAL = (S.DONE, S.CANCELLED, S.DECLINED)


@dataclass(slots=True, eq=False)
class Step:
    """One status change, and for a charter check what it found."""

    before: RequestStatus | None
    after: RequestStatus
    at: datetime
    actor: int | None
    note: str | None = None
    check: tuple[int, list[dict[str, Any]]] | None = None  # (charter id, unmet thresholds)
    override: str | None = None  # the manager's reason


@dataclass
class Trail:
    """The steps of one request, oldest first."""

    steps: list[Step] = field(default_factory=list)

    @property
    def status(self) -> RequestStatus:
        """Where the request stands after its last step."""
        return self.steps[-1].after

    def move(
        self,
        to: RequestStatus,
        at: datetime,
        actor: int | None,
        note: str | None = None,
        **extra: Any,
    ) -> None:
        """Add a step from the current status."""
        before = self.steps[-1].after if self.steps else None
        self.steps.append(Step(before, to, at, actor, note, **extra))

    def last_check(self) -> tuple[int, list[dict[str, Any]]]:
        """The charter and the unmet thresholds of the latest charter check kept."""
        return next(s.check for s in reversed(self.steps) if s.check is not None)

    def override(self) -> Step | None:
        """The manager's override, if one was kept."""
        return next((s for s in self.steps if s.override is not None), None)

    def fit(
        self,
        rng: random.Random,
        *,
        deadline: datetime | None,
        horizon: datetime,
        call: Call | None,
        cut_on_loss: bool,
        owner: int,
    ) -> None:
        """Keep the request inside the deal's life: squeezed into its stay in the stage (or,
        on a lost deal, cut short by the loss), or cut at the horizon while it waits."""
        start, end = self.steps[0].at, self.steps[-1].at
        if deadline is None or end <= deadline:
            self.steps = [s for s in self.steps if s.at <= horizon]
            return
        if cut_on_loss and rng.random() < 0.5 and self._cut(rng, deadline, call, owner):
            return
        room = (deadline - start).total_seconds()
        scale = max(0.0, room - min(3600.0, room * 0.05)) / (end - start).total_seconds()
        for step in self.steps:
            step.at = start + (step.at - start) * scale
        if call is not None:
            call.starts_at = start + (call.starts_at - start) * scale
            call.planned_at = min(call.planned_at, call.starts_at)

    def _cut(self, rng: random.Random, deadline: datetime, call: Call | None, owner: int) -> bool:
        """Cancel the request when the deal was lost, if its charter steps (check,
        resubmission, override) were over by then and its call had not taken place."""
        cut = deadline - timedelta(hours=rng.uniform(0.2, 6))
        kept = [s for s in self.steps if s.at < cut and s.after not in FINAL]
        charter_steps = [s for s in self.steps if s.check is not None or s.override is not None]
        if len(kept) < 2 or not {id(s) for s in charter_steps} <= {id(s) for s in kept}:
            return False
        scheduled = any(s.after is S.SCHEDULED for s in kept)
        if call is not None and scheduled and call.starts_at <= cut:
            return False
        self.steps = kept
        self.move(S.CANCELLED, max(cut, kept[-1].at + timedelta(seconds=1)), owner,
                  LOST_CANCEL_REASON)  # fmt: skip
        if call is not None:
            if scheduled:
                call.cancelled_at = self.steps[-1].at
            else:
                call.dropped = True
        return True

    def settle(self, calls: CallBook, call: Call) -> None:
        """The call exists once the request was scheduled; its record decides the last step
        (done once the call was recorded as held)."""
        scheduled = next((s for s in self.steps if s.after is S.SCHEDULED), None)
        if scheduled is None or call.dropped:
            call.dropped = True
            return
        call.planned_at = scheduled.at
        done = self.steps[-1] if self.status is S.DONE else None
        recorded = calls.settle(call, recorded=done.at if done else None, draw=False)
        if done is not None and recorded is None:
            self.steps.pop()  # nobody recorded the call yet: the request stays scheduled
        elif done is not None and recorded is not None:
            done.at, done.note = recorded, "the call was held"
