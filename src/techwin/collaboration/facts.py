"""Gather what a charter evaluation reads about a deal: qualification scores, stakeholders,
the close date. The evaluation itself is pure (see ``charter_rules``).

Qualification scores are the deal's own ratings; an element the deal was never rated on takes
the rating its primary contact got as a lead (budget is usually confirmed while qualifying the
lead under BANT, and nobody should have to rate it twice)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.collaboration import charter_rules
from techwin.collaboration.charter_rules import DealFacts, Threshold, Verdict
from techwin.collaboration.charters import charter_for_deal, thresholds_of
from techwin.collaboration.enums import RequestKind
from techwin.collaboration.stakeholders import facts_of, list_stakeholders
from techwin.core.time import utcnow
from techwin.errors import NotFound
from techwin.pipeline.enums import GateSubject
from techwin.pipeline.models import Opportunity, OpportunityContact
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
        scores[key] = _scores(session, GateSubject.OPPORTUNITY, deal.id, key)
        if len(scores[key]) < len(framework.elements):
            # Elements the deal was never rated on keep what the lead was rated when it was
            # qualified (BANT's budget, typically): the deal's own rating always wins.
            for contact_id in _primary_contacts(session, deal.id):
                lead = _scores(session, GateSubject.CONTACT, contact_id, key)
                scores[key] = {**lead, **scores[key]}
    return DealFacts(
        close_date=deal.close_date,
        scores=scores,
        element_names=names,
        stakeholders=facts_of(list_stakeholders(session, deal.id)),
        needed_by=needed_by,
    )


def _scores(session: Session, subject: GateSubject, subject_id: int, key: str) -> dict[str, int]:
    assessment = find_assessment(session, subject=subject, subject_id=subject_id, framework_key=key)
    if assessment is None:
        return {}
    return {k: r.score for k, r in latest_ratings(session, assessment.id).items()}


def _primary_contacts(session: Session, deal_id: int) -> list[int]:
    return list(
        session.scalars(
            select(OpportunityContact.contact_id)
            .where(
                OpportunityContact.opportunity_id == deal_id,
                OpportunityContact.is_primary.is_(True),
            )
            .order_by(OpportunityContact.contact_id)
        )
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
