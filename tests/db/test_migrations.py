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


def test_next_step_dates_move_out_of_the_text_and_back(tmp_path):
    """Revision 0012 lifts the "(by YYYY-MM-DD)" debriefs wrote into the deal's next step into
    its own column; a downgrade writes it back into the text."""
    from datetime import date

    from alembic import command
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from techwin.bootstrap import prepare_database
    from techwin.db.migrate import alembic_config
    from tests import factories

    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    engine = create_engine(url)
    prepare_database(url, engine)  # the migrations and the shipped pipeline
    with Session(engine) as session:
        dated = factories.opportunity(
            session, next_step="Security review", next_step_due=date(2026, 12, 4)
        )
        undated = factories.opportunity(session, next_step="Call back (by Friday)")
        session.commit()
        ids = dated.id, undated.id
    config = alembic_config(url)
    read = text("SELECT next_step FROM opportunity WHERE id IN (:a, :b) ORDER BY id")
    command.downgrade(config, "0011")
    with engine.connect() as connection:
        texts = connection.execute(read, {"a": ids[0], "b": ids[1]}).scalars().all()
    assert texts == ["Security review (by 2026-12-04)", "Call back (by Friday)"]
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT next_step, next_step_due FROM opportunity WHERE id IN (:a, :b) ORDER BY id"
            ),
            {"a": ids[0], "b": ids[1]},
        ).all()
    assert [tuple(r) for r in rows] == [
        ("Security review", "2026-12-04"),
        ("Call back (by Friday)", None),
    ]
    engine.dispose()
