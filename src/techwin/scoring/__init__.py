"""Lead scoring: rule-based fit and engagement scores (and, later, the predictive model)."""

from techwin.scoring import listeners as _listeners  # noqa: F401 - keeps scores current
