"""Bring a database to a usable state: migrations to head, then the shipped playbook data."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from techwin.collaboration.playbook import seed_collaboration
from techwin.db.migrate import upgrade_to_head
from techwin.pipeline.playbook import load_default_pipeline, seed_pipeline
from techwin.qualification.playbook import seed_default_gates, seed_frameworks
from techwin.scoring.nurture.configuration import seed_nurture
from techwin.scoring.playbook import seed_scoring


def seed_playbook(session: Session) -> None:
    """Insert the shipped default data that is missing (idempotent).

    Frameworks and the pipeline are topped up on every upgrade; the default gates, scoring rules
    and nurture sequences are applied once per database, so an admin's later edits stick.
    """
    seed_pipeline(session, load_default_pipeline())
    seed_frameworks(session)
    seed_default_gates(session)
    seed_scoring(session)
    seed_nurture(session)
    seed_collaboration(session)


def prepare_database(database_url: str, engine: Engine) -> None:
    """Upgrade the schema to head and seed the playbook in one transaction."""
    upgrade_to_head(database_url)
    with Session(engine) as session, session.begin():
        seed_playbook(session)
