"""Accounts."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import StreamingResponse

from techwin.api.paging import PageOut, page_out
from techwin.core.csvout import csv_lines
from techwin.core.types import RecordId
from techwin.deps import ApiUser, PageDep, SessionDep
from techwin.pipeline import accounts as service
from techwin.pipeline.schemas import AccountIn, AccountOut, AccountPatch

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.get("", response_model=PageOut[AccountOut])
def list_accounts(
    session: SessionDep,
    user: ApiUser,
    paging: PageDep,
    q: str | None = None,
    owner_id: RecordId | None = None,
    industry: str | None = None,
    region: str | None = None,
    sort: str = "name",
) -> dict[str, object]:
    """Accounts, filtered and paginated."""
    filters = service.AccountFilter(q=q, owner_id=owner_id, industry=industry, region=region)
    page = service.list_accounts(session, filters=filters, page=paging, sort=sort)
    return page_out(page, [AccountOut.model_validate(a) for a in page.items])


@router.get("/export", response_class=StreamingResponse)
def export_accounts(
    session: SessionDep,
    user: ApiUser,
    q: str | None = None,
    owner_id: RecordId | None = None,
    industry: str | None = None,
    region: str | None = None,
    sort: str = "name",
) -> StreamingResponse:
    """The filtered account list as CSV, in the list's order."""
    filters = service.AccountFilter(q=q, owner_id=owner_id, industry=industry, region=region)
    rows = list(service.export_rows(session, filters=filters, sort=sort))
    return StreamingResponse(
        csv_lines(service.ACCOUNT_EXPORT_HEADER, rows),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="accounts.csv"'},
    )


@router.post("", response_model=AccountOut, status_code=status.HTTP_201_CREATED)
def create_account(body: AccountIn, session: SessionDep, user: ApiUser) -> AccountOut:
    """Add an account."""
    return AccountOut.model_validate(service.create_account(session, actor=user, data=body))


@router.get("/{account_id}", response_model=AccountOut)
def get_account(account_id: RecordId, session: SessionDep, user: ApiUser) -> AccountOut:
    """One account."""
    return AccountOut.model_validate(service.get_account(session, account_id))


@router.patch("/{account_id}", response_model=AccountOut)
def update_account(
    account_id: RecordId, body: AccountPatch, session: SessionDep, user: ApiUser
) -> AccountOut:
    """Change an account; send ``version`` to be protected from overwriting someone else's edit."""
    account = service.get_account(session, account_id)
    return AccountOut.model_validate(
        service.update_account(session, actor=user, account=account, data=body)
    )
