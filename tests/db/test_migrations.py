"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from techwin.db.migrate import head_revision
from techwin.models import Base


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_database_is_at_head(engine, database_url):
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head_revision(
            database_url
        )
