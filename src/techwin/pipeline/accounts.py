"""Accounts: the companies we sell to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from techwin.auth.audit import record_audit, record_update
from techwin.auth.models import User
from techwin.auth.permissions import require_edit_record, require_writer
from techwin.core.concurrency import check_version
from techwin.core.pagination import Page, PageRequest
from techwin.db.keyset import paged
from techwin.errors import Conflict, InvalidInput, NotFound
from techwin.pipeline.common import require_user_ref, snapshot
from techwin.pipeline.models import Account
from techwin.pipeline.schemas import AccountIn, AccountOut, AccountPatch


@dataclass(frozen=True)
class AccountFilter:
    """What an account list is narrowed to."""

    q: str | None = None
    owner_id: int | None = None
    industry: str | None = None
    region: str | None = None


ACCOUNT_SORTS: dict[str, Any] = {
    "name": Account.name.asc(),
    "-created": Account.created_at.desc(),
    "created": Account.created_at.asc(),
    "-employees": Account.employee_count.desc(),
}


def get_account(session: Session, account_id: int) -> Account:
    """The account or NotFound."""
    account = session.get(Account, account_id, options=[joinedload(Account.owner)])
    if account is None:
        raise NotFound(f"account {account_id} does not exist", field="account_id")
    return account


def create_account(session: Session, *, actor: User | None, data: AccountIn) -> Account:
    """Add an account; the creator owns it unless an owner is named."""
    require_writer(actor)
    require_user_ref(session, data.owner_id, field="owner_id")
    if data.external_id and session.scalar(
        select(Account.id).where(Account.external_id == data.external_id)
    ):
        raise Conflict(
            f"an account with external id {data.external_id} exists", field="external_id"
        )
    owner_id = data.owner_id if data.owner_id is not None else (actor.id if actor else None)
    account = Account(**data.model_dump(exclude={"owner_id"}), owner_id=owner_id)
    session.add(account)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="account.create",
        entity_type="account",
        entity_id=account.id,
        summary=f"created account {account.name}",
    )
    return account


def update_account(
    session: Session, *, actor: User | None, account: Account, data: AccountPatch
) -> Account:
    """Change an account's fields (owner, manager or admin)."""
    require_edit_record(actor, owner_id=account.owner_id, what="account")
    before = snapshot(AccountOut, account)
    check_version(account.version, data.version, what="account", values=before)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "name" in changes and changes["name"] is None:
        raise InvalidInput("name cannot be empty", field="name")
    if "owner_id" in changes:
        require_user_ref(session, changes["owner_id"], field="owner_id")
    for field, value in changes.items():
        setattr(account, field, value)
    session.flush()
    record_update(
        session,
        actor=actor,
        entity_type="account",
        entity_id=account.id,
        before=before,
        after=snapshot(AccountOut, account),
    )
    return account


def _filtered(filters: AccountFilter) -> Select[Account]:
    query = select(Account)
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(
            or_(func.lower(Account.name).like(like), func.lower(Account.domain).like(like))
        )
    if filters.owner_id is not None:
        query = query.where(Account.owner_id == filters.owner_id)
    if filters.industry:
        query = query.where(Account.industry == filters.industry)
    if filters.region:
        query = query.where(Account.region == filters.region)
    return query


def _order(sort: str) -> tuple[Any, ...]:
    return (ACCOUNT_SORTS.get(sort, Account.name.asc()), Account.id.asc())


def list_accounts(
    session: Session, *, filters: AccountFilter, page: PageRequest, sort: str = "name"
) -> Page[Account]:
    """Accounts matching ``filters``, one page, with owners loaded."""
    return paged(
        session, _filtered(filters), _order(sort), page, options=(joinedload(Account.owner),)
    )


ACCOUNT_EXPORT_HEADER = (
    "id",
    "external_id",
    "name",
    "domain",
    "industry",
    "employee_count",
    "region",
    "owner",
    "created_at",
)


def export_rows(
    session: Session, *, filters: AccountFilter, sort: str = "name"
) -> Iterator[tuple[object, ...]]:
    """Rows for the CSV export of a filtered account list, in the list's order."""
    query = (
        _filtered(filters)
        .options(joinedload(Account.owner))
        .order_by(*_order(sort))
        .execution_options(yield_per=1000)
    )
    for a in session.scalars(query):
        yield (
            a.id,
            a.external_id,
            a.name,
            a.domain,
            a.industry,
            a.employee_count,
            a.region,
            a.owner.email if a.owner else None,
            a.created_at.isoformat(),
        )
