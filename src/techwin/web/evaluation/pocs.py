"""A POC's own pages: plan it with its success criteria, edit the plan, record each criterion's
result with evidence, then the outcome and the customer's sign-off."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from techwin.auth.audit import list_audit
from techwin.auth.models import User
from techwin.auth.permissions import can_edit_record
from techwin.deps import SessionDep, WebUser
from techwin.errors import InvalidInput, NotFound
from techwin.evaluation import pocs
from techwin.evaluation.enums import CriterionResult, PocOutcome, PocStatus
from techwin.evaluation.models import Poc
from techwin.evaluation.schemas import CriterionIn, OutcomeIn, PocIn, PocPatch, ResultIn, SignOffIn
from techwin.pipeline.models import Opportunity
from techwin.pipeline.opportunities import get_opportunity
from techwin.web.evaluation.common import (
    LABELS,
    MAX_POC_ROWS,
    NEW_POC_ROWS,
    POC_TITLES,
    RESULT_CHOICES,
    history,
    validated,
)
from techwin.web.forms import FormState, attempt
from techwin.web.rendering import redirect, render
from techwin.web.security import FormDep

router = APIRouter()


def _poc_of(session: Session, deal_id: int, poc_id: int) -> Poc:
    poc = pocs.get_poc(session, poc_id)
    if poc.opportunity_id != deal_id:
        raise NotFound(f"deal {deal_id} has no POC {poc_id}", field="poc_id")
    return poc


def _criteria_rows(form: FormState, rows: int) -> list[dict[str, str]]:
    """The criteria typed on the new-POC form; rows left blank are not criteria."""
    found = []
    for index in range(rows):
        description = form.value(f"criteria.{index}.description").strip()
        target = form.value(f"criteria.{index}.target").strip()
        found.append({"description": description, "target": target})
    while found and not any(found[-1].values()):
        found.pop()
    return found


def _row_count(form: FormState) -> int:
    posted = {
        int(key.split(".")[1])
        for key in form.values
        if key.startswith("criteria.") and key.split(".")[1].isdigit()
    }
    wanted = max(NEW_POC_ROWS, (max(posted) + 1) if posted else 0)
    return min(wanted, MAX_POC_ROWS)


def _poc_form_page(
    request: Request,
    deal: Opportunity,
    form: FormState,
    *,
    poc: Poc | None = None,
    rows: int = NEW_POC_ROWS,
    status: int = 200,
) -> Response:
    context = {"deal": deal, "poc": poc, "form": form, "labels": LABELS, "rows": rows}
    return render(request, "evaluation/poc_form.html", context, status_code=status)


@router.get("/opportunities/{deal_id:id}/pocs/new")
def poc_new(request: Request, deal_id: int, session: SessionDep, user: WebUser) -> Response:
    """The form for a new POC with its success criteria."""
    deal = get_opportunity(session, deal_id)
    form = FormState.blank()
    return _poc_form_page(request, deal, form, rows=_row_count(form))


@router.post("/opportunities/{deal_id:id}/pocs")
def poc_create(
    request: Request, deal_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Plan the POC; bad input is shown beside its input and nothing is stored."""
    deal = get_opportunity(session, deal_id)
    state = FormState.from_form(form)
    rows = _row_count(state)
    for index in range(rows):
        for part in ("description", "target"):
            state.values.setdefault(f"criteria.{index}.{part}", "")
    state.require("title", "scope", "start_date", "end_date")

    def save() -> Poc:
        data = dict(state.data(PocIn))
        data["criteria"] = _criteria_rows(state, rows)
        return pocs.create_poc(session, actor=user, opportunity=deal, data=validated(PocIn, data))

    created = attempt(session, state, save)
    if created is None:
        deal = get_opportunity(session, deal_id)
        return _poc_form_page(request, deal, state, rows=rows, status=state.status)
    return redirect(
        f"/opportunities/{deal_id}/pocs/{created.id}", flash=f"POC {created.title} planned."
    )


