"""Lead scoring: rules, settings, engagement events and scores with their reasons."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from techwin.core.types import RecordId
from techwin.deps import ApiUser, SessionDep
from techwin.errors import NotFound
from techwin.pipeline import contacts
from techwin.scoring import service
from techwin.scoring.schemas import (
    EventBatch,
    EventIn,
    EventOut,
    ReasonOut,
    RuleIn,
    RuleOut,
    ScoreOut,
    SettingsIn,
    SettingsOut,
)

router = APIRouter(tags=["scoring"])


@router.get("/scoring/rules", response_model=list[RuleOut])
def list_rules(session: SessionDep, user: ApiUser) -> list[RuleOut]:
    """Every scoring rule, fit first."""
    return [RuleOut.model_validate(r) for r in service.list_rules(session)]


@router.post("/scoring/rules", response_model=RuleOut, status_code=status.HTTP_201_CREATED)
def create_rule(body: RuleIn, session: SessionDep, user: ApiUser) -> RuleOut:
    """Add a rule (admins); it is validated before it is saved."""
    return RuleOut.model_validate(service.create_rule(session, actor=user, data=body))


@router.put("/scoring/rules/{rule_id}", response_model=RuleOut)
def update_rule(rule_id: RecordId, body: RuleIn, session: SessionDep, user: ApiUser) -> RuleOut:
    """Replace a rule's definition (admins)."""
    rule = service.get_rule(session, rule_id)
    return RuleOut.model_validate(service.update_rule(session, actor=user, rule=rule, data=body))


@router.delete("/scoring/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_rule(rule_id: RecordId, session: SessionDep, user: ApiUser) -> Response:
    """Remove a rule (admins)."""
    service.delete_rule(session, actor=user, rule=service.get_rule(session, rule_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/scoring/settings", response_model=SettingsOut)
def get_settings(session: SessionDep, user: ApiUser) -> SettingsOut:
    """The MQL threshold and the default half-life of engagement points."""
    return SettingsOut.model_validate(service.scoring_settings(session))


@router.patch("/scoring/settings", response_model=SettingsOut)
def patch_settings(body: SettingsIn, session: SessionDep, user: ApiUser) -> SettingsOut:
    """Change scoring settings (admins); ``mql_threshold: null`` turns MQL automation off."""
    return SettingsOut.model_validate(service.update_settings(session, actor=user, data=body))


@router.post(
    "/contacts/{contact_id}/events", response_model=EventOut, status_code=status.HTTP_201_CREATED
)
def add_event(contact_id: RecordId, body: EventIn, session: SessionDep, user: ApiUser) -> EventOut:
    """Record one engagement event; the contact is re-scored at once."""
    contact = contacts.get_contact(session, contact_id)
    return EventOut.model_validate(
        service.record_event(session, actor=user, contact=contact, data=body)
    )


@router.get("/contacts/{contact_id}/events", response_model=list[EventOut])
def list_events(contact_id: RecordId, session: SessionDep, user: ApiUser) -> list[EventOut]:
    """A contact's engagement events, newest first."""
    contacts.get_contact(session, contact_id)
    return [EventOut.model_validate(e) for e in service.list_events(session, contact_id)]


@router.post("/events/batch", response_model=list[EventOut], status_code=status.HTTP_201_CREATED)
def add_events(body: EventBatch, session: SessionDep, user: ApiUser) -> list[EventOut]:
    """Record many events (contacts by id or email): all are stored or none."""
    return [
        EventOut.model_validate(e) for e in service.record_events(session, actor=user, batch=body)
    ]


@router.get("/contacts/{contact_id}/score", response_model=ScoreOut)
def get_score(contact_id: RecordId, session: SessionDep, user: ApiUser) -> ScoreOut:
    """The contact's rule-based score and the reasons that add up to it."""
    contacts.get_contact(session, contact_id)
    score = service.score_of(session, contact_id)
    if score is None:
        raise NotFound(
            "this contact has not been scored yet; run 'techwin scoring recompute'",
            field="contact_id",
        )
    return ScoreOut(
        contact_id=contact_id,
        fit=score.fit,
        engagement=score.engagement,
        total=score.total,
        reasons=[ReasonOut(**r) for r in score.reasons],
        computed_at=score.computed_at,
    )
