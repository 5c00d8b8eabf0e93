"""The REST API under /api/v1: thin routers over the domain services."""

from __future__ import annotations

from fastapi import APIRouter

from techwin.api import (
    accounts,
    audit,
    collaboration,
    contacts,
    evaluation,
    feedback,
    nurture,
    opportunities,
    overview,
    people,
    predictive,
    qualification,
    reports,
    scoring,
    transfer,
)


def build_api_router() -> APIRouter:
    """Every API router, ready to mount at /api/v1."""
    router = APIRouter()
    for module in (
        people,
        accounts,
        contacts,
        opportunities,
        qualification,
        collaboration,
        overview,
        evaluation,
        feedback,
        predictive,
        scoring,
        nurture,
        transfer,
        reports,
        audit,
    ):
        router.include_router(module.router)
    return router
