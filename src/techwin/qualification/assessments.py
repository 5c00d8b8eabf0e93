"""Assessments: rating a contact's or deal's qualification, element by element."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.core.time import utcnow
from techwin.errors import InvalidInput
from techwin.pipeline import contacts, opportunities
from techwin.pipeline.enums import GateSubject
from techwin.qualification import rules
from techwin.qualification.frameworks import current_framework, framework_version
from techwin.qualification.models import Assessment, Framework, Rating


def require_subject_edit(
    session: Session, *, actor: User | None, subject: GateSubject, subject_id: int
) -> None:
    """Raise NotFound for a missing record and PermissionDenied unless ``actor`` may change it."""
    if subject is GateSubject.CONTACT:
        contacts.require_contact_edit(actor, contacts.get_contact(session, subject_id))
    else:
        opportunities.require_opportunity_edit(
            actor, opportunities.get_opportunity(session, subject_id)
        )


def require_subject(session: Session, *, subject: GateSubject, subject_id: int) -> None:
    """Raise NotFound unless the contact or deal exists."""
    if subject is GateSubject.CONTACT:
        contacts.get_contact(session, subject_id)
    else:
        opportunities.get_opportunity(session, subject_id)


def find_assessment(
    session: Session, *, subject: GateSubject, subject_id: int, framework_key: str
) -> Assessment | None:
    """The newest assessment of a record under a framework (any version), if one exists."""
    return session.scalar(
        select(Assessment)
        .where(
            Assessment.subject == subject,
            Assessment.subject_id == subject_id,
            Assessment.framework_key == framework_key,
        )
        .order_by(Assessment.id.desc())
        .limit(1)
    )


def latest_ratings(
    session: Session, assessment_id: int, *, roles: list[str] | None = None
) -> dict[str, Rating]:
    """The newest rating per element (only by raters in ``roles`` when given)."""
    query = select(Rating).where(Rating.assessment_id == assessment_id).order_by(Rating.id)
    if roles:
        query = query.where(Rating.rated_by_role.in_(roles))
    latest: dict[str, Rating] = {}
    for rating in session.scalars(query):
        latest[rating.element_key] = rating
    return latest


def rate(
    session: Session,
    *,
    actor: User | None,
    subject: GateSubject,
    subject_id: int,
    framework_key: str,
    element: str,
    score: int,
    evidence: str | None = None,
) -> Rating:
    """Record a rating; a first rating starts an assessment under the current version."""
    require_subject_edit(session, actor=actor, subject=subject, subject_id=subject_id)
    rules.check_score(score, evidence)
    assessment = find_assessment(
        session, subject=subject, subject_id=subject_id, framework_key=framework_key
    )
    framework = (
        framework_version(session, assessment.framework_id)
        if assessment
        else current_framework(session, framework_key)
    )
    keys = [e.key for e in framework.elements]
    if element not in keys:
        raise InvalidInput(
            f"{framework.name} has no element {element!r}; its elements: {', '.join(keys)}",
            field="element",
        )
    if assessment is None:
        assessment = Assessment(
            framework_id=framework.id,
            framework_key=framework.key,
            subject=subject,
            subject_id=subject_id,
        )
        session.add(assessment)
        session.flush()
    previous = latest_ratings(session, assessment.id).get(element)
    rating = Rating(
        assessment_id=assessment.id,
        element_key=element,
        score=score,
        evidence=evidence.strip() if evidence else None,
        rated_by_id=actor.id if actor else None,
        rated_by_role=actor.role.value if actor else None,
        rated_at=utcnow(),
    )
    session.add(rating)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="qualification.rate",
        entity_type=subject.value,
        entity_id=subject_id,
        summary=f"{framework.name} {element}: {previous.score if previous else 0} → {score}",
        before={"element": element, "score": previous.score if previous else 0},
        after={"element": element, "score": score},
    )
    return rating


@dataclass(frozen=True)
class ElementView:
    """An element of an assessment as a page shows it."""

    key: str
    name: str
    question: str
    validated_means: str
    score: int
    rating: Rating | None


@dataclass(frozen=True)
class AssessmentView:
    """Where a record stands under one framework."""

    framework: Framework
    subject: GateSubject
    subject_id: int
    elements: list[ElementView]
    completeness: float
    weakest: list[str]
    next_questions: list[str]


def view_assessment(
    session: Session, *, subject: GateSubject, subject_id: int, framework_key: str
) -> AssessmentView:
    """Completeness, every element's current rating, the weakest elements and what to ask next."""
    require_subject(session, subject=subject, subject_id=subject_id)
    assessment = find_assessment(
        session, subject=subject, subject_id=subject_id, framework_key=framework_key
    )
    framework = (
        framework_version(session, assessment.framework_id)
        if assessment
        else current_framework(session, framework_key)
    )
    latest = latest_ratings(session, assessment.id) if assessment else {}
    elements = [
        ElementView(
            key=e.key,
            name=e.name,
            question=e.question,
            validated_means=e.validated_means,
            score=latest[e.key].score if e.key in latest else 0,
            rating=latest.get(e.key),
        )
        for e in framework.elements
    ]
    states = [rules.ElementState(e.key, e.name, e.question, e.score) for e in elements]
    weakest = rules.weakest(states)
    return AssessmentView(
        framework=framework,
        subject=subject,
        subject_id=subject_id,
        elements=elements,
        completeness=rules.completeness(states),
        weakest=[s.key for s in weakest],
        next_questions=[s.question for s in weakest],
    )


def rating_history(
    session: Session, *, subject: GateSubject, subject_id: int, framework_key: str
) -> list[Rating]:
    """Every rating of the record under the framework, newest first, with raters loaded."""
    assessment = find_assessment(
        session, subject=subject, subject_id=subject_id, framework_key=framework_key
    )
    if assessment is None:
        return []
    query = (
        select(Rating)
        .options(joinedload(Rating.rated_by))
        .where(Rating.assessment_id == assessment.id)
        .order_by(Rating.id.desc())
    )
    return list(session.scalars(query))
