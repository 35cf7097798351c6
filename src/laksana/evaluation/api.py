"""Placeholder: the evaluation API (filled in by its builder)."""

from __future__ import annotations

from ninja import Router

router = Router()
