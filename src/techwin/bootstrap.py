"""Bring a database to a usable state: migrations to head, then the shipped playbook data."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from techwin.db.migrate import upgrade_to_head
from techwin.pipeline.playbook import load_default_pipeline, seed_pipeline
from techwin.qualification.playbook import seed_frameworks


def seed_playbook(session: Session) -> None:
    """Insert the shipped default data that is missing (idempotent)."""
    seed_pipeline(session, load_default_pipeline())
    seed_frameworks(session)


def prepare_database(database_url: str, engine: Engine) -> None:
    """Upgrade the schema to head and seed the playbook in one transaction."""
    upgrade_to_head(database_url)
    with Session(engine) as session, session.begin():
        seed_playbook(session)
