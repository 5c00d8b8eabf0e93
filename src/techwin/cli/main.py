"""Entry point of the ``techwin`` command: one module per command group."""

from __future__ import annotations

from typing import Annotated

import typer

from techwin import __version__
from techwin.cli import db, nurture, requests, scoring, tokens, users
from techwin.cli.demo import demo
from techwin.cli.errors import TechwinGroup
from techwin.cli.gaps import app as gaps_app
from techwin.cli.serve import serve
from techwin.cli.transfer import export_command, import_command

app = typer.Typer(
    name="techwin",
    cls=TechwinGroup,
    help="Techwin: the open-source presales platform.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.command("serve")(serve)
app.command("demo")(demo)
app.add_typer(users.app, name="users")
app.add_typer(tokens.app, name="tokens")
app.add_typer(scoring.app, name="scoring")
app.add_typer(nurture.app, name="nurture")
app.add_typer(nurture.tasks_app, name="tasks")
app.add_typer(gaps_app, name="gaps")
app.add_typer(requests.app, name="requests")
app.command("import")(import_command)
app.command("export")(export_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"techwin {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Techwin: the open-source presales platform.

    Settings come from the environment: TECHWIN_DATABASE_URL (default sqlite:///techwin.db),
    TECHWIN_ENV (dev, test, prod) and TECHWIN_SECRET_KEY (required outside dev).
    """


def main() -> None:
    """Run the CLI."""
    app()


if __name__ == "__main__":
    main()
