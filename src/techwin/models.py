"""Every domain's models, imported so that ``Base.metadata`` is complete (Alembic, tests)."""

from techwin.auth.models import ApiToken, AuditEvent, Team, User, WebSession
from techwin.collaboration import models as _collaboration  # noqa: F401 - its tables
from techwin.db.base import Base
from techwin.db.seeds import SeedRecord
from techwin.evaluation import models as _evaluation  # noqa: F401 - its tables
from techwin.feedback import models as _feedback  # noqa: F401 - its tables
from techwin.pipeline.models import (
    Account,
    Contact,
    CriterionCheck,
    CustomField,
    ExitCriterion,
    FunnelDuration,
    LifecycleTransition,
    Opportunity,
    OpportunityContact,
    Pipeline,
    PipelineStage,
    StageChange,
)
from techwin.qualification.models import Assessment, Framework, FrameworkElement, Rating
from techwin.scoring.models import (
    EngagementEvent,
    LeadScore,
    PredictiveModel,
    PredictiveScore,
    ScoringRule,
    ScoringSettings,
)
from techwin.scoring.nurture.models import (
    Enrollment,
    NurtureTier,
    Sequence,
    SequenceStep,
    Task,
    Unsubscribe,
)

__all__ = [
    "Account",
    "ApiToken",
    "Assessment",
    "AuditEvent",
    "Base",
    "Contact",
    "CriterionCheck",
    "CustomField",
    "EngagementEvent",
    "Enrollment",
    "ExitCriterion",
    "Framework",
    "FrameworkElement",
    "FunnelDuration",
    "LeadScore",
    "LifecycleTransition",
    "NurtureTier",
    "Opportunity",
    "OpportunityContact",
    "Pipeline",
    "PipelineStage",
    "PredictiveModel",
    "PredictiveScore",
    "Rating",
    "ScoringRule",
    "ScoringSettings",
    "SeedRecord",
    "Sequence",
    "SequenceStep",
    "StageChange",
    "Task",
    "Team",
    "Unsubscribe",
    "User",
    "WebSession",
]
