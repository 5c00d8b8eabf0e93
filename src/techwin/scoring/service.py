"""Rule-based lead scoring: rules as data, engagement events, scores with reasons, MQL moves."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.auth.permissions import require_admin
from techwin.core.time import as_utc, utcnow
from techwin.errors import InvalidInput, NotFound, RuleViolation
from techwin.pipeline import contacts as contact_service
from techwin.pipeline.enums import CustomEntity, LifecycleStage
from techwin.pipeline.models import Contact, CustomField
from techwin.scoring import rules
from techwin.scoring.enums import EventKind
from techwin.scoring.models import EngagementEvent, LeadScore, ScoringRule, ScoringSettings
from techwin.scoring.schemas import EventBatch, EventIn, RuleIn, SettingsIn

BATCH = 2000


def scoring_settings(session: Session) -> ScoringSettings:
    """The organisation's scoring settings (created with defaults on first use)."""
    settings = session.get(ScoringSettings, 1)
    if settings is None:
        settings = ScoringSettings(id=1, mql_threshold=None, default_half_life_days=30)
        session.add(settings)
        session.flush()
    return settings


def update_settings(session: Session, *, actor: User | None, data: SettingsIn) -> ScoringSettings:
    """Change the MQL threshold or the default half-life (admins)."""
    require_admin(actor)
    settings = scoring_settings(session)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(settings, field, value)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="scoring.settings",
        entity_type="scoring_settings",
        entity_id=1,
        summary="changed scoring settings",
        after=data.model_dump(exclude_unset=True, mode="json"),
    )
    return settings


def _spec(rule: ScoringRule) -> rules.RuleSpec:
    return rules.RuleSpec(
        id=rule.id,
        label=rule.label,
        category=rule.category,
        points=rule.points,
        field=rule.field,
        operator=rule.operator,
        value=rule.value,
        event_kind=rule.event_kind,
        half_life_days=rule.half_life_days,
        max_points=rule.max_points,
    )


def list_rules(session: Session, *, active_only: bool = False) -> list[ScoringRule]:
    """Scoring rules in display order."""
    query = select(ScoringRule).order_by(ScoringRule.category, ScoringRule.position, ScoringRule.id)
    if active_only:
        query = query.where(ScoringRule.is_active.is_(True))
    return list(session.scalars(query))


def get_rule(session: Session, rule_id: int) -> ScoringRule:
    """A rule or NotFound."""
    rule = session.get(ScoringRule, rule_id)
    if rule is None:
        raise NotFound(f"scoring rule {rule_id} does not exist", field="rule_id")
    return rule


def custom_rule_fields(session: Session) -> list[tuple[str, str, CustomField]]:
    """Custom fields of contacts and accounts as fit rules name them: (name, kind, field)."""
    found = session.scalars(
        select(CustomField)
        .where(CustomField.entity.in_([CustomEntity.CONTACT.value, CustomEntity.ACCOUNT.value]))
        .order_by(CustomField.entity.desc(), CustomField.label)
    )
    return [
        (
            rules.custom_rule_field(field.entity, field.key),
            rules.CUSTOM_KINDS[field.field_type.value],
            field,
        )
        for field in found
    ]


def fit_fields(session: Session) -> dict[str, str]:
    """Every field a fit rule may use, with its kind: the built-in ones, then custom fields."""
    return {**rules.FIT_FIELDS, **{name: kind for name, kind, _ in custom_rule_fields(session)}}


def _validated(session: Session, data: RuleIn, rule_id: int = 0) -> rules.RuleSpec:
    spec = rules.RuleSpec(
        id=rule_id,
        label=data.label,
        category=data.category,
        points=data.points,
        field=data.field,
        operator=data.operator,
        value=data.value,
        event_kind=data.event_kind,
        half_life_days=data.half_life_days,
        max_points=data.max_points,
    )
    rules.validate_rule(spec, fit_fields(session))
    return spec


