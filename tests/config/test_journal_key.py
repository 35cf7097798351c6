"""The journal key (LAKSANA_JOURNAL_KEY): required in production, strict, from a file or the
environment, never the secret key; derived from the secret key in development."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from laksana.config import settings as settings_module

KEY = "Vq3xN8rT2mKp7LwZ5sYh9JdF4gBc6AeU1oRi0tWn-QzXy_PvMu8HkGj2LbSa"
JOURNAL_KEY = "pW7dXk2Lq9Rz4Nf8Tb3Vh6Jm1Yc5Gs0Ae-Uo_Iw2Er7Ty4Qp9Zx3Cv8Bn6Mk1Lj"
PRODUCTION = {
    "LAKSANA_MODE": "production",
    "LAKSANA_SECRET_KEY": KEY,
    "LAKSANA_ALLOWED_HOSTS": "sop.example.go.id",
    "LAKSANA_SITE_URL": "https://sop.example.go.id",
}


@pytest.fixture
def load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    def run(**env: str) -> dict[str, Any]:
        for name in [k for k in os.environ if k.startswith("LAKSANA_")]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("LAKSANA_DATA_DIR", str(tmp_path / "data"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(settings_module.__file__))

    return run


def test_production_refuses_to_start_without_a_journal_key(load: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_JOURNAL_KEY is not set"):
        load(**PRODUCTION)
    assert load(**PRODUCTION, LAKSANA_JOURNAL_KEY=JOURNAL_KEY)["LAKSANA_JOURNAL_KEY"] == (
        JOURNAL_KEY
    )


@pytest.mark.parametrize("weak", ["short-key", "a" * 64, "ab" * 20])
def test_a_weak_journal_key_is_refused_in_every_mode(load: Any, weak: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_JOURNAL_KEY is too weak"):
        load(**PRODUCTION, LAKSANA_JOURNAL_KEY=weak)
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_JOURNAL_KEY is too weak"):
        load(LAKSANA_JOURNAL_KEY=weak)


def test_the_journal_key_is_not_the_secret_key(load: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_JOURNAL_KEY is the secret key"):
        load(**PRODUCTION, LAKSANA_JOURNAL_KEY=KEY)


def test_the_journal_key_comes_from_a_file(load: Any, tmp_path: Path) -> None:
    path = tmp_path / "journal.key"
    path.write_text(JOURNAL_KEY + "\n")
    s = load(**PRODUCTION, LAKSANA_JOURNAL_KEY_FILE=str(path))
    assert s["LAKSANA_JOURNAL_KEY"] == JOURNAL_KEY
    with pytest.raises(ImproperlyConfigured, match="Both LAKSANA_JOURNAL_KEY and"):
        load(**PRODUCTION, LAKSANA_JOURNAL_KEY=JOURNAL_KEY, LAKSANA_JOURNAL_KEY_FILE=str(path))


def test_development_derives_a_stable_key_from_the_secret_key(load: Any) -> None:
    first = load()["LAKSANA_JOURNAL_KEY"]
    assert first == load()["LAKSANA_JOURNAL_KEY"]
    other = load(LAKSANA_SECRET_KEY=KEY)["LAKSANA_JOURNAL_KEY"]
    assert first != other and len(other) >= 32