def _poc_page(
    request: Request,
    session: Session,
    user: User,
    deal_id: int,
    poc_id: int,
    *,
    status: int = 200,
    result_forms: dict[int, FormState] | None = None,
    forms: dict[str, FormState] | None = None,
) -> Response:
    deal = get_opportunity(session, deal_id)
    poc = _poc_of(session, deal_id, poc_id)
    view = pocs.poc_out(poc)
    can_edit = can_edit_record(
        user, owner_id=deal.owner_id, team_ids=[u.id for u in deal.engineers]
    )
    results = result_forms or {}
    forms = forms or {}
    suggested = view.suggested_outcome.value if view.suggested_outcome else ""
    context = {
        "deal": deal,
        "poc": view,
        "can_edit": can_edit,
        "is_open": view.outcome is None,
        "is_running": view.status is PocStatus.RUNNING,
        "tested": sum(c.result is not CriterionResult.PENDING for c in view.criteria),
        "result_forms": {
            c.id: results.get(c.id)
            or FormState.blank(
                result="" if c.result is CriterionResult.PENDING else c.result.value,
                evidence=c.evidence,
            )
            for c in view.criteria
        },
        "result_choices": RESULT_CHOICES,
        "outcomes": [(o.value, o.label) for o in PocOutcome],
        "add_form": forms.get("add_form") or FormState.blank(),
        "outcome_form": forms.get("outcome_form") or FormState.blank(outcome=suggested),
        "signoff_form": forms.get("signoff_form") or FormState.blank(),
        "labels": LABELS,
        "entries": history(list_audit(session, entity_type="poc", entity_id=poc.id), POC_TITLES),
    }
    return render(request, "evaluation/poc.html", context, status_code=status)


@router.get("/opportunities/{deal_id:id}/pocs/{poc_id:id}")
def poc_detail(
    request: Request, deal_id: int, poc_id: int, session: SessionDep, user: WebUser
) -> Response:
    """A POC: its success criteria and their results, outcome, sign-off and history."""
    return _poc_page(request, session, user, deal_id, poc_id)


@router.get("/opportunities/{deal_id:id}/pocs/{poc_id:id}/edit")
def poc_edit(
    request: Request, deal_id: int, poc_id: int, session: SessionDep, user: WebUser
) -> Response:
    """The form to change an open POC's plan."""
    deal = get_opportunity(session, deal_id)
    poc = _poc_of(session, deal_id, poc_id)
    names = ("title", "scope", "start_date", "end_date", "environment", "version")
    return _poc_form_page(request, deal, FormState.from_record(poc, names), poc=poc)


@router.post("/opportunities/{deal_id:id}/pocs/{poc_id:id}/edit")
def poc_update(
    request: Request,
    deal_id: int,
    poc_id: int,
    session: SessionDep,
    user: WebUser,
    form: FormDep,
) -> Response:
    """Save the POC's plan; a stale version or bad dates stay on the form."""
    deal = get_opportunity(session, deal_id)
    poc = _poc_of(session, deal_id, poc_id)
    state = FormState.from_form(form)
    state.values.setdefault("environment", "")
    state.require("title", "scope", "start_date", "end_date")

    def save() -> Poc:
        data = validated(PocPatch, state.data(PocPatch))
        return pocs.update_poc(session, actor=user, poc=poc, data=data)

    if attempt(session, state, save) is None:
        deal = get_opportunity(session, deal_id)
        return _poc_form_page(
            request, deal, state, poc=_poc_of(session, deal_id, poc_id), status=state.status
        )
    return redirect(f"/opportunities/{deal_id}/pocs/{poc_id}", flash="POC plan saved.")


def _poc_action(
    request: Request,
    session: Session,
    user: User,
    deal_id: int,
    poc_id: int,
    form: FormDep,
    *,
    key: str,
    action: Callable[[Poc, FormState], object],
    done: str,
    anchor: str,
    defaults: tuple[str, ...] = (),
    criterion_id: int | None = None,
) -> Response:
    poc = _poc_of(session, deal_id, poc_id)
    state = FormState.from_form(form)
    for name in defaults:
        state.values.setdefault(name, "")
    if attempt(session, state, lambda: action(poc, state)) is None:
        if criterion_id is not None:
            return _poc_page(
                request,
                session,
                user,
                deal_id,
                poc_id,
                status=state.status,
                result_forms={criterion_id: state},
            )
        return _poc_page(
            request, session, user, deal_id, poc_id, status=state.status, forms={key: state}
        )
    return redirect(f"/opportunities/{deal_id}/pocs/{poc_id}#{anchor}", flash=done)


