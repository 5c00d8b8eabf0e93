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


# ---------- Two in a box ----------


def team(session: Session, *, name: str | None = None, manager: User | None = None) -> Any:
    """A team (optionally led by ``manager``, who then belongs to it)."""
    from techwin.auth.schemas import TeamCreate

    created = auth_service.create_team(
        session,
        actor=None,
        data=TeamCreate(
            name=name or f"Team {next(_seq)}", manager_id=manager.id if manager else None
        ),
    )
    if manager is not None:
        manager.team_id = created.id
        session.flush()
    return created


def pod(
    session: Session, *, aes: list[User], ses: list[User], team_id: int | None = None, **kwargs: Any
) -> Any:
    """A pod pairing ``aes`` with ``ses``."""
    from techwin.collaboration import pods
    from techwin.collaboration.enums import PodSide
    from techwin.collaboration.schemas import PodIn, PodMemberIn

    members = [PodMemberIn(user_id=u.id, side=PodSide.AE) for u in aes]
    members += [PodMemberIn(user_id=u.id, side=PodSide.SE) for u in ses]
    data = PodIn(name=kwargs.pop("name", f"Pod {next(_seq)}"), team_id=team_id, members=members)
    return pods.create_pod(session, actor=None, data=data)


def stakeholder(
    session: Session,
    *,
    actor: User | None,
    deal: Opportunity,
    seniority: str = "vp",
    role: str = "champion",
    engagement: str = "engaged",
    **kwargs: Any,
) -> Any:
    """A new person at the deal's account put on its stakeholder map."""
    from techwin.collaboration import stakeholders
    from techwin.collaboration.schemas import StakeholderIn

    n = next(_seq)
    person = {"first_name": "Vera", "last_name": f"Sponsor{n}", "seniority": seniority}
    person.update(kwargs)
    data = StakeholderIn.model_validate(
        {"new_contact": person, "role": role, "engagement": engagement}
    )
    return stakeholders.add_stakeholder(session, actor=actor, deal=deal, data=data)


def qualify_for_charter(session: Session, *, actor: User | None, deal: Opportunity) -> None:
    """Meet the default charter's thresholds: budget validated, a close date within six months,
    an engaged VP sponsor."""
    from datetime import timedelta

    from techwin.core.time import utcnow
    from techwin.pipeline.enums import GateSubject
    from techwin.pipeline.schemas import OpportunityPatch
    from techwin.qualification import assessments

    assessments.rate(
        session,
        actor=actor,
        subject=GateSubject.OPPORTUNITY,
        subject_id=deal.id,
        framework_key="bant",
        element="budget",
        score=2,
    )
    opportunities.update_opportunity(
        session,
        actor=actor,
        opportunity=deal,
        data=OpportunityPatch(close_date=utcnow().date() + timedelta(days=90)),
    )
    stakeholder(session, actor=actor, deal=deal, seniority="vp", role="economic_buyer")


def se_request(
    session: Session,
    *,
    actor: User | None,
    deal: Opportunity,
    kind: str = "custom_demo",
    **kwargs: Any,
) -> Any:
    """An SE request on ``deal`` (checked against the charter like any other)."""
    from datetime import timedelta

    from techwin.collaboration import requests
    from techwin.collaboration.schemas import RequestIn
    from techwin.core.time import utcnow

    data: dict[str, Any] = {
        "opportunity_id": deal.id,
        "kind": kind,
        "needed_by": utcnow().date() + timedelta(days=10),
    }
    data.update(kwargs)
    return requests.submit_request(session, actor=actor, data=RequestIn.model_validate(data))


def meeting(
    session: Session,
    *,
    actor: User | None,
    deal: Opportunity,
    hours_from_now: float = 48,
    **kwargs: Any,
) -> Any:
    """A call on ``deal`` starting ``hours_from_now`` (negative: in the past)."""
    from datetime import timedelta

    from techwin.collaboration import meetings
    from techwin.collaboration.schemas import MeetingIn
    from techwin.core.time import utcnow

    data: dict[str, Any] = {
        "opportunity_id": deal.id,
        "kind": "custom_demo",
        "title": f"Demo {next(_seq)}",
        "starts_at": utcnow() + timedelta(hours=hours_from_now),
        "duration_minutes": 60,
    }
    data.update(kwargs)
    return meetings.plan_meeting(session, actor=actor, data=MeetingIn.model_validate(data))


# ---------- Technical win and product gaps ----------


def poc(
    session: Session,
    *,
    actor: User | None,
    deal: Opportunity,
    start_days_ago: int = 5,
    length_days: int = 30,
    criteria: list[tuple[str, str]] | None = None,
    **kwargs: Any,
) -> Any:
    """A POC on ``deal`` that started ``start_days_ago`` days ago, with success criteria."""
    from datetime import timedelta

    from techwin.core.time import utcnow
    from techwin.evaluation import pocs
    from techwin.evaluation.schemas import CriterionIn, PocIn

    start = utcnow().date() - timedelta(days=start_days_ago)
    rows = criteria if criteria is not None else [("Dashboard load time", "under 2 s")]
    data: dict[str, Any] = {
        "title": f"POC {next(_seq)}",
        "scope": "Prove the platform on the customer's own data",
        "start_date": start,
        "end_date": start + timedelta(days=length_days),
        "criteria": [CriterionIn(description=d, target=t) for d, t in rows],
    }
    data.update(kwargs)
    return pocs.create_poc(session, actor=actor, opportunity=deal, data=PocIn(**data))


def signed_off_poc(
    session: Session, *, actor: User | None, deal: Opportunity, outcome: str = "passed"
) -> Any:
    """A POC on ``deal`` with every criterion met, concluded with ``outcome`` and signed off."""
    from techwin.evaluation import pocs
    from techwin.evaluation.enums import CriterionResult, PocOutcome
    from techwin.evaluation.schemas import OutcomeIn, ResultIn, SignOffIn

    trial = poc(session, actor=actor, deal=deal)
    for criterion in pocs.get_poc(session, trial.id).criteria:
        pocs.record_result(
            session,
            actor=actor,
            poc=trial,
            criterion_id=criterion.id,
            data=ResultIn(result=CriterionResult.MET, evidence="Measured on the customer's data"),
        )
    pocs.record_outcome(
        session, actor=actor, poc=trial, data=OutcomeIn(outcome=PocOutcome(outcome))
    )
    return pocs.sign_off(
        session, actor=actor, poc=trial, data=SignOffIn(signed_off_by="Dana Reyes, CTO")
    )


def lose(
    session: Session, *, actor: User | None, deal: Opportunity, reason: str = "No fit"
) -> None:
    """Close a deal as lost (a manager's override passes the gates on the way)."""
    from techwin.pipeline.schemas import MoveIn

    opportunities.move_opportunity(
        session,
        actor=actor,
        opportunity=deal,
        data=MoveIn(stage="closed_lost", reason=reason, override=True),
    )


def gap(session: Session, *, actor: User | None = None, **kwargs: Any) -> Any:
    """A product gap (major, in 'Reporting' unless told otherwise)."""
    from techwin.feedback import gaps
    from techwin.feedback.schemas import GapIn

    data: dict[str, Any] = {
        "title": f"Gap {next(_seq)}",
        "product_area": "Reporting",
        "severity": "major",
    }
    data.update(kwargs)
    return gaps.create_gap(session, actor=actor, data=GapIn(**data))
