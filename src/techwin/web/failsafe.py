"""Request ids, and the last line of defence: an unexpected error becomes a proper answer.

Starlette's outermost middleware renders an exception handler's response for an unhandled
error and then raises the error again, so the server closes the connection without saying
``Connection: close`` and the client's next request on it fails too. This middleware sits
inside it: it catches what escaped the routes, logs it with the request's id, answers the
product's JSON error (API) or error page (browsers), and returns normally, so the connection
stays usable.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from techwin.errors import InternalError, TechwinError, Unavailable

log = logging.getLogger("techwin.errors")

REQUEST_ID_HEADER = "x-request-id"
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id() -> str:
    """A short random id that ties a response to its log lines."""
    return secrets.token_hex(8)


def request_id_of(request: Request) -> str:
    """The id of the request being answered (set by the middleware)."""
    return str(request.scope.get("state", {}).get("request_id", ""))


def error_headers(error: TechwinError, request: Request) -> dict[str, str]:
    """Headers an error answer carries: its request id, and Retry-After when busy."""
    headers = {REQUEST_ID_HEADER: request_id_of(request)}
    if isinstance(error, Unavailable):
        headers["retry-after"] = str(error.retry_after)
    return headers


class RequestIdAndFailsafe:
    """Give every request an id (echoed as ``X-Request-ID``) and answer unexpected errors."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; on an error before the response started, answer it ourselves."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            log.exception(
                "unhandled error [request %s] %s %s",
                request_id,
                scope.get("method"),
                scope.get("path"),
            )
            if started:
                raise  # half a response went out: only closing the connection is honest
            response = internal_error_response(Request(scope), exc)
            await response(scope, receive, send_with_id)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            text = value.decode("latin-1")
            return text if _CLIENT_ID.match(text) else None
    return None


def internal_error_response(request: Request, _exc: BaseException) -> Response:
    """The answer to a bug: JSON for the API and scripts, the error page for browsers."""
    from techwin.web import render_error_page, wants_html

    request_id = request_id_of(request)
    error = InternalError(
        "something went wrong on our side; the error has been logged"
        + (f" (reference {request_id})" if request_id else ""),
        extra={"request_id": request_id},
    )
    if wants_html(request):
        try:
            return render_error_page(request, error)
        except Exception:  # the error page itself failed: say it plainly
            log.exception("the error page failed [request %s]", request_id)
            return PlainTextResponse(error.message, status_code=500)
    body: dict[str, Any] = error.to_dict()
    return JSONResponse(body, status_code=500)
