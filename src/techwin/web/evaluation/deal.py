"""The deal page's evaluation panels: the technical win (status, no-go), the current POC,
competitors and product gaps; and the changes made from them, which come back to the deal page
(saved, with a toast; refused, with the error in its panel and nothing stored)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from techwin.auth.models import User
from techwin.auth.permissions import can_edit_record
from techwin.deps import SessionDep, WebUser
from techwin.evaluation import competitors, pocs, queries, technical_win, win_rules
from techwin.evaluation.enums import NO_GO_LABELS, TechnicalWinStatus
from techwin.evaluation.models import DealCompetitor, TechnicalWin
from techwin.evaluation.schemas import CompetitorIn, NoGoIn, PocOut, TechnicalWinIn
from techwin.feedback import gaps as gap_service
from techwin.feedback import queries as gap_queries
from techwin.pipeline.models import Opportunity
from techwin.pipeline.opportunities import get_opportunity
from techwin.web.evaluation.common import LABELS, validated
from techwin.web.forms import FormState, attempt
from techwin.web.rendering import redirect, render
from techwin.web.security import FormDep

router = APIRouter()


@dataclass
class EvaluationPanel:
    """What the deal page shows of the technical win, POCs, competitors and product gaps."""

    deal: Opportunity
    status: TechnicalWinStatus
    win_version: int
    decided_by: str | None
    targets: list[tuple[str, str]]
    no_go_allowed: bool
    can_decide: bool
    can_edit: bool
    can_report: bool
    pocs: list[PocOut]
    competitors: list[DealCompetitor]
    suggestions: list[str]
    catalogue: list[str]
    gaps: list[gap_queries.DealGap]
    gap_choices: list[tuple[str, str]]
    win_form: FormState = field(default_factory=FormState)
    nogo_form: FormState = field(default_factory=FormState)
    competitor_form: FormState = field(default_factory=FormState)
    gap_form: FormState = field(default_factory=FormState)
    win: TechnicalWin | None = None

    @property
    def current_poc(self) -> PocOut | None:
        """The open POC, or else the latest."""
        for poc in self.pocs:
            if poc.outcome is None:
                return poc
        return self.pocs[0] if self.pocs else None

    @property
    def earlier_pocs(self) -> list[PocOut]:
        """The deal's other POCs."""
        current = self.current_poc
        return [p for p in self.pocs if current is None or p.id != current.id]

    @property
    def can_plan_poc(self) -> bool:
        """A new POC needs an open deal, no open POC and an undecided technical win."""
        return (
            self.can_edit
            and not self.deal.stage.is_closed
            and not self.status.is_decided
            and all(p.outcome is not None for p in self.pocs)
        )

    @property
    def is_lost(self) -> bool:
        """The deal is closed lost (gaps may then be marked as a reason)."""
        return self.deal.stage.is_closed and not self.deal.stage.is_won


def deal_context(
    session: Session,
    user: User,
    deal: Opportunity,
    *,
    win_form: FormState | None = None,
    nogo_form: FormState | None = None,
    competitor_form: FormState | None = None,
    gap_form: FormState | None = None,
) -> dict[str, object]:
    """What templates/evaluation/_deal.html needs on the deal page."""
    found = queries.deal_evaluation(session, deal.id)
    se_ids = [u.id for u in deal.engineers]
    targets = win_rules.allowed_targets(found.status)
    names = [c.competitor.name for c in found.competitors]
    can_report = gap_service.can_report(user)
    win = found.win
    decided_by = None
    if win is not None and win.decided_by_id is not None:
        person = session.get(User, win.decided_by_id)
        decided_by = person.full_name if person else None
    panel = EvaluationPanel(
        deal=deal,
        status=found.status,
        win=win,
        win_version=win.version if win else 0,
        decided_by=decided_by,
        targets=[(t.value, t.label) for t in targets if t is not TechnicalWinStatus.NO_GO],
        no_go_allowed=TechnicalWinStatus.NO_GO in targets,
        can_decide=win_rules.can_decide(user, se_ids=se_ids),
        can_edit=can_edit_record(user, owner_id=deal.owner_id, team_ids=se_ids),
        can_report=can_report,
        pocs=[pocs.poc_out(p) for p in found.pocs],
        competitors=found.competitors,
        suggestions=competitors.suggest_names(deal.competitors, names),
        catalogue=[c.name for c in competitors.catalogue(session) if c.name not in names],
        gaps=gap_queries.deal_gaps(session, deal.id),
        gap_choices=[
            (str(g.id), f"{g.title} · {g.product_area}")
            for g in gap_queries.gap_choices(session, exclude_deal=deal.id)
        ]
        if can_report
        else [],
    )
    panel.win_form = win_form or FormState.blank(
        status=panel.targets[0][0] if panel.targets else ""
    )
    panel.nogo_form = nogo_form or FormState.blank()
    panel.competitor_form = competitor_form or FormState.blank()
    panel.gap_form = gap_form or FormState.blank()
    return {
        "evaluation": panel,
        "no_go_reasons": [(r.value, label) for r, label in NO_GO_LABELS.items()],
        "ev_labels": LABELS,
    }


