"""SE requests in the web UI: the request form with a live charter check, the request page with
its status, reasons and actions (resubmit, override, assign, decline, cancel, done), and the
queue where managers assign SEs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.collaboration import assignment, requests
from techwin.collaboration.access import managed_team_ids
from techwin.collaboration.charter_rules import Verdict
from techwin.collaboration.enums import REQUEST_KIND_LABELS, RequestKind, RequestStatus
from techwin.collaboration.facts import check_request
from techwin.collaboration.models import SERequest
from techwin.collaboration.playbook import question_bank
from techwin.collaboration.schemas import RequestIn
from techwin.core.time import utcnow
from techwin.deps import SessionDep, WebUser
from techwin.errors import InvalidInput, NotFound, PermissionDenied
from techwin.evaluation import se_requests
from techwin.evaluation.technical_win import require_se_work_open
from techwin.pipeline import opportunities
from techwin.pipeline.models import Opportunity
from techwin.web.collaboration import presenters
from techwin.web.forms import Filters, FormState, attempt
from techwin.web.pages import fragment
from techwin.web.rendering import redirect, render
from techwin.web.security import FormDep

router = APIRouter()

S = RequestStatus
LABELS = {
    "kind": "What you need",
    "needed_by": "Needed by",
    "topics": "Topics and skills",
    "attendees": "Who attends from the prospect",
    "notes": "Context for the SE",
    "opportunity_id": "Deal",
    "reason": "Reason",
    "se_id": "SE",
    "unanswered": "Questions left open",
}
QUEUE_TABS = {
    "waiting": ("Needs an SE", (S.ACCEPTED,)),
    "blocked": ("Blocked", (S.BLOCKED,)),
    "active": ("In progress", (S.ASSIGNED, S.SCHEDULED)),
    "closed": ("Closed", (S.DONE, S.DECLINED, S.CANCELLED)),
    "all": ("All", ()),
}
ACTIONS = ("resubmit", "override", "assign", "decline", "cancel", "complete")


def _check(
    session: Session, deal: Opportunity, kind: RequestKind | None, needed_by: date | None
) -> list[Verdict]:
    if kind is None:
        return []
    _charter_id, verdicts = check_request(session, deal, kind, needed_by=needed_by)
    return verdicts


def _form_context(
    session: Session, user: User, deal: Opportunity, form: FormState
) -> dict[str, object]:
    try:
        kind: RequestKind | None = RequestKind(form.value("kind"))
    except ValueError:
        kind = None
    return {
        "deal": deal,
        "form": form,
        "labels": LABELS,
        "kinds": presenters.KIND_OPTIONS,
        "hints": presenters.KIND_HINTS,
        "kind": kind,
        "verdicts": _check(session, deal, kind, Filters(form.values).day("needed_by")),
    }


def _require_requester(session: Session, user: User, deal: Opportunity) -> None:
    """The form is for the deal's AE or a manager, on an open deal without a no-go."""
    if not presenters.is_requester(user) or (user.role is Role.AE and user.id != deal.owner_id):
        raise PermissionDenied("only the deal's AE or a manager can request SE time on it")
    requests.require_open_deal(deal)
    require_se_work_open(session, deal.id)


@router.get("/opportunities/{deal_id:id}/requests/new")
def request_new(request: Request, deal_id: int, session: SessionDep, user: WebUser) -> Response:
    """The request form, with what the charter says about the chosen kind."""
    deal = opportunities.get_opportunity(session, deal_id)
    _require_requester(session, user, deal)
    f = Filters(request.query_params)
    kind = f.choice("kind", RequestKind) or RequestKind.CUSTOM_DEMO
    needed = utcnow().date() + timedelta(days=7)
    form = FormState.blank(kind=kind.value, needed_by=needed, topics="", attendees="", notes="")
    return render(
        request, "collaboration/request_form.html", _form_context(session, user, deal, form)
    )


@router.get("/opportunities/{deal_id:id}/requests/check")
def request_check(request: Request, deal_id: int, session: SessionDep, user: WebUser) -> Response:
    """The charter check for a kind of request (the form refreshes it when the kind changes)."""
    deal = opportunities.get_opportunity(session, deal_id)
    _require_requester(session, user, deal)
    f = Filters(request.query_params)
    kind = f.choice("kind", RequestKind)
    verdicts = _check(session, deal, kind, f.day("needed_by"))
    context = {"deal": deal, "kind": kind, "verdicts": verdicts}
    if fragment(request, "charter-check"):
        return render(request, "collaboration/_check.html", context)
    return redirect(f"/opportunities/{deal_id}/requests/new?kind={kind.value if kind else ''}")


