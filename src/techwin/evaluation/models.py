"""Evaluation models (tables)."""

from __future__ import annotations
