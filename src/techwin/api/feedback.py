"""Feedback: the REST endpoints (thin; the business is in techwin.feedback)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import StreamingResponse

from techwin.api.paging import PageOut
from techwin.core.csvout import csv_lines
from techwin.core.money import CURRENCIES
from techwin.core.types import RecordId
from techwin.deps import ApiUser, PageDep, SessionDep
from techwin.errors import InvalidInput
from techwin.feedback import gaps, queries
from techwin.feedback.enums import GapSeverity, GapStatus
from techwin.feedback.schemas import (
    GapDealOut,
    GapIn,
    GapLinkIn,
    GapOut,
    GapPatch,
    GapStatusIn,
    RankedGapOut,
)
from techwin.pipeline.opportunities import get_opportunity

router = APIRouter(tags=["feedback"])

StatusFilter = Annotated[
    list[GapStatus] | None, Query(description="keep gaps in these statuses (repeat the parameter)")
]


def _currency(currency: str | None) -> str | None:
    if currency is None:
        return None
    code = currency.strip().upper()
    if code not in CURRENCIES:
        raise InvalidInput(
            f"unknown currency; use one of {', '.join(CURRENCIES)}", field="currency"
        )
    return code


def _filter(
    statuses: list[GapStatus] | None,
    severity: GapSeverity | None,
    product_area: str | None,
    q: str | None,
) -> queries.GapFilter:
    return queries.GapFilter(
        statuses=statuses or (), severity=severity, product_area=product_area, q=q
    )


@router.get("/gaps", response_model=PageOut[RankedGapOut])
def list_gaps(
    session: SessionDep,
    user: ApiUser,
    paging: PageDep,
    status: StatusFilter = None,
    severity: GapSeverity | None = None,
    product_area: Annotated[str | None, Query(max_length=80)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    currency: Annotated[
        str | None,
        Query(description="rank by the amount in this currency (default: the largest share)"),
    ] = None,
) -> dict[str, object]:
    """Product gaps ranked by revenue impact (ACV blocked on open deals + ACV lost to them)."""
    if paging.cursor:
        raise InvalidInput("the gap ranking pages by number, not by cursor", field="cursor")
    ranking = queries.rank_gaps(
        session,
        filters=_filter(status, severity, product_area, q),
        currency=_currency(currency),
    )
    total = len(ranking.gaps)
    window = ranking.gaps[paging.offset : paging.offset + paging.size]
    return {
        "items": [queries.ranked_out(r, ranking.currency) for r in window],
        "total": total,
        "total_exact": True,
        "page": paging.page,
        "size": paging.size,
        "pages": max(1, -(-total // paging.size)),
        "next_cursor": None,
    }


@router.get("/gaps/export", response_class=StreamingResponse)
def export_gaps(
    session: SessionDep,
    user: ApiUser,
    status: StatusFilter = None,
    severity: GapSeverity | None = None,
    currency: str | None = None,
) -> StreamingResponse:
    """The ranked gaps as CSV (the same columns as `techwin gaps export`)."""
    rows = list(
        queries.export_rows(
            session,
            filters=_filter(status, severity, None, None),
            currency=_currency(currency),
        )
    )
    return StreamingResponse(
        csv_lines(queries.EXPORT_HEADER, rows),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="product-gaps.csv"'},
    )


@router.post("/gaps", response_model=GapOut, status_code=status.HTTP_201_CREATED)
def create_gap(body: GapIn, session: SessionDep, user: ApiUser) -> GapOut:
    """Record a product gap (optionally linked to deals at once)."""
    gap = gaps.create_gap(session, actor=user, data=body)
    return queries.gap_out(gap, queries.gap_impact(session, gap.id))


@router.get("/gaps/{gap_id}", response_model=GapOut)
def get_gap(gap_id: RecordId, session: SessionDep, user: ApiUser) -> GapOut:
    """One gap with its impact."""
    gap = gaps.get_gap(session, gap_id)
    return queries.gap_out(gap, queries.gap_impact(session, gap.id))


@router.patch("/gaps/{gap_id}", response_model=GapOut)
def update_gap(gap_id: RecordId, body: GapPatch, session: SessionDep, user: ApiUser) -> GapOut:
    """Reword a gap (its author, PMs, managers, admins); send ``version``."""
    gap = gaps.update_gap(session, actor=user, gap=gaps.get_gap(session, gap_id), data=body)
    return queries.gap_out(gap, queries.gap_impact(session, gap.id))


@router.post("/gaps/{gap_id}/status", response_model=GapOut)
def change_status(
    gap_id: RecordId, body: GapStatusIn, session: SessionDep, user: ApiUser
) -> GapOut:
    """Move the gap through the workflow (PMs, managers, admins)."""
    gap = gaps.change_status(session, actor=user, gap=gaps.get_gap(session, gap_id), data=body)
    return queries.gap_out(gap, queries.gap_impact(session, gap.id))


@router.get("/gaps/{gap_id}/deals", response_model=list[GapDealOut])
def gap_deals(gap_id: RecordId, session: SessionDep, user: ApiUser) -> list[GapDealOut]:
    """The deals linked to the gap and what each counts as in its impact."""
    gap = gaps.get_gap(session, gap_id)
    return queries.gap_deals(session, gap.id)


@router.post(
    "/gaps/{gap_id}/deals", response_model=list[GapDealOut], status_code=status.HTTP_201_CREATED
)
def link_deal(
    gap_id: RecordId, body: GapLinkIn, session: SessionDep, user: ApiUser
) -> list[GapDealOut]:
    """Link a deal the gap affects (a deal links once)."""
    gap = gaps.get_gap(session, gap_id)
    gaps.link_deal(session, actor=user, gap=gap, data=body)
    return queries.gap_deals(session, gap.id)


@router.put("/gaps/{gap_id}/deals/{opportunity_id}/lost-because", response_model=list[GapDealOut])
def set_loss_reason(
    gap_id: RecordId,
    opportunity_id: RecordId,
    session: SessionDep,
    user: ApiUser,
    lost: bool = True,
) -> list[GapDealOut]:
    """Say whether the gap was one of the reasons a linked lost deal was lost."""
    gap = gaps.get_gap(session, gap_id)
    gaps.set_loss_reason(session, actor=user, gap=gap, opportunity_id=opportunity_id, lost=lost)
    return queries.gap_deals(session, gap.id)


@router.delete("/gaps/{gap_id}/deals/{opportunity_id}", status_code=status.HTTP_204_NO_CONTENT)
def unlink_deal(
    gap_id: RecordId, opportunity_id: RecordId, session: SessionDep, user: ApiUser
) -> Response:
    """Remove a deal from the gap."""
    gap = gaps.get_gap(session, gap_id)
    gaps.unlink_deal(session, actor=user, gap=gap, opportunity_id=opportunity_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/opportunities/{opportunity_id}/gaps", response_model=list[GapOut])
def deal_gaps(opportunity_id: RecordId, session: SessionDep, user: ApiUser) -> list[GapOut]:
    """The gaps linked to a deal, the most severe first."""
    deal = get_opportunity(session, opportunity_id)
    found = queries.deal_gaps(session, deal.id)
    impacts = queries.impacts(session, [d.gap.id for d in found])
    return [queries.gap_out(d.gap, impacts[d.gap.id]) for d in found]
