"""The shipped frameworks (playbook data) and their seeding."""

from __future__ import annotations

from importlib import resources

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.db.seeds import apply_once
from techwin.pipeline.configuration import add_criterion
from techwin.pipeline.schemas import CriterionIn
from techwin.qualification.models import Framework, FrameworkElement
from techwin.qualification.schemas import FrameworkSpec

BUILTIN_FRAMEWORKS = ("bant", "meddic", "meddicc", "meddpicc")


def load_builtin_frameworks() -> list[FrameworkSpec]:
    """BANT and the MEDDIC family, validated."""
    folder = resources.files("techwin.playbook").joinpath("frameworks")
    return [
        FrameworkSpec.model_validate(
            yaml.safe_load(folder.joinpath(f"{key}.yaml").read_text("utf-8"))
        )
        for key in BUILTIN_FRAMEWORKS
    ]


def framework_from_spec(
    spec: FrameworkSpec, *, version: int, builtin: bool, author_id: int | None
) -> Framework:
    """A new framework version row with its elements (not yet added to a session)."""
    framework = Framework(
        key=spec.key,
        version=version,
        name=spec.name,
        description=spec.description,
        is_builtin=builtin,
        is_current=True,
        created_by_id=author_id,
    )
    framework.elements = [
        FrameworkElement(
            key=e.key,
            name=e.name,
            question=e.question,
            validated_means=e.validated_means,
            position=i,
        )
        for i, e in enumerate(spec.elements)
    ]
    return framework


def seed_frameworks(session: Session) -> None:
    """Insert the built-in frameworks that are missing (idempotent; edits are never overwritten)."""
    existing = set(session.scalars(select(Framework.key)))
    for spec in load_builtin_frameworks():
        if spec.key not in existing:
            session.add(framework_from_spec(spec, version=1, builtin=True, author_id=None))
    session.flush()


def load_default_gates() -> list[CriterionIn]:
    """The shipped qualification gates, validated as admin input would be."""
    text = resources.files("techwin.playbook").joinpath("gates.yaml").read_text("utf-8")
    return [CriterionIn.model_validate(item) for item in yaml.safe_load(text)]


def seed_default_gates(session: Session) -> None:
    """Add the shipped gates once per database; later removals by an admin are respected."""
    if not apply_once(session, "qualification.default_gates.v1"):
        return
    for data in load_default_gates():
        add_criterion(session, actor=None, data=data)