@router.post("/opportunities/{deal_id:id}/pocs/{poc_id:id}/criteria")
def criterion_add(
    request: Request,
    deal_id: int,
    poc_id: int,
    session: SessionDep,
    user: WebUser,
    form: FormDep,
) -> Response:
    """Add a success criterion with its measurable target."""

    def save(poc: Poc, state: FormState) -> object:
        data = validated(CriterionIn, state.data(CriterionIn))
        return pocs.add_criterion(session, actor=user, poc=poc, data=data)

    return _poc_action(
        request,
        session,
        user,
        deal_id,
        poc_id,
        form,
        key="add_form",
        action=save,
        done="Success criterion added.",
        anchor="criteria",
        defaults=("description", "target"),
    )


@router.post("/opportunities/{deal_id:id}/pocs/{poc_id:id}/criteria/{criterion_id:id}/result")
def criterion_result(
    request: Request,
    deal_id: int,
    poc_id: int,
    criterion_id: int,
    session: SessionDep,
    user: WebUser,
    form: FormDep,
) -> Response:
    """Record a criterion's result with its evidence."""

    def save(poc: Poc, state: FormState) -> object:
        if not state.value("result"):
            raise InvalidInput("choose met, partly met or not met", field="result")
        data = validated(ResultIn, state.data(ResultIn))
        return pocs.record_result(
            session, actor=user, poc=poc, criterion_id=criterion_id, data=data
        )

    return _poc_action(
        request,
        session,
        user,
        deal_id,
        poc_id,
        form,
        key="result",
        action=save,
        done="Result recorded.",
        anchor=f"criterion-{criterion_id}",
        defaults=("result", "evidence"),
        criterion_id=criterion_id,
    )


@router.post("/opportunities/{deal_id:id}/pocs/{poc_id:id}/criteria/{criterion_id:id}/remove")
def criterion_remove(
    deal_id: int, poc_id: int, criterion_id: int, session: SessionDep, user: WebUser
) -> Response:
    """Remove a success criterion from an open POC."""
    poc = _poc_of(session, deal_id, poc_id)
    pocs.remove_criterion(session, actor=user, poc=poc, criterion_id=criterion_id)
    return redirect(
        f"/opportunities/{deal_id}/pocs/{poc_id}#criteria", flash="Success criterion removed."
    )


@router.post("/opportunities/{deal_id:id}/pocs/{poc_id:id}/outcome")
def poc_outcome(
    request: Request,
    deal_id: int,
    poc_id: int,
    session: SessionDep,
    user: WebUser,
    form: FormDep,
) -> Response:
    """Conclude the POC with its outcome."""

    def save(poc: Poc, state: FormState) -> object:
        if not state.value("outcome"):
            raise InvalidInput("choose how the POC ended", field="outcome")
        data = validated(OutcomeIn, state.data(OutcomeIn))
        return pocs.record_outcome(session, actor=user, poc=poc, data=data)

    return _poc_action(
        request,
        session,
        user,
        deal_id,
        poc_id,
        form,
        key="outcome_form",
        action=save,
        done="Outcome recorded: the POC is concluded.",
        anchor="outcome",
        defaults=("outcome", "notes", "concluded_on"),
    )


@router.post("/opportunities/{deal_id:id}/pocs/{poc_id:id}/sign-off")
def poc_sign_off(
    request: Request,
    deal_id: int,
    poc_id: int,
    session: SessionDep,
    user: WebUser,
    form: FormDep,
) -> Response:
    """Record the customer's sign-off of the results."""

    def save(poc: Poc, state: FormState) -> object:
        data = validated(SignOffIn, state.data(SignOffIn))
        return pocs.sign_off(session, actor=user, poc=poc, data=data)

    return _poc_action(
        request,
        session,
        user,
        deal_id,
        poc_id,
        form,
        key="signoff_form",
        action=save,
        done="Sign-off recorded.",
        anchor="sign-off",
        defaults=("signed_off_by", "signed_off_on"),
    )


@router.post("/opportunities/{deal_id:id}/pocs/{poc_id:id}/delete")
def poc_delete(deal_id: int, poc_id: int, session: SessionDep, user: WebUser) -> Response:
    """Remove a POC planned by mistake."""
    poc = _poc_of(session, deal_id, poc_id)
    title = poc.title
    pocs.delete_poc(session, actor=user, poc=poc)
    return redirect(f"/opportunities/{deal_id}#poc", flash=f"POC {title} deleted.")
