"""The server-rendered web UI (Jinja2 + HTMX)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from techwin.config import Settings
from techwin.errors import TechwinError
from techwin.web.rendering import STATIC_DIR, templates


def wants_html(request: Request) -> bool:
    """Browser pages get HTML errors; the API and scripts get JSON."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "") or bool(
        request.headers.get("hx-request")
    )


def render_error_page(request: Request, error: TechwinError) -> Response:
    """An error as a page (or, for HTMX, a fragment shown as a toast)."""
    if request.headers.get("hx-request"):
        return HTMLResponse(
            templates.get_template("generic/toast.html").render(
                kind="error", message=error.message
            ),
            status_code=error.status,
            headers={"HX-Reswap": "none", "HX-Trigger-After-Settle": "techwin:error"},
        )
    return templates.TemplateResponse(
        request, "generic/error.html", {"error": error, "user": None}, status_code=error.status
    )


def build_web_router() -> APIRouter:
    """Every web route."""
    from techwin.web import routes

    return routes.router


def mount_static(app: FastAPI, settings: Settings) -> None:
    """Our own static files, and the vendored front-end packages installed by npm."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
