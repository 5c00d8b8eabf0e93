"""Entry point of the ``techwin`` command."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="techwin", help="Techwin: the open-source presales platform.", no_args_is_help=True
)


@app.callback()
def _root() -> None:
    """Techwin: the open-source presales platform."""


def main() -> None:
    """Run the CLI."""
    app()
