"""The pipeline board: deals by stage with totals, moved by drag and drop through the gates."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from techwin.auth.models import User
from techwin.auth.permissions import can_edit_record
from techwin.deps import SessionDep, WebUser
from techwin.pipeline import opportunities, reports
from techwin.pipeline.enums import GateSubject
from techwin.pipeline.schemas import MoveIn
from techwin.qualification.queries import rated_criteria
from techwin.web import options
from techwin.web.forms import Filters, FormState, attempt
from techwin.web.pages import fragment
from techwin.web.rendering import render
from techwin.web.security import FormDep

router = APIRouter()


def _board(session: Session, user: User, params: Mapping[str, object]) -> dict[str, object]:
    f = Filters(params)
    filters = opportunities.OpportunityFilter(
        owner_id=f.integer("owner_id"),
        se_id=f.integer("se_id"),
        team_id=f.integer("team_id"),
        q=f.text("q"),
    )
    pipeline = opportunities.default_pipeline(session)
    columns = reports.board(session, pipeline_id=pipeline.id, filters=filters)
    editable = {
        card.id
        for column in columns
        for card in column.cards
        if can_edit_record(user, owner_id=card.owner_id, team_ids=[u.id for u in card.engineers])
    }
    return {"columns": columns, "f": f, "pipeline": pipeline, "editable": editable}


@router.get("/board")
def board_page(request: Request, session: SessionDep, user: WebUser) -> Response:
    """Open deals by stage (and the last 90 days of closes), filterable by team, owner and SE."""
    context = _board(session, user, request.query_params)
    if fragment(request, "board"):
        return render(request, "board/_board.html", context)
    context.update(
        people=options.people(session),
        engineers=options.engineers(session),
        teams=options.teams(session),
    )
    return render(request, "board/index.html", context)


@router.post("/board/{deal_id:id}/move")
def board_move(
    request: Request, deal_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """A card dropped on another column: the refreshed board, or why the move was refused."""
    deal = opportunities.get_opportunity(session, deal_id)
    state = FormState.from_form(form)
    state.values.setdefault("reason", "")
    source = deal.stage.name
    moved = attempt(
        session,
        state,
        lambda: opportunities.move_opportunity(
            session, actor=user, opportunity=deal, data=MoveIn.model_validate(state.data(MoveIn))
        ),
    )
    if moved is None:
        deal = opportunities.get_opportunity(session, deal_id)
        stages = opportunities.pipeline_stages(session, deal.pipeline_id)
        target = next((s for s in stages if s.key == state.value("stage")), None)
        context = {
            "deal": deal,
            "target": target,
            "move": state,
            "rated": rated_criteria(session, subject=GateSubject.OPPORTUNITY),
        }
        headers = {"X-Techwin-Move": "refused"}
        return render(
            request, "board/_refused.html", context, status_code=state.status, headers=headers
        )
    message = f"{deal.name} moved from {source} to {deal.stage.name}."
    headers = {"X-Techwin-Toast": quote(message)}
    return render(request, "board/_board.html", _board(session, user, form), headers=headers)