def my_day_context(session: Session, user: User) -> dict[str, object]:
    """What templates/evaluation/_my_day.html needs: the SE's running POCs."""
    return {"running_pocs": queries.running_pocs(session, se_id=user.id)}


def deal_page(
    request: Request, session: Session, user: User, deal_id: int, status: int, **forms: FormState
) -> Response:
    """The deal page again, with a refused form's values and errors in its panel."""
    from techwin.web import opportunities as deal_pages  # the deal page imports this module

    deal = get_opportunity(session, deal_id)
    context = deal_pages.detail_context(session, user, deal)
    context.update(deal_context(session, user, deal, **forms))
    return render(request, "opportunities/detail.html", context, status_code=status)


def _deal_form(
    request: Request,
    session: Session,
    user: User,
    deal_id: int,
    form: FormDep,
    *,
    key: str,
    anchor: str,
    action: Callable[[Opportunity, FormState], object],
    done: str,
    defaults: tuple[str, ...] = (),
) -> Response:
    state = FormState.from_form(form)
    for name in defaults:
        state.values.setdefault(name, "")
    deal = get_opportunity(session, deal_id)
    if attempt(session, state, lambda: action(deal, state)) is None:
        return deal_page(request, session, user, deal_id, state.status, **{key: state})
    return redirect(f"/opportunities/{deal_id}#{anchor}", flash=done)


@router.post("/opportunities/{deal_id:id}/technical-win")
def win_update(
    request: Request, deal_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Move the technical win to another status (a loss or a re-opening with a reason)."""

    def save(deal: Opportunity, state: FormState) -> object:
        data = validated(TechnicalWinIn, state.data(TechnicalWinIn))
        return technical_win.set_technical_win(session, actor=user, opportunity=deal, data=data)

    posted = str(form.get("status") or "")
    known = {s.value: s.label.lower() for s in TechnicalWinStatus}
    label = f"now {known[posted]}" if posted in known else "updated"
    return _deal_form(
        request,
        session,
        user,
        deal_id,
        form,
        key="win_form",
        anchor="technical-win",
        action=save,
        done=f"Technical win {label}.",
        defaults=("status", "reason"),
    )


@router.post("/opportunities/{deal_id:id}/no-go")
def no_go(
    request: Request, deal_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """The SE disqualifies the deal with a reason code."""

    def save(deal: Opportunity, state: FormState) -> object:
        data = validated(NoGoIn, state.data(NoGoIn))
        return technical_win.declare_no_go(session, actor=user, opportunity=deal, data=data)

    return _deal_form(
        request,
        session,
        user,
        deal_id,
        form,
        key="nogo_form",
        anchor="technical-win",
        action=save,
        done="No-go declared: the deal is disqualified for technical reasons.",
        defaults=("no_go_reason", "reason"),
    )


@router.post("/opportunities/{deal_id:id}/competitors")
def competitor_add(
    request: Request, deal_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Put a competitor on the deal (by name; created on first use)."""
    name = str(form.get("name") or "").strip()

    def save(deal: Opportunity, state: FormState) -> object:
        data = validated(
            CompetitorIn, state.data(CompetitorIn, incumbent=state.checked("incumbent"))
        )
        return competitors.add_competitor(session, actor=user, opportunity=deal, data=data)

    return _deal_form(
        request,
        session,
        user,
        deal_id,
        form,
        key="competitor_form",
        anchor="competitors",
        action=save,
        done=f"{name or 'Competitor'} added to the deal.",
        defaults=("name", "note"),
    )


@router.post("/opportunities/{deal_id:id}/competitors/{competitor_id:id}/remove")
def competitor_remove(
    deal_id: int, competitor_id: int, session: SessionDep, user: WebUser
) -> Response:
    """Take a competitor off the deal."""
    deal = get_opportunity(session, deal_id)
    competitors.remove_competitor(
        session, actor=user, opportunity=deal, competitor_id=competitor_id
    )
    return redirect(f"/opportunities/{deal_id}#competitors", flash="Competitor removed.")
