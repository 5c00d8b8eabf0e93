"""A small two-in-a-box organisation: a team with its manager, two AEs, two SEs, one pod, and an
unqualified deal owned by the first AE."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from techwin.auth.enums import Role
from techwin.auth.models import Team, User
from techwin.pipeline.models import Opportunity
from tests import factories
from tests.cli.conftest import database_file, run, upgraded  # noqa: F401 - the CLI tests' fixtures
from tests.web.conftest import browser, quick_password_hashes, signed_in  # noqa: F401 - web's


@dataclass
class Org:
    """The people and records the tests work with."""

    team: Team
    manager: User
    ae: User
    other_ae: User
    se: User
    other_se: User
    pod: Any
    deal: Opportunity


@pytest.fixture
def org(session: Session) -> Org:
    """Maya manages Enterprise East; Alex (AE) and Priya (SE) share a pod; Lukas is another SE."""
    manager = factories.user(session, role=Role.MANAGER, full_name="Maya Chen", password=None)
    team = factories.team(session, name="Enterprise East", manager=manager)
    ae = factories.user(session, role=Role.AE, full_name="Alex Morgan", team_id=team.id)
    other_ae = factories.user(session, role=Role.AE, full_name="Jordan Lee", team_id=team.id)
    se = factories.user(session, role=Role.SE, full_name="Priya Shah", team_id=team.id)
    other_se = factories.user(session, role=Role.SE, full_name="Lukas Becker", team_id=team.id)
    pod = factories.pod(session, aes=[ae], ses=[se], team_id=team.id, name="Alex + Priya")
    deal = factories.opportunity(session, actor=ae, name="Initech platform")
    session.commit()
    return Org(team, manager, ae, other_ae, se, other_se, pod, deal)
