"""The monitoring API (placeholder until the API part lands)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["monitoring"])
