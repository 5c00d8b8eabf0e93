"""Full-table CSV export (custom fields included) that `--preset generic` imports back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from techwin.auth.models import User
from techwin.pipeline.imports.fields import FIELDS
from techwin.pipeline.models import (
    Account,
    Contact,
    CustomField,
    LifecycleTransition,
    Opportunity,
    PipelineStage,
)

EXPORTS = ("accounts", "contacts", "opportunities", "transitions")
BATCH = 5000


def custom_keys(session: Session, entity: str) -> list[str]:
    """The custom fields of a record type, in creation order."""
    return list(
        session.scalars(
            select(CustomField.key)
            .where(CustomField.entity == entity.removesuffix("s"))
            .order_by(CustomField.id)
        )
    )


def _fmt(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def export_table(session: Session, entity: str) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and the rows of a whole table, streamed in id order."""
    if entity == "transitions":
        return _transitions(session)
    keys = custom_keys(session, entity)
    fields = [f for f in FIELDS[entity] if f != "outcome"]
    header = fields + keys
    owner = aliased(User)
    query: Any
    base: Callable[[Any], dict[str, Any]]
    if entity == "accounts":
        query = (
            select(Account, owner.email)
            .outerjoin(owner, owner.id == Account.owner_id)
            .order_by(Account.id)
        )

        def base(r: Any) -> dict[str, Any]:
            a, owner_email = r
            return {
                "external_id": a.external_id,
                "name": a.name,
                "domain": a.domain,
                "industry": a.industry,
                "employee_count": a.employee_count,
                "region": a.region,
                "owner": owner_email,
                "created_at": a.created_at,
                "custom": a.custom,
            }
    elif entity == "contacts":
        query = (
            select(Contact, owner.email, Account.name)
            .outerjoin(owner, owner.id == Contact.owner_id)
            .outerjoin(Account, Account.id == Contact.account_id)
            .order_by(Contact.id)
        )

        def base(r: Any) -> dict[str, Any]:
            c, owner_email, account_name = r
            return {
                "external_id": c.external_id,
                "first_name": c.first_name,
                "last_name": c.last_name,
                "email": c.email,
                "phone": c.phone,
                "title": c.title,
                "seniority": c.seniority,
                "department": c.department,
                "source": c.source,
                "lifecycle_stage": c.lifecycle_stage,
                "account": account_name,
                "owner": owner_email,
                "created_at": c.created_at,
                "custom": c.custom,
            }
    else:
        query = (
            select(Opportunity, owner.email, Account.name, PipelineStage.key)
            .outerjoin(owner, owner.id == Opportunity.owner_id)
            .join(Account, Account.id == Opportunity.account_id)
            .join(PipelineStage, PipelineStage.id == Opportunity.stage_id)
            .order_by(Opportunity.id)
        )

        def base(r: Any) -> dict[str, Any]:
            o, owner_email, account_name, stage = r
            return {
                "external_id": o.external_id,
                "name": o.name,
                "account": account_name,
                "owner": owner_email,
                "stage": stage,
                "acv": o.acv,
                "term_months": o.term_months,
                "currency": o.currency,
                "close_date": o.close_date,
                "probability": o.probability,
                "competitors": o.competitors,
                "next_step": o.next_step,
                "next_step_due": o.next_step_due,
                "compelling_event": o.compelling_event,
                "description": o.description,
                "created_at": o.created_at,
                "custom": o.custom,
            }

    def row(result: Any) -> list[Any]:
        values = base(result)
        custom = values["custom"] or {}
        return [_fmt(values[f]) for f in fields] + [_fmt(custom.get(k)) for k in keys]

    def rows() -> Iterator[list[Any]]:
        for result in session.execute(query.execution_options(yield_per=BATCH)):
            yield row(result)

    return header, rows()


def _transitions(session: Session) -> tuple[list[str], Iterator[list[Any]]]:
    actor = aliased(User)
    header = [
        "contact_email",
        "contact_external_id",
        "from_stage",
        "to_stage",
        "at",
        "actor",
        "reason",
    ]
    query = (
        select(
            Contact.email,
            Contact.external_id,
            LifecycleTransition.from_stage,
            LifecycleTransition.to_stage,
            LifecycleTransition.at,
            actor.email,
            LifecycleTransition.reason,
        )
        .join(Contact, Contact.id == LifecycleTransition.contact_id)
        .outerjoin(actor, actor.id == LifecycleTransition.actor_id)
        .order_by(LifecycleTransition.contact_id, LifecycleTransition.at, LifecycleTransition.id)
    )

    def rows() -> Iterator[list[Any]]:
        for result in session.execute(query.execution_options(yield_per=BATCH)):
            yield [_fmt(v) for v in result]

    return header, rows()
