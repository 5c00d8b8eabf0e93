"""Qualification frameworks and the assessments of contacts and deals."""

from __future__ import annotations

from fastapi import APIRouter, status

from techwin.core.types import RecordId
from techwin.deps import ApiUser, SessionDep
from techwin.pipeline.enums import GateSubject
from techwin.qualification import assessments, frameworks
from techwin.qualification.rules import SCALE
from techwin.qualification.schemas import (
    AssessmentOut,
    ElementStateOut,
    FrameworkOut,
    FrameworkSpec,
    RatingIn,
    RatingOut,
)

router = APIRouter(tags=["qualification"])

SUBJECTS = {"contacts": GateSubject.CONTACT, "opportunities": GateSubject.OPPORTUNITY}


@router.get("/frameworks", response_model=list[FrameworkOut])
def list_frameworks(
    session: SessionDep, user: ApiUser, include_old: bool = False
) -> list[FrameworkOut]:
    """Qualification frameworks (current versions unless ``include_old``)."""
    return [
        FrameworkOut.model_validate(f)
        for f in frameworks.list_frameworks(session, include_old=include_old)
    ]


@router.get("/frameworks/{key}", response_model=FrameworkOut)
def get_framework(key: str, session: SessionDep, user: ApiUser) -> FrameworkOut:
    """The current version of a framework."""
    return FrameworkOut.model_validate(frameworks.current_framework(session, key))


@router.post("/frameworks", response_model=FrameworkOut, status_code=status.HTTP_201_CREATED)
def create_framework(body: FrameworkSpec, session: SessionDep, user: ApiUser) -> FrameworkOut:
    """Add a custom framework (admins)."""
    return FrameworkOut.model_validate(frameworks.create_framework(session, actor=user, spec=body))


@router.put("/frameworks/{key}", response_model=FrameworkOut)
def edit_framework(
    key: str, body: FrameworkSpec, session: SessionDep, user: ApiUser
) -> FrameworkOut:
    """Publish a new version of a framework (admins); existing assessments keep their version."""
    return FrameworkOut.model_validate(
        frameworks.edit_framework(session, actor=user, key=key, spec=body)
    )


def _assessment_out(view: assessments.AssessmentView) -> AssessmentOut:
    return AssessmentOut(
        framework=view.framework.key,
        framework_version=view.framework.version,
        framework_name=view.framework.name,
        subject=view.subject.value,
        subject_id=view.subject_id,
        completeness=round(view.completeness, 4),
        elements=[
            ElementStateOut(
                key=e.key,
                name=e.name,
                question=e.question,
                validated_means=e.validated_means,
                score=e.score,
                score_label=SCALE[e.score],
                evidence=e.rating.evidence if e.rating else None,
                rated_by_id=e.rating.rated_by_id if e.rating else None,
                rated_at=e.rating.rated_at if e.rating else None,
            )
            for e in view.elements
        ],
        weakest=view.weakest,
        next_questions=view.next_questions,
    )


def _add_subject_routes(kind: str, subject: GateSubject) -> None:
    """The assessment endpoints under /contacts/… and /opportunities/…."""
    base = f"/{kind}/{{subject_id}}/qualification/{{framework}}"

    @router.get(base, response_model=AssessmentOut, name=f"{kind}_assessment")
    def get_assessment(
        subject_id: RecordId, framework: str, session: SessionDep, user: ApiUser
    ) -> AssessmentOut:
        """Completeness, each rating, the weakest elements and the questions to ask next."""
        view = assessments.view_assessment(
            session, subject=subject, subject_id=subject_id, framework_key=framework
        )
        return _assessment_out(view)

    @router.post(
        f"{base}/ratings", response_model=AssessmentOut, status_code=201, name=f"{kind}_rate"
    )
    def rate(
        subject_id: RecordId, framework: str, body: RatingIn, session: SessionDep, user: ApiUser
    ) -> AssessmentOut:
        """Rate one element 0–3 with evidence; returns the updated assessment."""
        assessments.rate(
            session,
            actor=user,
            subject=subject,
            subject_id=subject_id,
            framework_key=framework,
            element=body.element,
            score=body.score,
            evidence=body.evidence,
        )
        view = assessments.view_assessment(
            session, subject=subject, subject_id=subject_id, framework_key=framework
        )
        return _assessment_out(view)

    @router.get(f"{base}/ratings", response_model=list[RatingOut], name=f"{kind}_rating_history")
    def history(
        subject_id: RecordId, framework: str, session: SessionDep, user: ApiUser
    ) -> list[RatingOut]:
        """Every rating under the framework, newest first."""
        rows = assessments.rating_history(
            session, subject=subject, subject_id=subject_id, framework_key=framework
        )
        return [RatingOut.model_validate(r) for r in rows]


for _kind, _subject in SUBJECTS.items():
    _add_subject_routes(_kind, _subject)
