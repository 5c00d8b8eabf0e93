"""`techwin serve`: run the web application and the API."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from techwin.cli.context import open_engine
from techwin.config import get_settings

APP_FACTORY = "techwin.app:create_app"


def serve(
    host: Annotated[
        str, typer.Option(help="Interface to listen on; 0.0.0.0 listens on every interface.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (use 1 with SQLite).")
    ] = 1,
) -> None:
    """Serve the web UI and the REST API (/api/v1, docs at /docs) with uvicorn.

    Refuses to start unless the database schema is at the newest migration: run
    `techwin db upgrade` first.
    """
    settings = get_settings()
    with open_engine(settings, require_head=True):
        pass
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers)
