from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "crash: kills a real server process (SIGKILL) under load and checks what survived "
        "(30-60 s)",
    )
