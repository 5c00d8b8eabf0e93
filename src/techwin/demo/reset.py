"""Empty a database (every table the models know) and seed the shipped playbook again."""

from __future__ import annotations

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from techwin.bootstrap import seed_playbook
from techwin.models import Base, User


def count_users(session: Session) -> int:
    """How many people the database holds (a demo is only generated into an empty one)."""
    return int(session.scalar(select(func.count(User.id))) or 0)


def empty_database(session: Session) -> None:
    """Delete every row of every table, then re-seed the playbook; the schema stays."""
    tables = Base.metadata.sorted_tables
    if session.get_bind().dialect.name == "postgresql":
        preparer = session.get_bind().dialect.identifier_preparer
        names = ", ".join(preparer.format_table(t) for t in tables)
        session.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            session.execute(delete(table))
    session.expunge_all()  # nothing loaded before the wipe exists any more
    seed_playbook(session)
    session.flush()
