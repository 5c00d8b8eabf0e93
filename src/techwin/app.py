"""The ASGI application: API under /api/v1, the web UI, static files, health probes."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from techwin import __version__
from techwin.api import build_api_router
from techwin.api.errors import validation_errors
from techwin.config import Settings, get_settings
from techwin.db.engine import build_engine, build_sessionmaker
from techwin.db.locks import is_lock_timeout
from techwin.db.migrate import current_revision, head_revision
from techwin.deps import LoginRequired
from techwin.errors import Conflict, TechwinError, Unavailable
from techwin.web import (
    build_web_router,
    install_error_pages,
    mount_static,
    render_error_page,
    wants_html,
)
from techwin.web.failsafe import RequestIdAndFailsafe, error_headers, internal_error_response

log = logging.getLogger("techwin")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; the engine is created here, at start-up, never at import."""
    settings = settings or get_settings()
    engine = build_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        _settle_memory()
        yield
        engine.dispose()

    app = FastAPI(
        title="Techwin",
        version=__version__,
        summary="Presales platform: pipeline, rules of engagement, technical win, SE careers.",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = build_sessionmaker(engine)

    _install_error_handlers(app)
    _install_probes(app, settings)
    app.include_router(build_api_router(), prefix="/api/v1")
    app.include_router(build_web_router())
    mount_static(app, settings)
    install_error_pages(app)
    app.add_middleware(RequestIdAndFailsafe)
    return app


def _settle_memory() -> None:
    """Move everything loaded at start-up (modules, classes, routes, templates) out of the
    garbage collector's sight. A full collection otherwise walks those objects again and again,
    which showed as a 100+ ms pause every dozen requests on a busy list or board page."""
    gc.collect()
    gc.freeze()


def _error_response(request: Request, error: TechwinError) -> Response:
    if wants_html(request):
        response = render_error_page(request, error)
    else:
        response = JSONResponse(error.to_dict(), status_code=error.status)
    response.headers.update(error_headers(error, request))
    return response


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TechwinError)
    async def _techwin_error(request: Request, exc: TechwinError) -> Response:
        return _error_response(request, exc)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, _exc: StaleDataError) -> Response:
        return _error_response(
            request, Conflict("the record was changed by someone else meanwhile; reload it")
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        log.warning("integrity error: %s", exc.orig)
        return _error_response(request, Conflict("the change conflicts with stored data"))

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> Response:
        if is_lock_timeout(exc):
            log.warning("lock wait ran out on %s %s: %s", request.method, request.url.path, exc)
            return _error_response(
                request,
                Unavailable(
                    "the database is busy with other changes; nothing was saved, try again in "
                    "a moment",
                    retry_after=1,
                ),
            )
        log.exception("database error on %s %s", request.method, request.url.path)
        return internal_error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse(validation_errors(exc.errors()), status_code=422)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        from fastapi.responses import RedirectResponse

        target = "/login?next=" + quote(exc.next_url, safe="")
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)


def _install_probes(app: FastAPI, settings: Settings) -> None:
    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        """The process is up."""
        return PlainTextResponse("ok")

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        """The database answers and its schema is at the code's head revision."""
        try:
            with app.state.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            current = current_revision(app.state.engine)
        except Exception as exc:
            return JSONResponse(
                {"ready": False, "database": f"unreachable: {type(exc).__name__}"}, status_code=503
            )
        head = head_revision(settings.database_url)
        ready = current == head
        body = {"ready": ready, "database": "ok", "revision": current, "head": head}
        return JSONResponse(body, status_code=200 if ready else 503)
