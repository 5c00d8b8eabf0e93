"""Choices for selects and filter menus, loaded through the services."""

from __future__ import annotations

from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.core.money import CURRENCIES
from techwin.core.pagination import PageRequest
from techwin.errors import NotFound
from techwin.pipeline import accounts, contacts
from techwin.pipeline.enums import FORECAST_LABELS, LEAD_SOURCES, LIFECYCLE_LABELS
from techwin.pipeline.enums import SENIORITY_LABELS as SENIORITY
from techwin.pipeline.models import PipelineStage

Options = list[tuple[str, str]]

LIFECYCLE_OPTIONS: Options = [(s.value, label) for s, label in LIFECYCLE_LABELS.items()]
FORECAST_OPTIONS: Options = [(f.value, label) for f, label in FORECAST_LABELS.items()]
SENIORITY_OPTIONS: Options = [(s.value, label) for s, label in SENIORITY.items()]
CURRENCY_OPTIONS: Options = [(c, c) for c in CURRENCIES]


def people(session: Session) -> Options:
    """Everyone active, by name."""
    return [(str(u.id), u.full_name) for u in auth_service.list_users(session, active_only=True)]


def teams(session: Session) -> Options:
    """Every team, by name."""
    return [(str(t.id), t.name) for t in auth_service.list_teams(session)]


def engineers(session: Session) -> Options:
    """People who can be a deal's solutions engineer (SEs and SE managers)."""
    users = auth_service.list_users(session, active_only=True)
    return [(str(u.id), u.full_name) for u in users if u.role in (Role.SE, Role.MANAGER)]


def sources(session: Session) -> Options:
    """Lead sources: the usual ones plus any in use."""
    names = sorted(set(LEAD_SOURCES) | set(contacts.distinct_sources(session)))
    return [(name, name.capitalize()) for name in names]


def stages(pipeline_stages: list[PipelineStage]) -> Options:
    """Deal stages in pipeline order."""
    return [(s.key, s.name) for s in pipeline_stages]


def account_choices(
    session: Session, *, q: str | None = None, selected: int | None = None, limit: int = 50
) -> Options:
    """Accounts for a picker: the best matches, with the current choice kept first."""
    page = accounts.list_accounts(
        session, filters=accounts.AccountFilter(q=q), page=PageRequest(page=1, size=limit)
    )
    choices = [(str(a.id), a.name) for a in page.items]
    if selected is not None and all(value != str(selected) for value, _ in choices):
        try:
            account = accounts.get_account(session, selected)
        except NotFound:
            return choices
        choices.insert(0, (str(account.id), account.name))
    return choices
