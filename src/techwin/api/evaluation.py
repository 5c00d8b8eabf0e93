"""Evaluation: the REST endpoints (thin; the business is in techwin.evaluation)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Response, status

from techwin.core.time import utcnow
from techwin.core.types import RecordId
from techwin.deps import ApiUser, SessionDep
from techwin.errors import InvalidInput
from techwin.evaluation import competitors, pocs, queries, technical_win
from techwin.evaluation.schemas import (
    CompetitorIn,
    CompetitorOut,
    CriterionIn,
    CriterionPatch,
    DealCompetitorOut,
    DqRateOut,
    NoGoIn,
    OutcomeIn,
    PocIn,
    PocOut,
    PocPatch,
    ResultIn,
    RunningPocOut,
    SignOffIn,
    TechnicalWinIn,
    TechnicalWinOut,
)
from techwin.pipeline.opportunities import get_opportunity

router = APIRouter(tags=["evaluation"])


@router.get("/opportunities/{opportunity_id}/technical-win", response_model=TechnicalWinOut)
def get_technical_win(
    opportunity_id: RecordId, session: SessionDep, user: ApiUser
) -> TechnicalWinOut:
    """The deal's technical win (``not_started`` and version 0 until someone sets it)."""
    deal = get_opportunity(session, opportunity_id)
    return technical_win.technical_win_out(
        deal.id, technical_win.get_technical_win(session, deal.id)
    )


@router.put("/opportunities/{opportunity_id}/technical-win", response_model=TechnicalWinOut)
def set_technical_win(
    opportunity_id: RecordId, body: TechnicalWinIn, session: SessionDep, user: ApiUser
) -> TechnicalWinOut:
    """Change the technical win status (the deal's SEs, managers, admins); send ``version``."""
    deal = get_opportunity(session, opportunity_id)
    win = technical_win.set_technical_win(session, actor=user, opportunity=deal, data=body)
    return technical_win.technical_win_out(deal.id, win)


@router.post("/opportunities/{opportunity_id}/no-go", response_model=TechnicalWinOut)
def declare_no_go(
    opportunity_id: RecordId, body: NoGoIn, session: SessionDep, user: ApiUser
) -> TechnicalWinOut:
    """The SE disqualifies the deal with a reason code; open POCs end as abandoned."""
    deal = get_opportunity(session, opportunity_id)
    win = technical_win.declare_no_go(session, actor=user, opportunity=deal, data=body)
    return technical_win.technical_win_out(deal.id, win)


@router.get("/technical-wins/dq-rate", response_model=DqRateOut)
def dq_rate(
    session: SessionDep,
    user: ApiUser,
    se_id: RecordId | None = None,
    start: date | None = None,
    end: date | None = None,
) -> DqRateOut:
    """Share of technical decisions that were no-gos (default: the last 90 days); healthy 15–25%."""
    last = end or utcnow().date()
    first = start or last - timedelta(days=89)
    if first > last:
        raise InvalidInput("the period ends before it starts", field="end")
    return queries.dq_rate(session, start=first, end=last, se_id=se_id)


@router.get("/opportunities/{opportunity_id}/pocs", response_model=list[PocOut])
def list_pocs(opportunity_id: RecordId, session: SessionDep, user: ApiUser) -> list[PocOut]:
    """The deal's POCs, the newest first, with criteria, timing and warnings."""
    deal = get_opportunity(session, opportunity_id)
    return [pocs.poc_out(p) for p in pocs.deal_pocs(session, deal.id)]


@router.post(
    "/opportunities/{opportunity_id}/pocs",
    response_model=PocOut,
    status_code=status.HTTP_201_CREATED,
)
def create_poc(opportunity_id: RecordId, body: PocIn, session: SessionDep, user: ApiUser) -> PocOut:
    """Plan a POC (scope, dates, success criteria each with a measurable target)."""
    deal = get_opportunity(session, opportunity_id)
    return pocs.poc_out(pocs.create_poc(session, actor=user, opportunity=deal, data=body))


@router.get("/pocs/running", response_model=list[RunningPocOut])
def running_pocs(
    session: SessionDep, user: ApiUser, se_id: RecordId | None = None
) -> list[RunningPocOut]:
    """POCs running on the open deals an SE works (you, unless ``se_id`` names another)."""
    return queries.running_pocs(session, se_id=se_id or user.id)


@router.get("/pocs/{poc_id}", response_model=PocOut)
def get_poc(poc_id: RecordId, session: SessionDep, user: ApiUser) -> PocOut:
    """One POC."""
    return pocs.poc_out(pocs.get_poc(session, poc_id))


@router.patch("/pocs/{poc_id}", response_model=PocOut)
def update_poc(poc_id: RecordId, body: PocPatch, session: SessionDep, user: ApiUser) -> PocOut:
    """Change an open POC's plan."""
    poc = pocs.update_poc(session, actor=user, poc=pocs.get_poc(session, poc_id), data=body)
    return pocs.poc_out(poc)


