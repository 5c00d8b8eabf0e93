"""Features of a contact as the predictive model sees them, and how to say them in words.

Engagement counts only look at the first ``window_days`` after a contact was created (and never
past the moment it reached the target stage), for training and scoring alike: the model answers
"given who this person is and what they did early on, how likely are they to reach the stage?"
without peeking at activity that follows the outcome.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from techwin.pipeline.enums import CustomEntity, CustomFieldType
from techwin.pipeline.models import Account, Contact, CustomField
from techwin.scoring.enums import EVENT_LABELS, EventKind
from techwin.scoring.models import EngagementEvent

PERSONAL_DOMAINS = frozenset(
    {"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com", "proton.me"}
)
TITLE_WORDS = (
    "chief",
    "cto",
    "cio",
    "ciso",
    "vp",
    "vice president",
    "head",
    "director",
    "manager",
    "lead",
    "principal",
    "architect",
    "engineer",
    "developer",
    "analyst",
    "consultant",
    "administrator",
    "specialist",
    "student",
    "intern",
    "owner",
    "founder",
)

CATEGORICAL = (
    "seniority",
    "source",
    "department",
    "industry",
    "region",
    "email_kind",
    "title_word",
)
NUMERIC = ("log_employees", "total_events", *(f"events_{k.value}" for k in EventKind))
ALL_FEATURES = CATEGORICAL + NUMERIC
_KINDS = tuple(EventKind)
_EVENT_FEATURE = {kind: f"events_{kind.value}" for kind in EventKind}
MISSING = "(missing)"


def title_word(title: str | None) -> str:
    """The most telling word of a job title (the first that appears in our list)."""
    if not title:
        return MISSING
    text = title.lower()
    for word in TITLE_WORDS:
        if word in text:
            return word
    return "other"


def email_kind(email: str | None) -> str:
    """business, personal or (missing)."""
    if not email or "@" not in email:
        return MISSING
    return "personal" if email.rsplit("@", 1)[1].lower() in PERSONAL_DOMAINS else "business"


@dataclass(frozen=True)
class CustomFeature:
    """A custom field of contacts or accounts used as a model feature (``contact.<key>``)."""

    name: str
    entity: str
    key: str
    label: str
    numeric: bool


# Text and categories are pooled like any category (rare values share one column); booleans read
# as yes/no. Dates are left out: a date's meaning depends on when it is read.
CUSTOM_FEATURE_TYPES = {
    CustomFieldType.NUMBER,
    CustomFieldType.BOOLEAN,
    CustomFieldType.CATEGORY,
    CustomFieldType.TEXT,
}


def custom_features(session: Session) -> list[CustomFeature]:
    """The organisation's custom fields of contacts and accounts that can become features."""
    fields = session.scalars(
        select(CustomField)
        .where(CustomField.entity.in_([CustomEntity.CONTACT.value, CustomEntity.ACCOUNT.value]))
        .order_by(CustomField.entity.desc(), CustomField.key)
    )
    return [
        CustomFeature(
            name=f"{field.entity}.{field.key}",
            entity=field.entity,
            key=field.key,
            label=field.label,
            numeric=field.field_type is CustomFieldType.NUMBER,
        )
        for field in fields
        if field.field_type in CUSTOM_FEATURE_TYPES
    ]


def custom_value(feature: CustomFeature, value: Any) -> Any:
    """A stored custom value as the model reads it (NaN or ``(missing)`` when absent)."""
    if feature.numeric:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return float("nan")  # missing, or text a later import left in a number field
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@dataclass(slots=True)
class ContactFacts:
    """The raw facts a feature row is built from."""

    contact_id: int
    created_at: datetime
    seniority: str | None
    source: str | None
    department: str | None
    title: str | None
    email: str | None
    industry: str | None
    region: str | None
    employee_count: int | None
    custom: dict[str, Any] | None = None
    account_custom: dict[str, Any] | None = None


def feature_row(
    facts: ContactFacts,
    events: Sequence[tuple[EventKind, datetime]],
    *,
    window_days: int,
    cutoff: datetime | None = None,
    custom: Sequence[CustomFeature] = (),
) -> dict[str, Any]:
    """The model's view of one contact (``custom`` names the custom fields to read).

    Timestamps are aware UTC, as the database columns return them.
    """
    until = facts.created_at + timedelta(days=window_days)
    if cutoff is not None and cutoff < until:
        until = cutoff
    counts = dict.fromkeys(_KINDS, 0)
    for kind, at in events:
        if at < until:
            counts[kind] += 1
    row: dict[str, Any] = {
        "seniority": facts.seniority or MISSING,
        "source": facts.source or MISSING,
        "department": facts.department or MISSING,
        "industry": facts.industry or MISSING,
        "region": facts.region or MISSING,
        "email_kind": email_kind(facts.email),
        "title_word": title_word(facts.title),
        "log_employees": math.log10(1 + facts.employee_count)
        if facts.employee_count is not None
        else float("nan"),
        "total_events": float(sum(counts.values())),
    }
    for kind, count in counts.items():
        row[_EVENT_FEATURE[kind]] = float(count)
    for feature in custom:
        values = (
            facts.custom if feature.entity == CustomEntity.CONTACT.value else facts.account_custom
        )
        row[feature.name] = custom_value(feature, (values or {}).get(feature.key))
    return row


