"""The permission matrix's rows for this part of issue 23 (filled in by its author)."""

from __future__ import annotations

from typing import Any


def entries() -> dict[str, Any]:
    return {}
