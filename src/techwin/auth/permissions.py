"""Who may do what: checked by services, whichever adapter called them."""

from __future__ import annotations

from collections.abc import Iterable

from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.errors import PermissionDenied

WRITER_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SE, Role.AE})


def require_admin(actor: User | None) -> None:
    """Only admins (or the operator's CLI, ``actor=None``) may manage people and settings."""
    if actor is not None and actor.role is not Role.ADMIN:
        raise PermissionDenied("only an admin can do this")


def require_writer(actor: User | None) -> None:
    """Viewers and PMs read the pipeline; they do not change it."""
    if actor is not None and actor.role not in WRITER_ROLES:
        raise PermissionDenied(f"a {actor.role.value} cannot change pipeline records")


def can_edit_record(
    actor: User | None, *, owner_id: int | None, team_ids: Iterable[int] = ()
) -> bool:
    """Managers and admins edit anything; AEs and SEs edit what they own or work on."""
    if actor is None or actor.is_manager_or_admin:
        return True
    if actor.role not in WRITER_ROLES:
        return False
    return actor.id == owner_id or actor.id in set(team_ids)


def require_edit_record(
    actor: User | None, *, owner_id: int | None, what: str, team_ids: Iterable[int] = ()
) -> None:
    """Raise unless ``actor`` may edit a record owned by ``owner_id``."""
    require_writer(actor)
    if not can_edit_record(actor, owner_id=owner_id, team_ids=team_ids):
        raise PermissionDenied(f"only the owner, a manager or an admin can change this {what}")


def require_override(actor: User | None) -> None:
    """Gate overrides are for managers and admins."""
    if actor is not None and not actor.is_manager_or_admin:
        raise PermissionDenied("only a manager or an admin can override a gate")