@router.delete("/pocs/{poc_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_poc(poc_id: RecordId, session: SessionDep, user: ApiUser) -> Response:
    """Remove a POC planned by mistake (only while it has no outcome)."""
    pocs.delete_poc(session, actor=user, poc=pocs.get_poc(session, poc_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/pocs/{poc_id}/criteria", response_model=PocOut, status_code=201)
def add_criterion(
    poc_id: RecordId, body: CriterionIn, session: SessionDep, user: ApiUser
) -> PocOut:
    """Add a success criterion with its measurable target."""
    poc = pocs.get_poc(session, poc_id)
    pocs.add_criterion(session, actor=user, poc=poc, data=body)
    return pocs.poc_out(poc)


@router.patch("/pocs/{poc_id}/criteria/{criterion_id}", response_model=PocOut)
def update_criterion(
    poc_id: RecordId,
    criterion_id: RecordId,
    body: CriterionPatch,
    session: SessionDep,
    user: ApiUser,
) -> PocOut:
    """Reword a criterion that has no result yet."""
    poc = pocs.get_poc(session, poc_id)
    pocs.update_criterion(session, actor=user, poc=poc, criterion_id=criterion_id, data=body)
    return pocs.poc_out(poc)


@router.delete("/pocs/{poc_id}/criteria/{criterion_id}", response_model=PocOut)
def remove_criterion(
    poc_id: RecordId, criterion_id: RecordId, session: SessionDep, user: ApiUser
) -> PocOut:
    """Remove a criterion from an open POC."""
    poc = pocs.get_poc(session, poc_id)
    pocs.remove_criterion(session, actor=user, poc=poc, criterion_id=criterion_id)
    return pocs.poc_out(poc)


@router.put("/pocs/{poc_id}/criteria/{criterion_id}/result", response_model=PocOut)
def record_result(
    poc_id: RecordId,
    criterion_id: RecordId,
    body: ResultIn,
    session: SessionDep,
    user: ApiUser,
) -> PocOut:
    """Record a criterion's result (met, partially met, not met) with its evidence."""
    poc = pocs.get_poc(session, poc_id)
    pocs.record_result(session, actor=user, poc=poc, criterion_id=criterion_id, data=body)
    return pocs.poc_out(poc)


@router.post("/pocs/{poc_id}/outcome", response_model=PocOut)
def record_outcome(poc_id: RecordId, body: OutcomeIn, session: SessionDep, user: ApiUser) -> PocOut:
    """Conclude the POC once every criterion has a result (or record it as abandoned)."""
    poc = pocs.record_outcome(session, actor=user, poc=pocs.get_poc(session, poc_id), data=body)
    return pocs.poc_out(poc)


@router.post("/pocs/{poc_id}/sign-off", response_model=PocOut)
def sign_off(poc_id: RecordId, body: SignOffIn, session: SessionDep, user: ApiUser) -> PocOut:
    """Record the customer's sign-off of a concluded POC's results."""
    poc = pocs.sign_off(session, actor=user, poc=pocs.get_poc(session, poc_id), data=body)
    return pocs.poc_out(poc)


@router.get("/competitors", response_model=list[CompetitorOut])
def list_competitors(
    session: SessionDep, user: ApiUser, q: str | None = None
) -> list[CompetitorOut]:
    """Competitors met on deals, by name, with how many deals each is on (up to 200)."""
    return competitors.catalogue(session, q=q)


@router.get("/opportunities/{opportunity_id}/competitors", response_model=list[DealCompetitorOut])
def deal_competitors(
    opportunity_id: RecordId, session: SessionDep, user: ApiUser
) -> list[DealCompetitorOut]:
    """The competitors on a deal, incumbents first."""
    deal = get_opportunity(session, opportunity_id)
    return [
        competitors.deal_competitor_out(c) for c in competitors.deal_competitors(session, deal.id)
    ]


@router.post(
    "/opportunities/{opportunity_id}/competitors",
    response_model=DealCompetitorOut,
    status_code=status.HTTP_201_CREATED,
)
def add_competitor(
    opportunity_id: RecordId, body: CompetitorIn, session: SessionDep, user: ApiUser
) -> DealCompetitorOut:
    """Put a competitor on the deal, by name (created on first use) or by id."""
    deal = get_opportunity(session, opportunity_id)
    link = competitors.add_competitor(session, actor=user, opportunity=deal, data=body)
    return competitors.deal_competitor_out(link)


@router.delete(
    "/opportunities/{opportunity_id}/competitors/{competitor_id}",
    status_code=status.HTTP_204_NO_CONTENT,
)
def remove_competitor(
    opportunity_id: RecordId, competitor_id: RecordId, session: SessionDep, user: ApiUser
) -> Response:
    """Take a competitor off the deal."""
    deal = get_opportunity(session, opportunity_id)
    competitors.remove_competitor(
        session, actor=user, opportunity=deal, competitor_id=competitor_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
