"""The admin area: scoring rules and settings, qualification frameworks, the predictive model
and nurturing. Every page here is for admins; the services refuse everyone else's changes too."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from techwin.errors import PermissionDenied
from techwin.web.security import ViewerDep


def admin_only(viewer: ViewerDep) -> None:
    """Refuse the admin pages to anyone but an admin."""
    if not viewer.is_admin:
        raise PermissionDenied("only an admin can open the admin area")


def build_admin_router() -> APIRouter:
    """Every admin page, behind :func:`admin_only`."""
    from techwin.web.admin import frameworks, nurture, predictive, scoring

    router = APIRouter(dependencies=[Depends(admin_only)])
    for module in (scoring, frameworks, predictive, nurture):
        router.include_router(module.router)
    return router
