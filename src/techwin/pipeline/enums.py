"""Vocabularies of the pipeline: lifecycle stages, forecast categories, seniority."""

from __future__ import annotations

from enum import StrEnum


class LifecycleStage(StrEnum):
    """Where a person stands on the way from lead to customer."""

    LEAD = "lead"
    MQL = "mql"
    SAL = "sal"
    SQL = "sql"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    NURTURE = "nurture"
    DISQUALIFIED = "disqualified"
    CHURNED = "churned"


LIFECYCLE_LABELS = {
    LifecycleStage.LEAD: "Lead",
    LifecycleStage.MQL: "Marketing qualified",
    LifecycleStage.SAL: "Sales accepted",
    LifecycleStage.SQL: "Sales qualified",
    LifecycleStage.OPPORTUNITY: "Opportunity",
    LifecycleStage.CUSTOMER: "Customer",
    LifecycleStage.NURTURE: "Nurture",
    LifecycleStage.DISQUALIFIED: "Disqualified",
    LifecycleStage.CHURNED: "Churned",
}


class ForecastCategory(StrEnum):
    """How an AE calls a deal in the forecast."""

    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMIT = "commit"
    CLOSED = "closed"
    OMITTED = "omitted"


FORECAST_LABELS = {
    ForecastCategory.PIPELINE: "Pipeline",
    ForecastCategory.BEST_CASE: "Best case",
    ForecastCategory.COMMIT: "Commit",
    ForecastCategory.CLOSED: "Closed",
    ForecastCategory.OMITTED: "Omitted",
}


class Seniority(StrEnum):
    """A contact's level in their organisation (charters look for VP-level sponsors)."""

    IC = "ic"
    MANAGER = "manager"
    DIRECTOR = "director"
    VP = "vp"
    C_LEVEL = "c_level"


SENIORITY_LABELS = {
    Seniority.IC: "Individual contributor",
    Seniority.MANAGER: "Manager",
    Seniority.DIRECTOR: "Director",
    Seniority.VP: "VP",
    Seniority.C_LEVEL: "C-level",
}

LEAD_SOURCES = (
    "website",
    "demo request",
    "free trial",
    "webinar",
    "event",
    "referral",
    "outbound",
    "partner",
    "content download",
)


class GateSubject(StrEnum):
    """What a gate guards: a lifecycle stage of contacts or a pipeline stage of deals."""

    CONTACT = "contact"
    OPPORTUNITY = "opportunity"


class CustomFieldType(StrEnum):
    """How a custom field's values are read, shown and filtered."""

    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    CATEGORY = "category"
    TEXT = "text"


class CustomEntity(StrEnum):
    """Records that carry custom fields."""

    ACCOUNT = "account"
    CONTACT = "contact"
    OPPORTUNITY = "opportunity"
