"""Evaluation: the REST endpoints (thin; the business is in techwin.evaluation)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["evaluation"])