def _facts_query(with_custom: bool) -> Select[Any]:
    columns: list[Any] = [
        Contact.id,
        Contact.created_at,
        Contact.seniority,
        Contact.source,
        Contact.department,
        Contact.title,
        Contact.email,
        Account.industry,
        Account.region,
        Account.employee_count,
    ]
    if with_custom:
        columns += [Contact.custom, Account.custom]
    return select(*columns).outerjoin(Account, Account.id == Contact.account_id)


def contacts_in(contact_ids: Sequence[int] | range) -> ColumnElement[bool]:
    """A condition on contact ids: a cheap range when the ids are one, else a list."""
    if isinstance(contact_ids, range) and contact_ids.step == 1:
        return Contact.id.between(contact_ids.start, contact_ids.stop - 1)
    return Contact.id.in_(list(contact_ids))


def iter_facts(
    session: Session, contact_ids: Sequence[int] | range, *, with_custom: bool = False
) -> list[ContactFacts]:
    """Facts of the given contacts (one query); ``range`` ids are read as an id range."""
    rows = session.connection().execute(_facts_query(with_custom).where(contacts_in(contact_ids)))
    return [
        ContactFacts(
            contact_id=r[0],
            created_at=r[1],
            seniority=r[2].value if r[2] else None,
            source=r[3],
            department=r[4],
            title=r[5],
            email=r[6],
            industry=r[7],
            region=r[8],
            employee_count=r[9],
            custom=r[10] if with_custom else None,
            account_custom=r[11] if with_custom else None,
        )
        for r in rows
    ]


def events_by_contact(
    session: Session, contact_ids: Sequence[int] | range
) -> dict[int, list[tuple[EventKind, datetime]]]:
    """Engagement events of the given contacts (one query); ``range`` ids as an id range."""
    if isinstance(contact_ids, range) and contact_ids.step == 1:
        where = EngagementEvent.contact_id.between(contact_ids.start, contact_ids.stop - 1)
    else:
        where = EngagementEvent.contact_id.in_(list(contact_ids))
    out: dict[int, list[tuple[EventKind, datetime]]] = {}
    for contact_id, kind, at in session.execute(
        select(EngagementEvent.contact_id, EngagementEvent.kind, EngagementEvent.occurred_at).where(
            where
        )
    ):
        out.setdefault(contact_id, []).append((kind, at))
    return out


def iter_batches(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    """``ids`` in slices of ``size``."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def describe(
    feature: str, value: Any, *, window_days: int, labels: dict[str, str] | None = None
) -> str:
    """A feature and its value in words a salesperson understands (``labels`` names custom
    fields, e.g. ``{"account.tier": "Account tier"}``)."""
    if labels and feature in labels:
        label = labels[feature]
        if isinstance(value, float):
            return f"{label} unknown" if math.isnan(value) else f"{label}: {value:,.4g}"
        return f"{label} unknown" if value == MISSING else f"{label}: {value}"
    if feature == "seniority":
        return (
            "Seniority unknown"
            if value == MISSING
            else f"Seniority: {str(value).replace('_', '-')}"
        )
    if feature == "source":
        return "Source unknown" if value == MISSING else f"Came in through: {value}"
    if feature == "department":
        return "Department unknown" if value == MISSING else f"Department: {value}"
    if feature == "industry":
        return "Industry unknown" if value == MISSING else f"Industry: {value}"
    if feature == "region":
        return "Region unknown" if value == MISSING else f"Region: {value}"
    if feature == "email_kind":
        return {
            "personal": "Uses a personal email address",
            "business": "Uses a business email address",
        }.get(value, "No email address")
    if feature == "title_word":
        return "No job title" if value == MISSING else f"Job title says '{value}'"
    if feature == "log_employees":
        if isinstance(value, float) and math.isnan(value):
            return "Company size unknown"
        return f"Company of about {round(10**value - 1):,} people"
    if feature == "total_events":
        return f"{int(value)} interactions in the first {window_days} days"
    if feature.startswith("events_"):
        label = EVENT_LABELS[EventKind(feature.removeprefix("events_"))]
        return f"{label}: {int(value)}× in the first {window_days} days"
    return f"{feature}: {value}"
