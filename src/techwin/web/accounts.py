"""Accounts: list, detail, create and edit."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from techwin.auth.audit import list_audit
from techwin.core.csvout import csv_lines
from techwin.core.pagination import PageRequest
from techwin.deps import SessionDep, WebUser
from techwin.pipeline import accounts, contacts, opportunities
from techwin.pipeline.schemas import AccountIn, AccountPatch
from techwin.web import options
from techwin.web.forms import Filters, FormState, attempt
from techwin.web.pages import fragment
from techwin.web.presenters import audit_entries
from techwin.web.rendering import redirect, render
from techwin.web.security import FormDep

router = APIRouter()

FIELDS = ("name", "domain", "industry", "employee_count", "region", "owner_id")
LABELS = {
    "name": "Name",
    "domain": "Domain",
    "industry": "Industry",
    "employee_count": "Employees",
    "region": "Region",
    "owner_id": "Owner",
}
SORTS = {
    "name": "Name (A–Z)",
    "-created": "Newest first",
    "created": "Oldest first",
    "-employees": "Largest first",
}


def _form_page(
    request: Request, session: SessionDep, form: FormState, *, account: object = None
) -> dict[str, object]:
    return {"form": form, "account": account, "labels": LABELS, "people": options.people(session)}


@router.get("/accounts")
def account_list(request: Request, session: SessionDep) -> Response:
    """Accounts, searchable and paginated."""
    f = Filters(request.query_params)
    filters = accounts.AccountFilter(q=f.text("q"), owner_id=f.integer("owner_id"))
    sort = f.one_of("sort", SORTS, "name")
    page = accounts.list_accounts(session, filters=filters, page=f.page(), sort=sort)
    context = {
        "page": page,
        "f": f,
        "sort": sort,
        "sorts": SORTS,
        "people": options.people(session),
    }
    name = "accounts/_results.html" if fragment(request, "results") else "accounts/list.html"
    return render(request, name, context)


@router.get("/accounts/export")
def account_export(request: Request, session: SessionDep) -> Response:
    """Exactly the accounts the list's filters show, in its order, as CSV."""
    f = Filters(request.query_params)
    filters = accounts.AccountFilter(q=f.text("q"), owner_id=f.integer("owner_id"))
    sort = f.one_of("sort", SORTS, "name")
    rows = list(accounts.export_rows(session, filters=filters, sort=sort))
    return StreamingResponse(
        csv_lines(accounts.ACCOUNT_EXPORT_HEADER, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="accounts-{date.today()}.csv"'},
    )


@router.get("/accounts/options")
def account_options(request: Request, session: SessionDep) -> Response:
    """``<option>``s for an account picker, filtered by what the person typed."""
    f = Filters(request.query_params)
    choices = options.account_choices(
        session, q=f.text("account_q"), selected=f.integer("account_id")
    )
    context = {"choices": choices, "selected": f.text("account_id") or "", "blank": "— none —"}
    return render(request, "accounts/_options.html", context)


@router.get("/accounts/new")
def account_new(request: Request, session: SessionDep, user: WebUser) -> Response:
    """The form for a new account."""
    form = FormState.blank(owner_id=user.id)
    return render(request, "accounts/form.html", _form_page(request, session, form))


@router.post("/accounts")
def account_create(request: Request, session: SessionDep, user: WebUser, form: FormDep) -> Response:
    """Add an account; bad input is shown on the form and nothing is stored."""
    state = FormState.from_form(form)
    created = attempt(
        session,
        state,
        lambda: accounts.create_account(
            session, actor=user, data=AccountIn.model_validate(state.data(AccountIn))
        ),
    )
    if created is None:
        context = _form_page(request, session, state)
        return render(request, "accounts/form.html", context, status_code=422)
    return redirect(f"/accounts/{created.id}", flash=f"Account {created.name} created.")


@router.get("/accounts/{account_id:id}")
def account_detail(request: Request, account_id: int, session: SessionDep) -> Response:
    """An account with its contacts, deals and history."""
    account = accounts.get_account(session, account_id)
    everyone = PageRequest(page=1, size=100)
    people = contacts.list_contacts(
        session, filters=contacts.ContactFilter(account_id=account.id), page=everyone, sort="name"
    )
    deals = opportunities.list_opportunities(
        session, filters=opportunities.OpportunityFilter(account_id=account.id), page=everyone
    )
    events = list_audit(session, entity_type="account", entity_id=account.id, limit=50)
    context = {
        "account": account,
        "contacts": people,
        "deals": deals,
        "entries": audit_entries(events, labels=LABELS),
    }
    return render(request, "accounts/detail.html", context)


@router.get("/accounts/{account_id:id}/edit")
def account_edit(request: Request, account_id: int, session: SessionDep) -> Response:
    """The edit form, showing the stored values and version."""
    account = accounts.get_account(session, account_id)
    form = FormState.from_record(account, (*FIELDS, "version"))
    return render(
        request, "accounts/form.html", _form_page(request, session, form, account=account)
    )


@router.post("/accounts/{account_id:id}/edit")
def account_update(
    request: Request, account_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Save an edit; a stale version or bad input is shown on the form."""
    account = accounts.get_account(session, account_id)
    state = FormState.from_form(form)
    state.require("name")
    saved = attempt(
        session,
        state,
        lambda: accounts.update_account(
            session,
            actor=user,
            account=account,
            data=AccountPatch.model_validate(state.data(AccountPatch)),
        ),
    )
    if saved is None:
        context = _form_page(
            request, session, state, account=accounts.get_account(session, account_id)
        )
        return render(request, "accounts/form.html", context, status_code=state.status)
    return redirect(f"/accounts/{saved.id}", flash="Account saved.")
