"""Operations can see failures: with debug off every record goes to standard error as one
line of JSON; server errors of pages and of the API carry the path and the exception, refused
actions who tried what and the refusal's code (failed e-mails: tests/outbox)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.test import Client

from laksana.cases import services
from laksana.ops.logs import JsonFormatter

from ..cases.helpers import active

KEY = "Vq3xN8rT2mKp7LwZ5sYh9JdF4gBc6AeU1oRi0tWn-QzXy_PvMu8HkGj2LbSa"
PRODUCTION = {
    "LAKSANA_MODE": "production",
    "LAKSANA_SECRET_KEY": KEY,
    "LAKSANA_JOURNAL_KEY": "pW7dXk2Lq9Rz4Nf8Tb3Vh6Jm1Yc5Gs0Ae-Uo_Iw2Er7Ty4Qp9Zx3Cv8Bn6Mk1Lj",
    "LAKSANA_ALLOWED_HOSTS": "127.0.0.1",
    "LAKSANA_SITE_URL": "http://127.0.0.1",
    "LAKSANA_TLS": "off",
    # The request below must reach the view; the limit has tests of its own.
    "LAKSANA_PUBLIC_RATE_LIMIT": "0",
}

CRASH = textwrap.dedent(
    """
    import json, sys, types
    from django.urls import path
    from laksana.config.wsgi import application  # loads the settings, as gunicorn does
    from django.conf import settings
    from django.test import Client

    def boom(request):
        raise RuntimeError("boom at the view")

    urls = types.ModuleType("crash_urls")
    urls.urlpatterns = [path("boom/", boom)]
    sys.modules["crash_urls"] = urls
    settings.ROOT_URLCONF = "crash_urls"
    response = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False).get("/boom/?x=1")
    print(json.dumps({"status": response.status_code}))
    """
)


def test_a_server_error_in_production_is_one_json_line_with_path_and_exception(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKSANA_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env |= {
        **PRODUCTION,
        "LAKSANA_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "laksana.config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", CRASH],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"status": 500}
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    errors = [r for r in records if r.get("path") == "/boom/"]
    assert len(errors) == 1, result.stderr
    (error,) = errors
    assert error["level"] == "ERROR" and error["logger"] == "django.request"
    assert error["method"] == "GET" and error["status"] == 500
    assert error["exception"] == "RuntimeError: boom at the view"
    assert "def boom" not in error["traceback"] and "RuntimeError" in error["traceback"]
    assert error["time"].endswith("+00:00")


def test_an_api_server_error_is_logged_with_its_path(
    bali, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    def broken(request):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("laksana.accounts.api.acting_person", broken)
    client = Client(raise_request_exception=False)
    client.force_login(bali["kadis"].user)
    with caplog.at_level(logging.ERROR, logger="laksana.api.errors"):
        response = client.get("/api/me")
    assert response.status_code == 500 and response.json()["code"] == "server_error"
    (record,) = [r for r in caplog.records if r.name == "laksana.api.errors"]
    assert record.path == "/api/me" and record.exc_info is not None
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/api/me" and line["event"] == "api_error"
    assert line["exception"] == "RuntimeError: the database went away"


def test_a_refused_action_is_logged_with_who_what_and_the_code(bali, sop002, caplog) -> None:
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    intruder = bali["kabid"]
    with (
        caplog.at_level(logging.INFO, logger="laksana.refused"),
        pytest.raises(services.ServiceError) as refused,
    ):
        services.complete_step(intruder, active(case).pk)
    (record,) = [r for r in caplog.records if r.name == "laksana.refused"]
    assert record.person == intruder.pk and record.action == "complete_step"
    assert record.code == refused.value.code
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "refused" and line["person"] == intruder.pk
    assert line["level"] == ("WARNING" if refused.value.code == "not_allowed" else "INFO")
