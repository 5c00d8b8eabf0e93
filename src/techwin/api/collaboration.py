"""Collaboration: the REST endpoints (thin; the business is in techwin.collaboration)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["collaboration"])
