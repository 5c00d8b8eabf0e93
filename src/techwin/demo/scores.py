"""Lead scores as the scoring service computes them, for as many leads as the demo makes.

The service (:func:`techwin.scoring.service.score_contacts`) loads each contact and its events
through the ORM and applies :func:`techwin.scoring.rules.compute_score`. The demo holds both
while it simulates, so it applies the very same function to them and writes the rows in bulk:
the numbers and reasons are the service's own. A fit rule's verdict depends on one field of the
profile only, so it is remembered per value, and the rules that do not hold are left out before
the arithmetic (which then gives the identical score, reasons in the same order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from techwin.demo.companies import ContactDraft
from techwin.demo.records import EventRecord
from techwin.scoring import rules as scoring_rules
from techwin.scoring.enums import EventKind, RuleCategory

# The lead_score columns, in the order :meth:`Scorer.rows` gives them.
LEAD_SCORE_COLUMNS = ("contact_id", "fit", "engagement", "total", "reasons", "computed_at")


def profile(draft: ContactDraft) -> dict[str, Any]:
    """The fields fit rules look at, exactly as the scoring service reads them."""
    account = draft.account
    return {
        "title": draft.title,
        "seniority": draft.seniority.value,
        "department": draft.department,
        "source": draft.source,
        "industry": account.industry,
        "region": account.region,
        "employee_count": account.employee_count,
        "email_domain": draft.email.split("@", 1)[1],
    }


class Scorer:
    """The active scoring rules, applied with the scoring service's arithmetic."""

    def __init__(self, rules: Sequence[scoring_rules.RuleSpec], half_life_days: float) -> None:
        self.rules = list(rules)
        self.half_life_days = half_life_days
        self.fit_rules = [r for r in self.rules if r.category is RuleCategory.FIT]
        self.engagement_rules = [r for r in self.rules if r.category is RuleCategory.ENGAGEMENT]
        self._verdicts: list[dict[Any, bool]] = [{} for _ in self.fit_rules]
        self._fits: dict[tuple[int, ...], float] = {}  # fit by the rules that hold

    def holding(self, facts: Mapping[str, Any]) -> list[scoring_rules.RuleSpec]:
        """The fit rules that hold for ``facts``, in rule order."""
        found = []
        for rule, verdicts in zip(self.fit_rules, self._verdicts, strict=True):
            value = facts.get(rule.field or "")
            verdict = verdicts.get(value)
            if verdict is None:
                verdict = verdicts[value] = scoring_rules.matches(rule, facts)
            if verdict:
                found.append(rule)
        return found

    def fit(self, facts: Mapping[str, Any]) -> float:
        """The fit part of a score (the same for every lead the same rules hold for)."""
        holding = self.holding(facts)
        key = tuple(id(rule) for rule in holding)
        fit = self._fits.get(key)
        if fit is None:
            fit = self._fits[key] = scoring_rules.compute_score(
                holding, facts, [], now=datetime.min, default_half_life_days=1.0
            ).fit
        return fit

    def score(
        self,
        facts: Mapping[str, Any],
        events: Iterable[tuple[EventKind, datetime]],
        *,
        now: datetime,
    ) -> scoring_rules.Score:
        """The whole score at ``now``, with its reasons."""
        return scoring_rules.compute_score(
            [*self.holding(facts), *self.engagement_rules],
            facts,
            events,
            now=now,
            default_half_life_days=self.half_life_days,
        )

    def rows(
        self, drafts: Sequence[ContactDraft], events: Iterable[EventRecord], *, now: datetime
    ) -> list[tuple[Any, ...]]:
        """``lead_score`` rows (:data:`LEAD_SCORE_COLUMNS`) of ``drafts`` as of ``now``, from
        their engagement ``events``; stored like the service stores them."""
        by_contact: dict[int, list[tuple[EventKind, datetime]]] = {}
        for record in events:
            by_contact.setdefault(record[1], []).append((record[2], record[3]))
        found = []
        for draft in drafts:
            score = self.score(profile(draft), by_contact.get(draft.id, ()), now=now)
            reasons = [
                {
                    "rule_id": r.rule_id,
                    "label": r.label,
                    "points": r.points,
                    "category": r.category.value,
                }
                for r in score.reasons
            ]
            found.append((draft.id, score.fit, score.engagement, score.total, reasons, now))
        return found
