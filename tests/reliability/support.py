"""Helpers of the reliability tests: the installed `laksana` script run in its own process
against its own database (a fresh SQLite data folder, or a scratch PostgreSQL database)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings

LAKSANA = Path(sys.executable).with_name("laksana")


def on_postgres() -> bool:
    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


def _pg_settings() -> dict[str, Any]:
    return settings.DATABASES["default"]


def pg_connect(dbname: str = "postgres", *, autocommit: bool = True) -> Any:
    import psycopg

    db = _pg_settings()
    params = {
        "dbname": dbname,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=autocommit)


def pg_url(dbname: str) -> str:
    db = _pg_settings()
    user = quote(str(db.get("USER") or "postgres"), safe="")
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{dbname}"


def drop_database(name: str) -> None:
    with pg_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """An empty PostgreSQL database (its URL), dropped afterwards. ``name`` must be one of the
    names this suite may use (laksana_s2_...)."""
    assert name.startswith("laksana_s2_"), name
    drop_database(name)
    with pg_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(name)
    finally:
        drop_database(name)


def installation_env(
    data_dir: Path, database_url: str | None = None, **extra: str
) -> dict[str, str]:
    """The environment of a `laksana` process with its own data folder and database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKSANA_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["LAKSANA_DATA_DIR"] = str(data_dir)
    if database_url:
        env["LAKSANA_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def production_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of a server as production runs it (debug off, secret key, hosts)."""
    env = installation_env(
        data_dir,
        database_url,
        LAKSANA_DEBUG="off",
        LAKSANA_SECRET_KEY=secrets.token_urlsafe(45)[:60],
        LAKSANA_JOURNAL_KEY=secrets.token_urlsafe(45)[:60],
        LAKSANA_ALLOWED_HOSTS="127.0.0.1,localhost",
        LAKSANA_SITE_URL="http://127.0.0.1",
    )
    settings_source = (Path(settings.PACKAGE_DIR) / "config" / "settings.py").read_text()
    if "LAKSANA_MODE" in settings_source:
        env["LAKSANA_MODE"] = "production"
        env["LAKSANA_TLS"] = "off"
    return env


def laksana(
    *args: str | Path, env: dict[str, str], timeout: float = 300, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the installed `laksana` script as an operator would."""
    result = subprocess.run(
        [str(LAKSANA), *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check:
        assert result.returncode == 0, (args, result.stdout[-3000:], result.stderr[-3000:])
    return result


def laksana_json(code: str, env: dict[str, str]) -> Any:
    """Run Python code in `laksana shell` of that installation; its last output line as JSON."""
    result = laksana("shell", "-c", code, env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


COUNTS_CODE = (
    "import json; from laksana.ops.backup import live_counts; print(json.dumps(live_counts()))"
)
