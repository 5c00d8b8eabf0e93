"""Build test records through the real services, with sensible defaults."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.auth.schemas import UserCreate
from techwin.pipeline import accounts, contacts, opportunities
from techwin.pipeline.models import Account, Contact, Opportunity
from techwin.pipeline.schemas import AccountIn, ContactIn, OpportunityIn

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def user(session: Session, *, role: Role = Role.AE, **kwargs: Any) -> User:
    """A user with a password of ``PASSWORD``."""
    n = next(_seq)
    data = {
        "email": f"{role.value}{n}@example.com",
        "full_name": f"{role.value.upper()} Person {n}",
        "role": role,
        "password": PASSWORD,
    }
    data.update(kwargs)
    return auth_service.create_user(session, actor=None, data=UserCreate(**data))


def account(session: Session, *, actor: User | None = None, **kwargs: Any) -> Account:
    """An account."""
    n = next(_seq)
    data: dict[str, Any] = {
        "name": f"Acme {n}",
        "domain": f"acme{n}.example",
        "industry": "Software",
        "employee_count": 500,
        "region": "EMEA",
    }
    data.update(kwargs)
    return accounts.create_account(session, actor=actor, data=AccountIn(**data))


def contact(session: Session, *, actor: User | None = None, **kwargs: Any) -> Contact:
    """A lead."""
    n = next(_seq)
    data: dict[str, Any] = {
        "first_name": "Dana",
        "last_name": f"Lead{n}",
        "email": f"dana{n}@example.com",
        "source": "webinar",
    }
    data.update(kwargs)
    return contacts.create_contact(session, actor=actor, data=ContactIn(**data))


def opportunity(
    session: Session, *, actor: User | None = None, account_id: int | None = None, **kwargs: Any
) -> Opportunity:
    """A deal at the first stage of the default pipeline."""
    if account_id is None:
        account_id = account(session, actor=actor).id
    data: dict[str, Any] = {"name": f"Deal {next(_seq)}", "account_id": account_id, "acv": "120000"}
    data.update(kwargs)
    return opportunities.create_opportunity(session, actor=actor, data=OpportunityIn(**data))


def qualify(
    session: Session,
    *,
    actor: User | None,
    contact: Contact,
    framework: str = "bant",
    score: int = 2,
) -> None:
    """Rate every element of ``framework`` on a contact (the default SAL → SQL gate needs BANT)."""
    from techwin.pipeline.enums import GateSubject
    from techwin.qualification import assessments
    from techwin.qualification.frameworks import current_framework

    for element in current_framework(session, framework).elements:
        assessments.rate(
            session,
            actor=actor,
            subject=GateSubject.CONTACT,
            subject_id=contact.id,
            framework_key=framework,
            element=element.key,
            score=score,
        )


def to_sql(session: Session, *, actor: User | None, contact: Contact) -> Contact:
    """Walk a lead to SQL the way a person would: MQL, SAL, rate BANT, SQL."""
    from techwin.pipeline.enums import LifecycleStage

    for stage in (LifecycleStage.MQL, LifecycleStage.SAL):
        contacts.transition_contact(session, actor=actor, contact=contact, to_stage=stage)
    qualify(session, actor=actor, contact=contact)
    contacts.transition_contact(session, actor=actor, contact=contact, to_stage=LifecycleStage.SQL)
    return contact


def qualify_deal(session: Session, *, se: User, deal: Opportunity) -> None:
    """The SE validates the deal's pain and decision criteria (the default deal gates)."""
    from techwin.pipeline.enums import GateSubject
    from techwin.qualification import assessments

    for element in ("identify_pain", "decision_criteria"):
        assessments.rate(
            session,
            actor=se,
            subject=GateSubject.OPPORTUNITY,
            subject_id=deal.id,
            framework_key="meddpicc",
            element=element,
            score=2,
        )
