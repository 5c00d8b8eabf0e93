"""`techwin db …`: the database schema."""

from __future__ import annotations

import typer

from techwin.bootstrap import prepare_database
from techwin.cli.context import open_engine
from techwin.cli.output import print_success, print_table
from techwin.config import get_settings
from techwin.db.migrate import current_revision, head_revision

app = typer.Typer(
    help="Create or upgrade the database schema (TECHWIN_DATABASE_URL).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration and seed the shipped playbook (safe to run again).

    Works on an empty database too: that is how a new installation gets its tables and its
    default deal pipeline.
    """
    settings = get_settings()
    with open_engine(settings, require_head=False) as engine:
        prepare_database(settings.database_url, engine)
        revision = current_revision(engine)
    print_success(f"Database at revision {revision} (head).")


@app.command("status")
def status() -> None:
    """Show the database's revision next to the newest one this version of Techwin knows."""
    settings = get_settings()
    with open_engine(settings, require_head=False) as engine:
        current = current_revision(engine)
    head = head_revision(settings.database_url)
    state = "up to date" if current == head else "behind: run `techwin db upgrade`"
    print_table(
        None,
        ("Database", "Revision", "Head", "State"),
        [(settings.database_url, current or "(empty)", head, state)],
    )
