"""Shared fixtures: the demo organisations and the shipped procedures they adopted."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from laksana.demo.orgs import SOP_000, SOP_001, SOP_002, SOP_003, SOP_004, build_bali, build_djki
from laksana.org.models import Agency
from laksana.procedures import library
from laksana.procedures.models import ProcedureVersion
from laksana.procedures.services import adopt

# The demo agency that adopts each shipped SOP (in its builder, laksana.demo.orgs).
DEMO_OWNERS = {
    SOP_000: "utn",
    SOP_001: "diskominfo-sukamaju",
    SOP_002: "diskominfos-bali",
    SOP_003: "utn",
    SOP_004: "djki",
}


class DemoVersions(Mapping[str, ProcedureVersion]):
    """The shipped SOPs' published versions, by key: each the version of the demo agency that
    runs it (adopted by its builder), read when asked for, so after the test's organisations
    are built. A SOP whose agency is not built is adopted by a test agency ``uji``."""

    def __getitem__(self, key: str) -> ProcedureVersion:
        owner = DEMO_OWNERS.get(key, "uji")
        version = (
            ProcedureVersion.objects.filter(agency__slug=owner, procedure_key=key)
            .order_by("-number")
            .first()
        )
        if version is not None:
            return version
        agency, _created = Agency.objects.get_or_create(
            slug="uji", defaults={"name": "Instansi Uji", "short_name": "Uji"}
        )
        return adopt(key, agency)

    def __iter__(self) -> Iterator[str]:
        return iter([e.id for e in library.entries()])

    def __len__(self) -> int:
        return len(library.entries())


@pytest.fixture
def versions(db) -> Mapping[str, ProcedureVersion]:
    return DemoVersions()


@pytest.fixture
def bali(db):
    return build_bali()


@pytest.fixture
def djki(db):
    return build_djki()


@pytest.fixture
def sop002(bali) -> ProcedureVersion:
    """Bali's SOP 002 (its builder adopts it)."""
    return bali.versions[SOP_002]


@pytest.fixture
def sop004(djki) -> ProcedureVersion:
    """DJKI's SOP 004 (its builder adopts it)."""
    return djki.versions[SOP_004]


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    # Demo people get passwords; a slow hash per person would dominate these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests make many requests from one address; tests/security/test_rate_limit.py turns the
    # limit on.
    settings.LAKSANA_PUBLIC_RATE_LIMIT = 0
    # Each test starts as a fresh process would: its first e-mail asks for a send task.
    from laksana.outbox import services as outbox

    outbox._checked_at = None


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
