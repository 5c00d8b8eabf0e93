"""Feedback: the REST endpoints (thin; the business is in techwin.feedback)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["feedback"])
