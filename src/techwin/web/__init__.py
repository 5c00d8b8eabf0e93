"""The server-rendered web UI (Jinja2 + HTMX)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from techwin.config import Settings
from techwin.errors import NotFound, TechwinError
from techwin.web import convertors  # noqa: F401 - registers ":id" before any route is built
from techwin.web.rendering import STATIC_DIR, render, templates
from techwin.web.security import viewer_from_cookie


class MethodNotAllowed(TechwinError):
    """The address exists but not for this HTTP method."""

    status = 405


_HTTP_ERRORS: dict[int, TechwinError] = {
    404: NotFound("there is no page at this address"),
    405: MethodNotAllowed("this address does not accept that kind of request"),
}


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
    return render(request, "generic/error.html", {"error": error}, status_code=error.status)


def _answers_get(app: FastAPI, path: str) -> bool:
    scope = {"type": "http", "path": path, "method": "GET", "root_path": "", "headers": []}
    return any(route.matches(scope)[0] is Match.FULL for route in app.router.routes)


def page_of_action(app: FastAPI, path: str) -> str | None:
    """The nearest page above a form's action address (``/meetings/4/debrief`` → ``/meetings/4``).

    After a refused form the address bar shows the action's address; opening it again (Enter in
    the address bar, a bookmark, a reopened tab) should lead back to the page, not to an error.
    """
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) or "/"
        if _answers_get(app, candidate):
            return candidate
    return None


def build_web_router() -> APIRouter:
    """Every web route."""
    from techwin.web import routes

    return routes.router


def mount_static(app: FastAPI, settings: Settings) -> None:
    """Our own static files and the vendored front-end packages.

    The vendored packages (htmx, Chart.js, SortableJS) are copied from npm by ``make install``
    into ``static/vendor``; ``settings.vendor_dir`` points elsewhere when they live outside.
    """
    if settings.vendor_dir is not None:
        app.mount("/static/vendor", StaticFiles(directory=settings.vendor_dir), name="vendor")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def install_error_pages(app: FastAPI) -> None:
    """HTML pages for unknown addresses and wrong methods, for browsers; the API and scripts
    keep FastAPI's JSON. Unexpected failures are answered by ``web.failsafe``."""

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Unknown addresses and wrong methods: a page for browsers, FastAPI's JSON for the rest.
        error = _HTTP_ERRORS.get(exc.status_code)
        if exc.status_code == 405 and request.method == "GET" and wants_html(request):
            page = page_of_action(request.app, request.url.path)
            if page is not None and not request.headers.get("hx-request"):
                return RedirectResponse(page, status_code=303)
        if error is not None and wants_html(request):
            if getattr(request.state, "viewer", None) is None:
                request.state.viewer = viewer_from_cookie(request)
            return render_error_page(request, error)
        return await http_exception_handler(request, exc)
