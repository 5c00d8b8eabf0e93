"""Every domain's models, imported so that ``Base.metadata`` is complete (Alembic, tests)."""

from techwin.auth.models import ApiToken, AuditEvent, Team, User, WebSession
from techwin.db.base import Base
from techwin.db.seeds import SeedRecord
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
from techwin.qualification.models import Assessment, Framework, FrameworkElement, Rating
from techwin.scoring.models import EngagementEvent, LeadScore, ScoringRule, ScoringSettings

__all__ = [
    "Account",
    "ApiToken",
    "Assessment",
    "AuditEvent",
    "Base",
    "Contact",
    "CriterionCheck",
    "EngagementEvent",
    "ExitCriterion",
    "Framework",
    "FrameworkElement",
    "LeadScore",
    "LifecycleTransition",
    "Opportunity",
    "OpportunityContact",
    "Pipeline",
    "PipelineStage",
    "Rating",
    "ScoringRule",
    "ScoringSettings",
    "SeedRecord",
    "StageChange",
    "Team",
    "User",
    "WebSession",
]