def create_rule(session: Session, *, actor: User | None, data: RuleIn) -> ScoringRule:
    """Add a scoring rule after validating it (admins)."""
    require_admin(actor)
    _validated(session, data)
    rule = ScoringRule(**data.model_dump())
    session.add(rule)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="scoring.rule_create",
        entity_type="scoring_rule",
        entity_id=rule.id,
        summary=f"added rule {rule.label!r} ({rule.points:+g})",
        after=data.model_dump(mode="json"),
    )
    return rule


def update_rule(
    session: Session, *, actor: User | None, rule: ScoringRule, data: RuleIn
) -> ScoringRule:
    """Replace a rule's definition after validating it (admins)."""
    require_admin(actor)
    _validated(session, data, rule.id)
    before = {
        "label": rule.label,
        "points": rule.points,
        "value": rule.value,
        "is_active": rule.is_active,
    }
    for field, value in data.model_dump().items():
        setattr(rule, field, value)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="scoring.rule_update",
        entity_type="scoring_rule",
        entity_id=rule.id,
        summary=f"changed rule {rule.label!r}",
        before=before,
        after=data.model_dump(mode="json"),
    )
    return rule


def delete_rule(session: Session, *, actor: User | None, rule: ScoringRule) -> None:
    """Remove a rule (admins)."""
    require_admin(actor)
    record_audit(
        session,
        actor=actor,
        action="scoring.rule_delete",
        entity_type="scoring_rule",
        entity_id=rule.id,
        summary=f"removed rule {rule.label!r}",
    )
    session.delete(rule)
    session.flush()


def profile_of(contact: Contact) -> dict[str, object]:
    """The fields fit rules can look at, custom ones included (the account must be loaded)."""
    account = contact.account
    profile: dict[str, object] = {
        rules.custom_rule_field("contact", key): value
        for key, value in (contact.custom or {}).items()
    }
    if account is not None:
        profile.update(
            (rules.custom_rule_field("account", key), value)
            for key, value in (account.custom or {}).items()
        )
    return profile | {
        "title": contact.title,
        "seniority": contact.seniority.value if contact.seniority else None,
        "department": contact.department,
        "source": contact.source,
        "industry": account.industry if account else None,
        "region": account.region if account else None,
        "employee_count": account.employee_count if account else None,
        "email_domain": contact.email.split("@", 1)[1]
        if contact.email and "@" in contact.email
        else None,
    }


def score_contacts(
    session: Session,
    contact_ids: Sequence[int],
    *,
    now: datetime | None = None,
    automate: bool = True,
) -> dict[int, rules.Score]:
    """Score the given contacts, store their scores and reasons, and apply MQL automation."""
    if not contact_ids:
        return {}
    now = now or utcnow()
    settings = scoring_settings(session)
    specs = [_spec(r) for r in list_rules(session, active_only=True)]
    contacts = list(
        session.scalars(
            select(Contact).options(joinedload(Contact.account)).where(Contact.id.in_(contact_ids))
        )
    )
    events: dict[int, list[tuple[EventKind, datetime]]] = {c.id: [] for c in contacts}
    for contact_id, kind, at in session.execute(
        select(EngagementEvent.contact_id, EngagementEvent.kind, EngagementEvent.occurred_at).where(
            EngagementEvent.contact_id.in_(contact_ids)
        )
    ):
        events[contact_id].append((kind, as_utc(at)))
    scores = {
        c.id: rules.compute_score(
            specs,
            profile_of(c),
            events[c.id],
            now=now,
            default_half_life_days=settings.default_half_life_days,
        )
        for c in contacts
    }
    session.execute(delete(LeadScore).where(LeadScore.contact_id.in_(list(scores))))
    session.add_all(
        LeadScore(
            contact_id=cid,
            fit=s.fit,
            engagement=s.engagement,
            total=s.total,
            computed_at=now,
            reasons=[
                {
                    "rule_id": r.rule_id,
                    "label": r.label,
                    "points": r.points,
                    "category": r.category.value,
                }
                for r in s.reasons
            ],
        )
        for cid, s in scores.items()
    )
    session.flush()
    if automate and settings.mql_threshold is not None:
        for contact in contacts:
            _promote_to_mql(session, contact, scores[contact.id].total, settings.mql_threshold)
    return scores


