"""The settings read LAKSANA_* variables strictly and give a working embedded default."""

from __future__ import annotations

import os
import re
import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.utils import ConnectionHandler

from laksana.config import settings as settings_module

VARIABLES = (
    "LAKSANA_MODE",
    "LAKSANA_DEBUG",
    "LAKSANA_SECRET_KEY",
    "LAKSANA_SECRET_KEY_FILE",
    "LAKSANA_ALLOWED_HOSTS",
    "LAKSANA_DATA_DIR",
    "LAKSANA_DATABASE_URL",
    "LAKSANA_DATABASE_URL_FILE",
    "LAKSANA_TLS",
    "LAKSANA_BEHIND_PROXY",
    "LAKSANA_PROXY_ADDRESSES",
    "LAKSANA_SITE_URL",
    "LAKSANA_LOG_FORMAT",
    "LAKSANA_LOG_LEVEL",
)
GOOD_KEY = "Vq3xN8rT2mKp7LwZ5sYh9JdF4gBc6AeU1oRi0tWn-QzXy_PvMu8HkGj2LbSa"
SETTINGS_FILE = Path(settings_module.__file__)


@pytest.fixture
def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Run the settings module afresh with the given variables; return its namespace."""

    def load(**env: str) -> dict[str, Any]:
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("LAKSANA_DATA_DIR", str(tmp_path / "data"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


def test_it_defaults_to_the_embedded_mode(load_settings: Any, tmp_path: Path) -> None:
    s = load_settings()
    assert s["DEBUG"] is True
    assert s["SECRET_KEY"]
    db = s["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == tmp_path / "data" / "laksana.sqlite3"
    assert (tmp_path / "data").is_dir()
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert s["LANGUAGE_CODE"] == "id"
    assert [code for code, _ in s["LANGUAGES"]] == ["id", "en"]
    assert s["TIME_ZONE"] == "Asia/Jakarta"
    assert s["USE_TZ"] is True


def test_it_opens_the_sqlite_file_in_wal_mode(load_settings: Any, django_db_blocker: Any) -> None:
    s = load_settings()
    handler = ConnectionHandler({"default": s["DATABASES"]["default"]})
    try:
        with django_db_blocker.unblock(), handler["default"].cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    finally:
        handler.close_all()


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_it_rejects_a_debug_value_it_cannot_read(load_settings: Any, value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"LAKSANA_DEBUG=.*on or off"):
        load_settings(LAKSANA_DEBUG=value)


@pytest.mark.parametrize(("value", "expected"), [("off", False), ("0", False), ("YES", True)])
def test_it_reads_debug_words(load_settings: Any, value: str, expected: bool) -> None:
    env = {"LAKSANA_DEBUG": value}
    if not expected:
        env |= {
            "LAKSANA_SECRET_KEY": GOOD_KEY,
            "LAKSANA_ALLOWED_HOSTS": "sop.example.go.id",
            "LAKSANA_SITE_URL": "https://sop.example.go.id",
        }
    assert load_settings(**env)["DEBUG"] is expected


def test_it_refuses_production_without_a_secret_key(load_settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_SECRET_KEY is not set"):
        load_settings(LAKSANA_DEBUG="off", LAKSANA_ALLOWED_HOSTS="sop.example.go.id")


def test_it_refuses_production_with_a_short_secret_key(load_settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_SECRET_KEY is too short"):
        load_settings(
            LAKSANA_DEBUG="off", LAKSANA_SECRET_KEY="short", LAKSANA_ALLOWED_HOSTS="a.go.id"
        )


def test_it_refuses_production_without_allowed_hosts(load_settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_ALLOWED_HOSTS is not set"):
        load_settings(LAKSANA_DEBUG="off", LAKSANA_SECRET_KEY=GOOD_KEY)


def test_it_refuses_a_low_variety_key_with_debug_off(load_settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_SECRET_KEY has too little variety"):
        load_settings(
            LAKSANA_DEBUG="off",
            LAKSANA_SECRET_KEY="k" * 25 + "Q" * 25,
            LAKSANA_ALLOWED_HOSTS="a.go.id",
            LAKSANA_SITE_URL="https://a.go.id",
        )


def test_it_refuses_any_host_with_debug_off(load_settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_ALLOWED_HOSTS: '\\*'"):
        load_settings(
            LAKSANA_DEBUG="off",
            LAKSANA_SECRET_KEY=GOOD_KEY,
            LAKSANA_ALLOWED_HOSTS="*",
            LAKSANA_SITE_URL="https://a.go.id",
        )


def test_logs_are_json_lines_to_standard_error_with_debug_off(load_settings: Any) -> None:
    strict = {
        "LAKSANA_DEBUG": "off",
        "LAKSANA_SECRET_KEY": GOOD_KEY,
        "LAKSANA_ALLOWED_HOSTS": "a.go.id",
        "LAKSANA_SITE_URL": "https://a.go.id",
    }
    for env, expected in (({}, "text"), (strict, "json")):
        s = load_settings(**env)
        handler = s["LOGGING"]["handlers"]["stderr"]
        assert handler["stream"] == "ext://sys.stderr" and handler["formatter"] == expected
    s = load_settings(LAKSANA_LOG_FORMAT="json", LAKSANA_LOG_LEVEL="warning")
    assert s["LOGGING"]["handlers"]["stderr"]["formatter"] == "json"
    assert s["LOGGING"]["root"]["level"] == "WARNING"
    with pytest.raises(ImproperlyConfigured, match=r"^LAKSANA_LOG_FORMAT='xml'"):
        load_settings(LAKSANA_LOG_FORMAT="xml")


def test_it_reads_allowed_hosts(load_settings: Any) -> None:
    s = load_settings(LAKSANA_ALLOWED_HOSTS=" sop.example.go.id, .kominfo.go.id ,")
    assert s["ALLOWED_HOSTS"] == ["sop.example.go.id", ".kominfo.go.id"]


def test_it_rejects_a_url_as_allowed_host(load_settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_ALLOWED_HOSTS: 'https://"):
        load_settings(LAKSANA_ALLOWED_HOSTS="https://sop.example.go.id")


def test_it_reads_a_postgres_url(load_settings: Any) -> None:
    s = load_settings(LAKSANA_DATABASE_URL="postgres://laksana:rahasia@db.local:5433/sop")
    db = s["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "sop",
        "laksana",
        "rahasia",
        "db.local",
        5433,
    )


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/laksana", "sqlite:///tmp/x.db", "127.0.0.1:5432/laksana"]
)
def test_it_accepts_only_postgres_urls(load_settings: Any, url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"LAKSANA_DATABASE_URL: scheme .* postgres://"):
        load_settings(LAKSANA_DATABASE_URL=url)


def test_it_wants_a_database_name_in_the_url(load_settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        load_settings(LAKSANA_DATABASE_URL="postgres://postgres@127.0.0.1:5432/")


def test_it_rejects_a_data_dir_that_is_a_file(load_settings: Any, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ImproperlyConfigured, match=r"LAKSANA_DATA_DIR: .* is not a folder"):
        load_settings(LAKSANA_DATA_DIR=str(tmp_path / "file"))


@pytest.mark.django_db
def test_it_runs_on_the_configured_database() -> None:
    from django.contrib.auth.models import User

    expected = "postgresql" if os.environ.get("LAKSANA_DATABASE_URL") else "sqlite"
    assert connection.vendor == expected
    assert User.objects.count() == 0


def test_every_variable_is_in_the_table_of_the_settings_module() -> None:
    # The docstring's table is the operator's reference: a LAKSANA_* variable read by the
    # module must be listed there.
    text = SETTINGS_FILE.read_text()
    doc = settings_module.__doc__ or ""
    read = set(re.findall(r'"(LAKSANA_[A-Z_]+)"', text)) | {
        f"{name}_FILE" for name in re.findall(r'env_secret\("(LAKSANA_[A-Z_]+)"\)', text)
    }
    read |= {
        f"LAKSANA_OIDC_{name}_ENDPOINT" for name in ("AUTHORIZATION", "TOKEN", "USERINFO", "JWKS")
    }
    documented = set(re.findall(r"LAKSANA_[A-Z_]+", doc)) | {
        f"LAKSANA_OIDC_{name}_ENDPOINT" for name in ("TOKEN", "USERINFO", "JWKS")
    }
    settings_only = {"LAKSANA_MAX_UPLOAD_BYTES", "LAKSANA_EMAIL_BACKEND", "LAKSANA_EMAIL_FROM"}
    missing = read - documented - settings_only
    assert not missing, f"variables read but not in the table: {sorted(missing)}"
