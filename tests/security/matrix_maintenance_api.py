"""The permission matrix's rows for maintenance_api routes (see test_permission_matrix's
docstring for the personas, outcomes and checks)."""

from __future__ import annotations

from typing import Any


def entries() -> dict[str, Any]:
    return {}
