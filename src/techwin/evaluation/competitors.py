"""Competitors as records: a catalogue that grows as people name them on deals, and the
competitors of each deal. The deal's free-text 'competitors' field stays; names in it that
are not records yet are offered as suggestions."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.errors import Conflict, InvalidInput, NotFound
from techwin.evaluation.models import Competitor, DealCompetitor
from techwin.evaluation.schemas import CompetitorIn, CompetitorOut, DealCompetitorOut
from techwin.pipeline.models import Opportunity
from techwin.pipeline.opportunities import require_opportunity_edit

_SPLIT = re.compile(r"\s*(?:,|;|\||\n|\band\b|\bor\b|&| vs\.? )\s*", re.IGNORECASE)
# Words in the free-text field that name no competitor.
_NOT_A_COMPETITOR = {"none", "n/a", "na", "unknown", "tbd", "-", "?"}


def name_key(name: str) -> str:
    """The comparison form of a name: lower case, single spaces."""
    return " ".join(name.split()).casefold()


def suggest_names(text: str | None, known: Iterable[str]) -> list[str]:
    """Names in a deal's free-text competitors field that are not linked yet (order kept)."""
    if not text:
        return []
    seen = {name_key(k) for k in known}
    found = []
    for part in _SPLIT.split(text):
        name = " ".join(part.strip(" .").split())
        key = name_key(name)
        if not name or key in seen or key in _NOT_A_COMPETITOR or len(name) > 120:
            continue
        seen.add(key)
        found.append(name)
    return found


def deal_competitors(session: Session, opportunity_id: int) -> list[DealCompetitor]:
    """A deal's competitors, incumbents first, then by name."""
    query = (
        select(DealCompetitor)
        .join(Competitor, Competitor.id == DealCompetitor.competitor_id)
        .options(joinedload(DealCompetitor.competitor))
        .where(DealCompetitor.opportunity_id == opportunity_id)
        .order_by(DealCompetitor.incumbent.desc(), Competitor.name_key)
    )
    return list(session.scalars(query))


def deal_competitor_out(link: DealCompetitor) -> DealCompetitorOut:
    """The API shape of a competitor on a deal (its competitor loaded)."""
    return DealCompetitorOut(
        competitor_id=link.competitor_id,
        name=link.competitor.name,
        incumbent=link.incumbent,
        note=link.note,
        added_at=link.added_at,
    )


def catalogue(session: Session, *, q: str | None = None, limit: int = 200) -> list[CompetitorOut]:
    """Competitors by name with the number of deals each appears on."""
    deals = func.count(DealCompetitor.opportunity_id)
    query = (
        select(Competitor.id, Competitor.name, deals)
        .outerjoin(DealCompetitor, DealCompetitor.competitor_id == Competitor.id)
        .group_by(Competitor.id, Competitor.name, Competitor.name_key)
        .order_by(Competitor.name_key)
        .limit(limit)
    )
    if q:
        query = query.where(Competitor.name_key.contains(name_key(q), autoescape=True))
    return [CompetitorOut(id=i, name=n, deals=d) for i, n, d in session.execute(query)]


def find_or_create(session: Session, name: str) -> Competitor:
    """The competitor of that name, created on first use."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("name the competitor", field="name")
    key = name_key(cleaned)
    competitor = session.scalar(select(Competitor).where(Competitor.name_key == key))
    if competitor is None:
        competitor = Competitor(name=cleaned, name_key=key)
        session.add(competitor)
        session.flush()
    return competitor


def add_competitor(
    session: Session, *, actor: User | None, opportunity: Opportunity, data: CompetitorIn
) -> DealCompetitor:
    """Put a competitor on a deal (by name or id); a competitor appears once per deal."""
    require_opportunity_edit(actor, opportunity)
    if data.competitor_id is not None:
        found = session.get(Competitor, data.competitor_id)
        if found is None:
            raise InvalidInput(
                f"competitor {data.competitor_id} does not exist", field="competitor_id"
            )
        competitor = found
    elif data.name:
        competitor = find_or_create(session, data.name)
    else:
        raise InvalidInput("name the competitor", field="name")
    if session.get(DealCompetitor, (opportunity.id, competitor.id)) is not None:
        raise Conflict(f"{competitor.name} is already on this deal", field="name")
    link = DealCompetitor(
        opportunity_id=opportunity.id,
        competitor_id=competitor.id,
        incumbent=data.incumbent,
        note=data.note,
        added_by_id=actor.id if actor else None,
    )
    link.competitor = competitor
    session.add(link)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="competitor.added",
        entity_type="opportunity",
        entity_id=opportunity.id,
        summary=competitor.name + (" (incumbent)" if data.incumbent else ""),
        after={"competitor": competitor.name, "incumbent": data.incumbent, "note": data.note},
    )
    return link


def remove_competitor(
    session: Session, *, actor: User | None, opportunity: Opportunity, competitor_id: int
) -> None:
    """Take a competitor off a deal (the catalogue keeps it)."""
    require_opportunity_edit(actor, opportunity)
    link = session.get(DealCompetitor, (opportunity.id, competitor_id))
    if link is None:
        raise NotFound(f"competitor {competitor_id} is not on this deal", field="competitor_id")
    competitor = session.get(Competitor, competitor_id)
    name = competitor.name if competitor else str(competitor_id)
    session.delete(link)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="competitor.removed",
        entity_type="opportunity",
        entity_id=opportunity.id,
        summary=name,
        before={"competitor": name},
    )
