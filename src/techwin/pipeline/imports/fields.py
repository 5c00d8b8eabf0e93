"""The built-in fields an import can fill, per record type, and how each is read."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """How a cell is turned into a field value."""

    TEXT = "text"
    EMAIL = "email"
    INT = "int"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    LIFECYCLE = "lifecycle"
    DEAL_STAGE = "deal_stage"
    SENIORITY = "seniority"
    OWNER = "owner"
    ACCOUNT = "account"
    BOOL = "bool"
    CURRENCY = "currency"


ENTITIES = ("accounts", "contacts", "opportunities")

FIELDS: dict[str, dict[str, Kind]] = {
    "accounts": {
        "external_id": Kind.TEXT,
        "name": Kind.TEXT,
        "domain": Kind.TEXT,
        "industry": Kind.TEXT,
        "employee_count": Kind.INT,
        "region": Kind.TEXT,
        "owner": Kind.OWNER,
        "created_at": Kind.DATETIME,
    },
    "contacts": {
        "external_id": Kind.TEXT,
        "first_name": Kind.TEXT,
        "last_name": Kind.TEXT,
        "email": Kind.EMAIL,
        "phone": Kind.TEXT,
        "title": Kind.TEXT,
        "seniority": Kind.SENIORITY,
        "department": Kind.TEXT,
        "source": Kind.TEXT,
        "lifecycle_stage": Kind.LIFECYCLE,
        "account": Kind.ACCOUNT,
        "owner": Kind.OWNER,
        "created_at": Kind.DATETIME,
        "outcome": Kind.BOOL,
    },
    "opportunities": {
        "external_id": Kind.TEXT,
        "name": Kind.TEXT,
        "account": Kind.ACCOUNT,
        "owner": Kind.OWNER,
        "stage": Kind.DEAL_STAGE,
        "acv": Kind.MONEY,
        "term_months": Kind.INT,
        "currency": Kind.CURRENCY,
        "close_date": Kind.DATE,
        "probability": Kind.PERCENT,
        "competitors": Kind.TEXT,
        "next_step": Kind.TEXT,
        "next_step_due": Kind.DATE,
        "compelling_event": Kind.TEXT,
        "description": Kind.TEXT,
        "created_at": Kind.DATETIME,
        "outcome": Kind.BOOL,
    },
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "accounts": ("name",),
    "contacts": ("last_name",),
    "opportunities": ("name", "account"),
}

MAX_TEXT = {
    "name": 200,
    "domain": 200,
    "industry": 80,
    "region": 40,
    "first_name": 80,
    "last_name": 80,
    "phone": 40,
    "title": 120,
    "department": 80,
    "source": 60,
    "external_id": 64,
    "competitors": 500,
    "next_step": 500,
    "compelling_event": 500,
    "description": 10_000,
}
