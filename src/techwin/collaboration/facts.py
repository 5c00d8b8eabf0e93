"""Gather what a charter evaluation reads about a deal: qualification scores, stakeholders,
the close date. The evaluation itself is pure (see ``charter_rules``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from techwin.collaboration import charter_rules
from techwin.collaboration.charter_rules import DealFacts, Threshold, Verdict
from techwin.collaboration.charters import charter_for_deal, thresholds_of
from techwin.collaboration.enums import RequestKind
from techwin.collaboration.stakeholders import facts_of, list_stakeholders
from techwin.core.time import utcnow
from techwin.errors import NotFound
from techwin.pipeline.enums import GateSubject
from techwin.pipeline.models import Opportunity
from techwin.qualification.assessments import find_assessment, latest_ratings
from techwin.qualification.frameworks import current_framework


def deal_facts(
    session: Session,
    deal: Opportunity,
    thresholds: Sequence[Threshold],
    *,
    needed_by: date | None = None,
    kind: RequestKind | None = None,
) -> DealFacts:
    """The facts ``thresholds`` (for ``kind``, or all) need about ``deal``."""
    scores: dict[str, dict[str, int]] = {}
    names: dict[str, dict[str, str]] = {}
    for key in sorted(charter_rules.frameworks_needed(thresholds, kind)):
        try:
            framework = current_framework(session, key)
        except NotFound:
            continue  # an unknown framework scores nothing: its threshold stays unmet
        names[key] = {e.key: e.name for e in framework.elements}
        assessment = find_assessment(
            session, subject=GateSubject.OPPORTUNITY, subject_id=deal.id, framework_key=key
        )
        scores[key] = (
            {k: r.score for k, r in latest_ratings(session, assessment.id).items()}
            if assessment
            else {}
        )
    return DealFacts(
        close_date=deal.close_date,
        scores=scores,
        element_names=names,
        stakeholders=facts_of(list_stakeholders(session, deal.id)),
        needed_by=needed_by,
    )


def check_request(
    session: Session,
    deal: Opportunity,
    kind: RequestKind,
    *,
    needed_by: date | None = None,
    today: date | None = None,
) -> tuple[int, list[Verdict]]:
    """The applicable charter's id and its verdicts for a request of ``kind`` on ``deal``."""
    applied = charter_for_deal(session, deal)
    thresholds = thresholds_of(applied.charter)
    facts = deal_facts(session, deal, thresholds, needed_by=needed_by, kind=kind)
    day = today or utcnow().date()
    return applied.charter.id, charter_rules.evaluate(thresholds, kind, facts, today=day)
