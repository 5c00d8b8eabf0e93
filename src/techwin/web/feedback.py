"""Product gaps in the web UI: the product manager's page ranked by revenue impact."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
