"""Every domain's models, imported so that ``Base.metadata`` is complete (Alembic, tests)."""

from techwin.auth.models import ApiToken, AuditEvent, Team, User, WebSession
from techwin.db.base import Base
from techwin.pipeline.models import (
    Account,
    Contact,
    CriterionCheck,
    ExitCriterion,
    LifecycleTransition,
    Opportunity,
    OpportunityContact,
    Pipeline,
    PipelineStage,
    StageChange,
)

__all__ = [
    "Account",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Contact",
    "CriterionCheck",
    "ExitCriterion",
    "LifecycleTransition",
    "Opportunity",
    "OpportunityContact",
    "Pipeline",
    "PipelineStage",
    "StageChange",
    "Team",
    "User",
    "WebSession",
]
