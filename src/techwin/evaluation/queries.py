"""Read-side questions about evaluations: an SE's running POCs, the DQ rate, and everything the
deal page shows of the technical win, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from techwin.auth.models import User
from techwin.core.time import start_of_day, utcnow
from techwin.evaluation import competitors, poc_rules, pocs, technical_win, win_rules
from techwin.evaluation.enums import DECIDED, CriterionResult, TechnicalWinStatus
from techwin.evaluation.models import DealCompetitor, Poc, TechnicalWin
from techwin.evaluation.schemas import DqRateOut, RunningPocOut
from techwin.pipeline.models import Account, Opportunity, PipelineStage, opportunity_se


def running_pocs(session: Session, *, se_id: int, today: date | None = None) -> list[RunningPocOut]:
    """POCs running now on the open deals the person works (as one of their SEs, or as their
    AE), the soonest (or most overdue) end first, each with its days left (negative when overdue)
    and the 60-day flag."""
    day = today or utcnow().date()
    engineered = select(opportunity_se.c.opportunity_id).where(opportunity_se.c.user_id == se_id)
    query = (
        select(Poc, Opportunity.name, Account.name)
        .join(Opportunity, Opportunity.id == Poc.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .join(PipelineStage, PipelineStage.id == Opportunity.stage_id)
        .options(selectinload(Poc.criteria))
        .where(
            or_(Opportunity.id.in_(engineered), Opportunity.owner_id == se_id),
            Poc.outcome.is_(None),
            Poc.start_date <= day,
            PipelineStage.is_closed.is_(False),
        )
        .order_by(Poc.end_date, Poc.id)
    )
    running = []
    for poc, deal_name, account_name in session.execute(query):
        timing = poc_rules.timing(
            poc.start_date, poc.end_date, outcome=None, concluded_on=None, today=day
        )
        running.append(
            RunningPocOut(
                poc_id=poc.id,
                title=poc.title,
                opportunity_id=poc.opportunity_id,
                deal_name=deal_name,
                account_name=account_name,
                start_date=poc.start_date,
                end_date=poc.end_date,
                day_number=timing.day_number or 1,
                days_left=timing.days_left or 0,
                overdue=timing.overdue,
                long_running=timing.long_running,
                criteria_total=len(poc.criteria),
                criteria_tested=sum(c.result is not CriterionResult.PENDING for c in poc.criteria),
            )
        )
    return running


def dq_rate(
    session: Session,
    *,
    start: date,
    end: date,
    se_id: int | None = None,
    team_ids: Collection[int] | None = None,
) -> DqRateOut:
    """Of the technical wins decided from ``start`` to ``end`` (on the SE's deals when given; on
    deals owned by AEs of ``team_ids`` when given), the share that were no-gos, with the no-gos
    by reason code."""
    query = (
        select(TechnicalWin.status, TechnicalWin.no_go_reason, func.count())
        .where(
            TechnicalWin.status.in_(DECIDED),
            TechnicalWin.decided_at >= start_of_day(start),
            TechnicalWin.decided_at < start_of_day(end) + timedelta(days=1),
        )
        .group_by(TechnicalWin.status, TechnicalWin.no_go_reason)
    )
    if se_id is not None:
        query = query.join(
            opportunity_se, opportunity_se.c.opportunity_id == TechnicalWin.opportunity_id
        ).where(opportunity_se.c.user_id == se_id)
    if team_ids is not None:
        owners = select(User.id).where(User.team_id.in_(list(team_ids)))
        query = query.join(Opportunity, Opportunity.id == TechnicalWin.opportunity_id).where(
            Opportunity.owner_id.in_(owners)
        )
    decided = no_go = 0
    by_reason: dict[str, int] = {}
    for status, reason, count in session.execute(query):
        decided += count
        if status is TechnicalWinStatus.NO_GO:
            no_go += count
            key = reason.value if reason else "unspecified"
            by_reason[key] = by_reason.get(key, 0) + count
    rate = no_go / decided if decided else None
    band = win_rules.dq_band(rate)
    return DqRateOut(
        start=start,
        end=end,
        se_id=se_id,
        decided=decided,
        no_go=no_go,
        rate=rate,
        band=band.key,
        healthy_low=win_rules.DQ_HEALTHY_LOW,
        healthy_high=win_rules.DQ_HEALTHY_HIGH,
        by_reason=by_reason,
        advice=band.advice,
    )


@dataclass(frozen=True)
class DealEvaluation:
    """A deal's technical win, POCs (newest first) and competitors."""

    win: TechnicalWin | None
    status: TechnicalWinStatus
    pocs: list[Poc]
    competitors: list[DealCompetitor]

    @property
    def current_poc(self) -> Poc | None:
        """The open POC, or else the latest one."""
        for poc in self.pocs:
            if poc.outcome is None:
                return poc
        return self.pocs[0] if self.pocs else None


def deal_evaluation(session: Session, opportunity_id: int) -> DealEvaluation:
    """Everything the deal page shows of the evaluation (four queries, whatever the counts)."""
    win = technical_win.get_technical_win(session, opportunity_id)
    return DealEvaluation(
        win=win,
        status=technical_win.current_status(win),
        pocs=pocs.deal_pocs(session, opportunity_id),
        competitors=competitors.deal_competitors(session, opportunity_id),
    )
