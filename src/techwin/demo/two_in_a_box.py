"""The pass that gives a generated organisation its two-in-a-box life: pods, SE profiles and
charters; then, deal by deal, stakeholder maps, POCs and technical wins, competitors, product
gaps, SE requests with their history, and calls with their huddles and debriefs.

It reads what the history wrote (people, teams, deals, their stage history, engineers and
contacts) and runs after it, so it can also be run alone on a demo database generated without
it (:func:`write_two_in_a_box`). Deals are read back in id order, a chunk at a time, and every
chunk's rows are bulk-written before the next is read: memory stays flat at any scale (the
accounts' senior contacts, who may join stakeholder maps, are read once into compact arrays).
Draws come from two random streams seeded by the demo's seed, each taken deal after deal in
id order (one for the stakeholder maps, one for everything else), and every date is relative
to ``today``: the same seed and day give the same rows, whatever the chunk size.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techwin.core.time import start_of_day
from techwin.db.bulk import Progress
from techwin.demo.box_rows import COUNTED, Sink
from techwin.demo.buyers import Mapped, map_stakeholders
from techwin.demo.deal_view import DealView, SeniorStaff, deal_chunks, with_names
from techwin.demo.evaluations import (
    competitor_catalogue,
    decide,
    link_competitors,
    plan_poc,
    write_evaluation,
)
from techwin.demo.gaps import GapBook
from techwin.demo.history import gc_paused
from techwin.demo.meetings import CallBook
from techwin.demo.pods import compose
from techwin.demo.requests import RequestDesk, qualified_at
from techwin.demo.rulebook import stage_infos
from techwin.demo.words import COMPETITORS
from techwin.pipeline.models import Opportunity
from techwin.qualification.models import Framework, FrameworkElement

DEAL_CHUNK = 2_000  # deals read, built and written at a time
LABEL = "Working two in a box"

__all__ = ["COUNTED", "DEAL_CHUNK", "write_two_in_a_box"]


def write_two_in_a_box(
    session: Session,
    *,
    seed: int,
    today: date,
    progress: Progress | None = None,
    chunk_size: int = DEAL_CHUNK,
) -> dict[str, int]:
    """Write the two-in-a-box records of the organisation in ``session`` and return the rows
    written per table (opportunity_contact: the colleagues added to deals' maps; audit_event:
    the charter overrides).

    The database holds a generated history and none of these records yet; the default charter
    is the one the playbook seeded (its date is moved to the organisation's start).
    """
    horizon = start_of_day(today)
    total = int(session.scalar(select(func.count(Opportunity.id))) or 0)
    if progress is not None:
        progress(LABEL, 0, total)
    box = _Pass(session, seed=seed, horizon=horizon)
    _pipeline, stages = stage_infos(session)
    done = 0
    # The rows hold no reference cycles: collecting finds nothing, yet would walk them all.
    with gc_paused():
        for deals in deal_chunks(session, stages=stages, horizon=horizon, size=chunk_size):
            box.chunk(deals)
            done += len(deals)
            if progress is not None:
                progress(LABEL, done, total)
    box.sink.sync(session)
    return dict(box.sink.counts)


class _Pass:
    """The organisation's set-up, written at once, and the deals' records, chunk by chunk."""

    def __init__(self, session: Session, *, seed: int, horizon: datetime) -> None:
        self.session = session
        self.horizon = horizon
        self.rng = rng = random.Random(f"{seed}/two-in-a-box")
        # Stakeholder maps draw from a stream of their own, so the colleagues they bring in
        # can be looked up for a whole chunk before the rest of each deal is made.
        self.threads = random.Random(f"{seed}/two-in-a-box/stakeholders")
        self.sink = sink = Sink(session)
        self.org = org = compose(session, rng, sink, horizon=horizon)
        self.catalogue = competitor_catalogue(sink, COMPETITORS, horizon - timedelta(days=815))
        self.gaps = GapBook(rng, sink, reporters=org.reporters, horizon=horizon)
        sink.write(session)
        self.calls = CallBook(rng, sink, org, horizon=horizon)
        self.desk = RequestDesk(
            rng, sink, org, self.calls, horizon=horizon, element_names=_element_names(session)
        )
        self.staff = SeniorStaff(session)

    def chunk(self, deals: list[DealView]) -> None:
        """Every record of a chunk of deals, bulk-written."""
        horizon = self.horizon
        plans = []
        for deal in deals:
            qualified = qualified_at(self.threads, deal, horizon=horizon)
            colleagues = self.staff.of(deal.account_id, deal.end(horizon))
            mapped = map_stakeholders(
                self.threads, self.sink, deal, colleagues, sponsor_by=qualified, horizon=horizon
            )
            plans.append((qualified, mapped))
        unnamed = [m.person for _q, mapped in plans for m in mapped if not m.person.name]
        named = with_names(self.session, unnamed)
        for deal, (qualified, mapped) in zip(deals, plans, strict=True):
            for m in mapped:
                if not m.person.name:
                    m.person = named[m.person.id]
            self._deal(deal, mapped, qualified)
        self.sink.write(self.session)

    def _deal(self, deal: DealView, mapped: list[Mapped], qualified: datetime | None) -> None:
        rng, sink, horizon = self.rng, self.sink, self.horizon
        poc = plan_poc(rng, sink, deal, horizon=horizon)
        decision = decide(rng, deal, poc, horizon=horizon)
        decider = deal.engineers[0]
        if rng.random() < 0.1:
            decider = self.org.manager_of(deal.owner_id) or decider
        write_evaluation(rng, sink, deal, poc, decision, mapped, decider=decider, horizon=horizon)
        link_competitors(rng, sink, deal, self.catalogue, horizon=horizon)
        self.gaps.link(deal)
        asked = self.desk.requests(deal, mapped, poc, qualified_at=qualified)
        for call in [*asked, *self.calls.extras(deal, poc)]:
            if not call.dropped:
                self.calls.write(call, mapped)


def _element_names(session: Session) -> dict[str, dict[str, str]]:
    """Element names of every current framework, by framework key (verdicts quote them)."""
    rows = session.execute(
        select(Framework.key, FrameworkElement.key, FrameworkElement.name)
        .join(FrameworkElement, FrameworkElement.framework_id == Framework.id)
        .where(Framework.is_current.is_(True))
        .order_by(Framework.key, FrameworkElement.position)
    )
    names: dict[str, dict[str, str]] = {}
    for framework, element, name in rows:
        names.setdefault(framework, {})[element] = name
    return names
