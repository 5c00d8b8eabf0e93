"""All web routes, gathered: sign-in is public; every other page needs a session, and every
state-changing request there passes the CSRF check in :func:`techwin.web.security.web_guard`."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from techwin.web import (
    accounts,
    board,
    collaboration,
    engagement,
    evaluation,
    feedback,
    funnel,
    home,
    imports,
    leads,
    login,
    opportunities,
    qualification,
    tasks,
)
from techwin.web.admin import build_admin_router
from techwin.web.security import web_guard

router = APIRouter(include_in_schema=False)
router.include_router(login.public)

_signed_in = APIRouter(dependencies=[Depends(web_guard)])
for module in (
    home,
    tasks,
    accounts,
    leads,
    qualification,
    engagement,
    opportunities,
    board,
    funnel,
    imports,
    collaboration,
    evaluation,
    feedback,
):
    _signed_in.include_router(module.router)
_signed_in.include_router(build_admin_router())
_signed_in.include_router(login.private)
router.include_router(_signed_in)
