"""Frameworks: list them, add a custom one, edit one (which creates a new version)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.auth.permissions import require_admin
from techwin.errors import Conflict, NotFound
from techwin.qualification.models import Framework
from techwin.qualification.playbook import framework_from_spec
from techwin.qualification.schemas import FrameworkSpec


def list_frameworks(session: Session, *, include_old: bool = False) -> list[Framework]:
    """Current framework versions (or every version), with elements, by name."""
    query = (
        select(Framework)
        .options(selectinload(Framework.elements))
        .order_by(Framework.name, Framework.version)
    )
    if not include_old:
        query = query.where(Framework.is_current.is_(True))
    return list(session.scalars(query))


def current_framework(session: Session, key: str) -> Framework:
    """The current version of framework ``key`` or NotFound naming the known ones."""
    framework = session.scalar(
        select(Framework)
        .options(selectinload(Framework.elements))
        .where(Framework.key == key, Framework.is_current.is_(True))
    )
    if framework is None:
        known = ", ".join(f.key for f in list_frameworks(session))
        raise NotFound(f"unknown framework {key!r}; known: {known}", field="framework")
    return framework


def framework_version(session: Session, framework_id: int) -> Framework:
    """A specific framework version with its elements."""
    framework = session.scalar(
        select(Framework)
        .options(selectinload(Framework.elements))
        .where(Framework.id == framework_id)
    )
    if framework is None:
        raise NotFound(f"framework version {framework_id} does not exist", field="framework")
    return framework


def create_framework(session: Session, *, actor: User | None, spec: FrameworkSpec) -> Framework:
    """Add a custom framework (admins)."""
    require_admin(actor)
    if session.scalar(select(Framework.id).where(Framework.key == spec.key)) is not None:
        raise Conflict(f"a framework with key {spec.key!r} exists; edit it instead", field="key")
    framework = framework_from_spec(
        spec, version=1, builtin=False, author_id=actor.id if actor else None
    )
    session.add(framework)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="framework.create",
        entity_type="framework",
        entity_id=framework.id,
        summary=f"created framework {spec.name} ({spec.key})",
    )
    return framework


def edit_framework(
    session: Session, *, actor: User | None, key: str, spec: FrameworkSpec
) -> Framework:
    """Publish a new version of framework ``key``; assessments keep their own version."""
    require_admin(actor)
    if spec.key != key:
        raise Conflict(
            "a framework's key cannot change; create a new framework instead", field="key"
        )
    previous = current_framework(session, key)
    previous.is_current = False
    session.flush()
    framework = framework_from_spec(
        spec,
        version=previous.version + 1,
        builtin=previous.is_builtin,
        author_id=actor.id if actor else None,
    )
    session.add(framework)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="framework.edit",
        entity_type="framework",
        entity_id=framework.id,
        summary=f"published {spec.name} version {framework.version}",
        before={"version": previous.version, "elements": [e.key for e in previous.elements]},
        after={"version": framework.version, "elements": [e.key for e in spec.elements]},
    )
    return framework
