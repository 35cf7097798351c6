"""The maintenance API (filled by the API part)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["maintenance"])
