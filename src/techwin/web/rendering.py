"""The Jinja2 environment shared by every page, and the helpers that render and redirect."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from techwin.auth.enums import LEVEL_LABELS, ROLE_LABELS
from techwin.core.money import CURRENCIES, compact_money, format_money
from techwin.core.time import as_utc, utcnow
from techwin.pipeline.enums import (
    FORECAST_LABELS,
    LEAD_SOURCES,
    LIFECYCLE_LABELS,
    SENIORITY_LABELS,
    ForecastCategory,
    LifecycleStage,
    Seniority,
)
from techwin.qualification.rules import SCALE
from techwin.scoring.enums import EVENT_LABELS

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
templates = Jinja2Templates(directory=WEB_DIR / "templates")

FLASH_COOKIE = "techwin_flash"


def _day(value: date | datetime | None) -> str:
    """``12 Mar 2026`` (datetimes in UTC)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = as_utc(value)
    return f"{value.day} {value:%b %Y}"


def _when(value: datetime | None) -> str:
    """``12 Mar 2026, 14:05`` in UTC."""
    if value is None:
        return "—"
    value = as_utc(value)
    return f"{value.day} {value:%b %Y, %H:%M} UTC"


def _iso(value: date | datetime | None) -> str:
    """The value as the ISO text a date input or a ``<time>`` element expects."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return as_utc(value).isoformat(timespec="seconds")
    return value.isoformat()


def _ago(value: datetime | None) -> str:
    """A coarse relative time: ``just now``, ``5 min ago``, ``3 days ago``."""
    if value is None:
        return "—"
    seconds = (utcnow() - as_utc(value)).total_seconds()
    if seconds < 0:
        return "just now"
    for limit, unit, size in (
        (60, "", 1),
        (3600, "min", 60),
        (86400, "h", 3600),
        (86400 * 60, "day", 86400),
        (86400 * 730, "month", 86400 * 30),
    ):
        if seconds < limit:
            if not unit:
                return "just now"
            n = int(seconds // size)
            if unit in ("min", "h"):
                return f"{n} {unit} ago"
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    years = int(seconds // (86400 * 365))
    return f"{years} year{'s' if years != 1 else ''} ago"


def _days_since(value: datetime | None) -> int:
    """Whole days since ``value``."""
    if value is None:
        return 0
    return max(0, int((utcnow() - as_utc(value)).total_seconds() // 86400))


def _pct(value: float | None) -> str:
    """``42%`` (one decimal below 10%)."""
    if value is None:
        return "—"
    percent = value * 100
    return f"{percent:.1f}%" if 0 < percent < 10 else f"{percent:.0f}%"


def _num(value: int | float | Decimal | None) -> str:
    """A count with thousands separators."""
    if value is None:
        return "—"
    return f"{value:,}"


def _points(value: float | None) -> str:
    """Score points without a needless decimal: ``20``, ``12.5``."""
    if value is None:
        return "—"
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _signed(value: float | None) -> str:
    """Points with their sign: ``+20``, ``−15``."""
    if value is None:
        return "—"
    return ("+" if value >= 0 else "−") + _points(abs(value))


def _label(value: object) -> str:
    """A human label for an enum member of the pipeline or people vocabularies."""
    for table in (LIFECYCLE_LABELS, FORECAST_LABELS, SENIORITY_LABELS, ROLE_LABELS, LEVEL_LABELS):
        if value in table:
            return str(table[value])  # type: ignore[index]
    return "" if value is None else str(value)


def _initials(name: str | None) -> str:
    """Two letters for an avatar."""
    parts = (name or "").split()
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def _hue(name: str | None) -> int:
    """A stable colour (hue in degrees) for a person's avatar."""
    return sum(ord(c) * (i + 1) for i, c in enumerate(name or "?")) % 360


def url_with(request: Request, path: str | None = None, **changes: object) -> str:
    """This page's URL with some query parameters changed (None or '' removes them)."""
    params: dict[str, str | list[str]] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        params[key] = values if len(values) > 1 else values[0]
    if "page" in changes and "cursor" not in changes:
        params.pop("cursor", None)  # a new page number (or sort, or filter) starts over
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(
        [
            (k, item)
            for k, v in params.items()
            for item in (v if isinstance(v, list) else [v])
            if item != ""
        ]
    )
    base = path if path is not None else request.url.path
    return f"{base}?{query}" if query else base


templates.env.filters.update(
    money=format_money,
    compact_money=compact_money,
    day=_day,
    when=_when,
    iso=_iso,
    ago=_ago,
    days_since=_days_since,
    pct=_pct,
    num=_num,
    points=_points,
    signed=_signed,
    label=_label,
    initials=_initials,
    hue=_hue,
)
templates.env.globals.update(
    url_with=url_with,
    LIFECYCLE_LABELS=LIFECYCLE_LABELS,
    FORECAST_LABELS=FORECAST_LABELS,
    SENIORITY_LABELS=SENIORITY_LABELS,
    ROLE_LABELS=ROLE_LABELS,
    LifecycleStage=LifecycleStage,
    ForecastCategory=ForecastCategory,
    Seniority=Seniority,
    LEAD_SOURCES=LEAD_SOURCES,
    CURRENCIES=CURRENCIES,
    QUALIFICATION_SCALE=SCALE,
    EVENT_LABELS=EVENT_LABELS,
    today=lambda: utcnow().date(),
)


def is_htmx(request: Request) -> bool:
    """The request came from HTMX (and wants a fragment, not a whole page)."""
    return bool(request.headers.get("hx-request")) and not request.headers.get("hx-boosted")


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page (or fragment) with the signed-in viewer and any pending flash message."""
    ctx: dict[str, Any] = {"viewer": getattr(request.state, "viewer", None)}
    flash = request.cookies.get(FLASH_COOKIE)
    page = not name.rsplit("/", 1)[-1].startswith("_")
    if flash and page:
        ctx["flash"] = unquote(flash)[:300]
    ctx.update(context or {})
    response = templates.TemplateResponse(
        request, name, ctx, status_code=status_code, headers=headers
    )
    if flash and page:
        response.delete_cookie(FLASH_COOKIE, path="/")
    # The same address answers with a page or, for HTMX, a fragment: caches must tell them apart.
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


def redirect(url: str, *, flash: str | None = None, htmx: bool = False) -> Response:
    """Post/Redirect/Get: a 303 to ``url`` (for HTMX an ``HX-Redirect``), with a toast to show."""
    response: Response
    if htmx:
        response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE, quote(flash[:300]), max_age=60, path="/", httponly=True, samesite="lax"
        )
    return response
