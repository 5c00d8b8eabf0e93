"""The shipped scoring rules and settings, seeded once per database."""

from __future__ import annotations

from importlib import resources

import yaml
from pydantic import BaseModel
from sqlalchemy.orm import Session

from techwin.db.seeds import apply_once
from techwin.scoring import rules
from techwin.scoring.models import ScoringRule, ScoringSettings
from techwin.scoring.schemas import RuleIn, SettingsIn


class ScoringPlaybook(BaseModel):
    """The scoring file: settings and rules."""

    settings: SettingsIn
    rules: list[RuleIn]


def load_scoring_playbook() -> ScoringPlaybook:
    """The shipped rules, each validated as an admin's would be."""
    text = resources.files("techwin.playbook").joinpath("scoring.yaml").read_text("utf-8")
    playbook = ScoringPlaybook.model_validate(yaml.safe_load(text))
    for position, data in enumerate(playbook.rules):
        rules.validate_rule(
            rules.RuleSpec(
                id=position,
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
        )
    return playbook


def seed_scoring(session: Session) -> None:
    """Insert the default rules and settings the first time only."""
    if not apply_once(session, "scoring.default_rules.v1"):
        return
    playbook = load_scoring_playbook()
    if session.get(ScoringSettings, 1) is None:
        session.add(ScoringSettings(id=1, **playbook.settings.model_dump(exclude_none=True)))
    for position, data in enumerate(playbook.rules):
        session.add(ScoringRule(**{**data.model_dump(), "position": position}))
    session.flush()
