"""Pure qualification rules: the rating scale, completeness, weakest elements, gate verdicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from techwin.errors import InvalidInput

SCALE = {
    0: "Unknown",
    1: "Identified",
    2: "Validated",
    3: "Confirmed with evidence",
}
VALIDATED = 2


def check_score(score: int, evidence: str | None) -> None:
    """A score is 0–3; the top score needs the evidence that earns it."""
    if score not in SCALE:
        raise InvalidInput(
            "score must be 0 (unknown) to 3 (confirmed with evidence)", field="score"
        )
    if score == 3 and not (evidence and evidence.strip()):
        raise InvalidInput("a score of 3 needs evidence: a note or a link", field="evidence")


@dataclass(frozen=True)
class ElementState:
    """An element with its current score (0 when never rated)."""

    key: str
    name: str
    question: str
    score: int


def completeness(states: Sequence[ElementState], *, threshold: int = VALIDATED) -> float:
    """Share of elements at or above ``threshold`` (0.0–1.0)."""
    if not states:
        return 0.0
    return sum(s.score >= threshold for s in states) / len(states)


def weakest(states: Sequence[ElementState], *, limit: int = 3) -> list[ElementState]:
    """The lowest-rated elements below 'validated', lowest first, in framework order on ties."""
    below = [s for s in states if s.score < VALIDATED]
    return sorted(below, key=lambda s: s.score)[:limit]


def unmet_elements(
    scores: Mapping[str, int], required: Sequence[str], *, min_score: int
) -> list[str]:
    """The required elements whose score is below ``min_score``."""
    return [key for key in required if scores.get(key, 0) < min_score]
