"""Shared fixtures: the published seed procedures and the demo organisations."""

from __future__ import annotations

from pathlib import Path

import pytest

from laksana.demo.orgs import SOP_002, SOP_004, build_bali, build_djki
from laksana.procedures.models import ProcedureVersion
from laksana.procedures.services import publish_shipped


@pytest.fixture
def versions(db) -> dict[str, ProcedureVersion]:
    return {v.procedure_key: v for v in publish_shipped()}


@pytest.fixture
def bali(db):
    return build_bali()


@pytest.fixture
def djki(db):
    return build_djki()


@pytest.fixture
def sop002(versions) -> ProcedureVersion:
    return versions[SOP_002]


@pytest.fixture
def sop004(versions) -> ProcedureVersion:
    return versions[SOP_004]


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    # Demo people get passwords; a slow hash per person would dominate these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sqlite_upkeep():
    """For tests that start SQLite's upkeep thread (laksana.ops.upkeep), directly or through
    the benchmarks: stopped after the test whatever happens (SQLite's own checkpoint given
    back), and the statistics it gathered dropped (the other tests plan without them, as
    tests/cases/test_step_indexes.py expects)."""
    from laksana.ops import upkeep

    yield upkeep
    upkeep.stop()
    drop_statistics()


def drop_statistics() -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the services' SQLite writer lock file beside the test database
    (``laksana.ops.upkeep.writers_lock``): Django removes the test database, not the lock file
    (one empty file in the temporary folder per test run)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    name = database.get("TEST", {}).get("NAME")
    if "sqlite" in database["ENGINE"] and name:
        Path(f"{name}.writers").unlink(missing_ok=True)