def _promote_to_mql(session: Session, contact: Contact, total: float, threshold: float) -> None:
    """A lead whose score reaches the threshold becomes an MQL (a system transition)."""
    if contact.lifecycle_stage is not LifecycleStage.LEAD or total < threshold:
        return
    try:
        contact_service.transition_contact(
            session,
            actor=None,
            contact=contact,
            to_stage=LifecycleStage.MQL,
            reason=f"score {total:g} reached the MQL threshold {threshold:g}",
            system=True,
        )
    except RuleViolation:
        return  # a gate on the lead stage still holds: the person decides, not the score


def recompute_all(
    session: Session, *, batch_size: int = BATCH, progress: Callable[[int, int], None] | None = None
) -> int:
    """Re-score every contact in batches (after rules change); returns how many were scored."""
    ids = list(session.scalars(select(Contact.id).order_by(Contact.id)))
    now = utcnow()
    for start in range(0, len(ids), batch_size):
        score_contacts(session, ids[start : start + batch_size], now=now)
        session.expunge_all()
        if progress is not None:
            progress(min(start + batch_size, len(ids)), len(ids))
    return len(ids)


def score_of(session: Session, contact_id: int) -> LeadScore | None:
    """The stored score of a contact, if it was scored."""
    return session.get(LeadScore, contact_id)


MAX_FUTURE = timedelta(days=1)


def _check_time(occurred_at: datetime, field: str) -> datetime:
    moment = as_utc(occurred_at)
    if moment > utcnow() + MAX_FUTURE:
        raise InvalidInput("an engagement event cannot be in the future", field=field)
    return moment


def record_event(
    session: Session, *, actor: User | None, contact: Contact, data: EventIn, source: str = "api"
) -> EngagementEvent:
    """Store one engagement event and re-score its contact."""
    contact_service.require_contact_edit(actor, contact)
    event = EngagementEvent(
        contact_id=contact.id,
        kind=data.kind,
        occurred_at=_check_time(data.occurred_at, "occurred_at"),
        detail=data.detail,
        source=source,
    )
    session.add(event)
    session.flush()
    score_contacts(session, [contact.id])
    return event


def record_events(
    session: Session, *, actor: User | None, batch: EventBatch, source: str = "api"
) -> list[EngagementEvent]:
    """Store a batch of events (contacts by id or email) all-or-nothing, then re-score them."""
    ids = {item.contact_id for item in batch.events if item.contact_id is not None}
    emails = {str(item.email).lower() for item in batch.events if item.email is not None}
    by_id = (
        {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(ids)))}
        if ids
        else {}
    )
    by_email: dict[str, Contact] = {}
    if emails:
        for contact in session.scalars(
            select(Contact).where(Contact.email.in_(emails)).order_by(Contact.id)
        ):
            by_email.setdefault((contact.email or "").lower(), contact)
    events: list[EngagementEvent] = []
    for index, item in enumerate(batch.events):
        found: Contact | None = (
            by_id.get(item.contact_id or 0)
            if item.contact_id is not None
            else by_email.get(str(item.email).lower())
        )
        if found is None:
            ref = (
                f"contact {item.contact_id}"
                if item.contact_id is not None
                else f"email {item.email}"
            )
            raise InvalidInput(
                f"event {index}: no {ref}; nothing was stored", field=f"events.{index}"
            )
        contact_service.require_contact_edit(actor, found)
        events.append(
            EngagementEvent(
                contact_id=found.id,
                kind=item.kind,
                occurred_at=_check_time(item.occurred_at, f"events.{index}.occurred_at"),
                detail=item.detail,
                source=source,
            )
        )
    session.add_all(events)
    session.flush()
    touched = sorted({e.contact_id for e in events})
    for start in range(0, len(touched), BATCH):
        score_contacts(session, touched[start : start + BATCH])
    return events


def list_events(session: Session, contact_id: int, *, limit: int = 200) -> list[EngagementEvent]:
    """A contact's events, newest first."""
    query = (
        select(EngagementEvent)
        .where(EngagementEvent.contact_id == contact_id)
        .order_by(EngagementEvent.occurred_at.desc(), EngagementEvent.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