def _request_data(state: FormState, deal_id: int) -> RequestIn:
    topics = [t.strip() for t in state.value("topics").replace(";", ",").split(",") if t.strip()]
    data = state.data(RequestIn, opportunity_id=deal_id)
    data["topics"] = topics
    return RequestIn.model_validate(data)


@router.post("/opportunities/{deal_id:id}/requests")
def request_create(
    request: Request, deal_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Submit the request; the charter check decides whether it is blocked or accepted."""
    deal = opportunities.get_opportunity(session, deal_id)
    state = FormState.from_form(form)
    for name in ("topics", "attendees", "notes"):
        state.values.setdefault(name, "")
    state.require("kind", "needed_by")
    created = attempt(
        session,
        state,
        lambda: se_requests.submit_request(session, actor=user, data=_request_data(state, deal_id)),
    )
    if created is None:
        deal = opportunities.get_opportunity(session, deal_id)
        context = _form_context(session, user, deal, state)
        return render(request, "collaboration/request_form.html", context, status_code=state.status)
    label = REQUEST_KIND_LABELS[created.kind]
    if created.status is S.BLOCKED:
        count = len(created.unmet)
        note = f"{label} blocked by the charter: {count} threshold{'s' if count > 1 else ''} unmet."
    else:
        note = f"{label} requested; the charter is met and a manager will assign an SE."
    return redirect(f"/requests/{created.id}", flash=note)


def detail_context(
    session: Session,
    user: User,
    found: SERequest,
    *,
    failed: str | None = None,
    state: FormState | None = None,
) -> dict[str, object]:
    """Everything the request page shows; a refused action keeps its form's values."""
    allowed = requests.allowed_actions(user, found, managed=managed_team_ids(session, user))
    forms = {action: FormState.blank() for action in ACTIONS}
    if failed and state is not None:
        forms[failed] = state
    suggestions = (
        assignment.suggest(session, actor=user, request=found) if "assign" in allowed else []
    )
    live: dict[str, Verdict] = {}
    if found.status is S.BLOCKED:  # what blocked it then, read against the deal as it is now
        _charter, verdicts = check_request(
            session, found.opportunity, found.kind, needed_by=found.needed_by
        )
        live = {v.key: v for v in verdicts}
    return {
        "live": live,
        "met_now": {key for key, verdict in live.items() if verdict.met},
        "req": found,
        "deal": found.opportunity,
        "events": requests.request_events(session, found.id),
        "steps": presenters.steps(found),
        "allowed": allowed,
        "forms": forms,
        "failed": failed,
        "suggestions": suggestions,
        "bank": question_bank(),
        "labels": LABELS,
        "is_assignee": found.assignee_id == user.id,
    }


@router.get("/requests/{request_id:id}")
def request_detail(
    request: Request, request_id: int, session: SessionDep, user: WebUser
) -> Response:
    """A request: where it stands, why it is blocked, who may do what next."""
    found = requests.get_request(session, request_id)
    return render(request, "collaboration/request.html", detail_context(session, user, found))


def _version(state: FormState) -> int | None:
    text = state.value("version").strip()
    return int(text) if text.isdigit() else None


def _se_id(state: FormState) -> int:
    text = state.value("se_id").strip()
    if not text.isdigit():
        raise InvalidInput("choose the SE who takes this request", field="se_id")
    return int(text)


def _resubmitted(found: SERequest) -> str:
    if found.status is S.BLOCKED:
        return f"Still blocked: {len(found.unmet)} threshold(s) unmet."
    return "The charter is met now; the request waits for an SE."


def _assigned(found: SERequest) -> str:
    return f"Assigned to {found.assignee.full_name if found.assignee else 'the SE'}."


@dataclass(frozen=True)
class _Action:
    """One button of the request page: the service call it makes and what the flash says."""

    run: Callable[[Session, User, SERequest, FormState], object]
    done: Callable[[SERequest], str]


_ACTIONS: dict[str, _Action] = {
    "resubmit": _Action(
        lambda session, user, found, state: se_requests.resubmit_request(
            session, actor=user, request=found, version=_version(state)
        ),
        _resubmitted,
    ),
    "override": _Action(
        lambda session, user, found, state: requests.override_request(
            session,
            actor=user,
            request=found,
            reason=state.value("reason"),
            version=_version(state),
        ),
        lambda found: "Charter overridden; the reason is in the audit log.",
    ),
    "assign": _Action(
        lambda session, user, found, state: requests.assign_request(
            session, actor=user, request=found, se_id=_se_id(state), version=_version(state)
        ),
        _assigned,
    ),
    "decline": _Action(
        lambda session, user, found, state: requests.decline_request(
            session,
            actor=user,
            request=found,
            reason=state.value("reason"),
            unanswered=state.chosen("unanswered"),
            version=_version(state),
        ),
        lambda found: "Request declined; the AE sees your reason and the open questions.",
    ),
    "cancel": _Action(
        lambda session, user, found, state: requests.cancel_request(
            session,
            actor=user,
            request=found,
            reason=state.value("reason"),
            version=_version(state),
        ),
        lambda found: "Request cancelled.",
    ),
    "complete": _Action(
        lambda session, user, found, state: requests.complete_request(
            session, actor=user, request=found, version=_version(state)
        ),
        lambda found: "Request marked done.",
    ),
}
assert tuple(_ACTIONS) == ACTIONS


@router.post("/requests/{request_id:id}/{action}")
def request_action(
    request: Request,
    request_id: int,
    action: str,
    session: SessionDep,
    user: WebUser,
    form: FormDep,
) -> Response:
    """One of the request's actions: resubmit, override (managers, with a reason), assign
    (managers), decline (the SE, with a reason and the open questions), cancel, complete. A
    refusal shows the request page again with the form's values and the error beside them."""
    step = _ACTIONS.get(action)
    if step is None:
        raise NotFound(f"no request action {action!r}", field="action")
    found = requests.get_request(session, request_id)
    state = FormState.from_form(form, lists=("unanswered",))
    for name in ("reason", "se_id"):
        state.values.setdefault(name, "")
    if attempt(session, state, lambda: step.run(session, user, found, state)) is None:
        found = requests.get_request(session, request_id)
        context = detail_context(session, user, found, failed=action, state=state)
        return render(request, "collaboration/request.html", context, status_code=state.status)
    return redirect(f"/requests/{request_id}", flash=step.done(found))


@router.get("/requests")
def queue(request: Request, session: SessionDep, user: WebUser) -> Response:
    """The request queue: managers assign SEs from the suggestions; everyone follows theirs."""
    f = Filters(request.query_params)
    default_tab = "waiting" if user.is_manager_or_admin else "active"
    tab = f.one_of("tab", QUEUE_TABS, default_tab)
    mine = f.flag("mine")
    kind = f.choice("kind", RequestKind)
    se_id = f.integer("se_id")
    # A manager sees the requests on their teams' deals unless they ask for every team's.
    teams = managed_team_ids(session, user) if user.role is Role.MANAGER else None
    narrowed = bool(teams) and not f.flag("all_teams")
    filters = requests.RequestFilter(
        statuses=QUEUE_TABS[tab][1],
        requester_id=user.id if mine else None,
        assignee_id=se_id,
        kind=kind,
        team_ids=tuple(sorted(teams)) if teams and narrowed else None,
    )
    page = None if f.errors else requests.list_requests(session, filters=filters, page=f.page())
    suggestions = {}
    if page is not None and user.is_manager_or_admin:
        waiting = [
            r
            for r in page.items
            if r.status in (S.ACCEPTED, S.ASSIGNED) and requests.manages_deal(teams, r)
        ]
        suggestions = assignment.suggest_many(session, actor=user, requests=waiting)
    context = {
        "page": page,
        "f": f,
        "tab": tab,
        "tabs": QUEUE_TABS,
        "kinds": presenters.KIND_OPTIONS,
        "suggestions": suggestions,
        "engineers": [(str(u.id), u.full_name) for u in _engineers(session)],
        "can_widen": bool(teams),
    }
    name = (
        "collaboration/_queue.html" if fragment(request, "results") else "collaboration/queue.html"
    )
    return render(request, name, context)


def _engineers(session: Session) -> list[User]:
    return auth_service.list_users(session, role=Role.SE, active_only=True)
