"""Production mode: it refuses to start when it would be unsafe, reads secrets from files,
turns HTTPS protection on, and `laksana check --deploy` has nothing to say.

The settings are read once, at import, so each case runs the settings module afresh
(``runpy``) or, for the deploy check and the WSGI application, a new process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import runpy
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from laksana.config import settings as settings_module

# 60 characters, many different ones, without Django's "django-insecure-" prefix.
KEY = "Vq3xN8rT2mKp7LwZ5sYh9JdF4gBc6AeU1oRi0tWn-QzXy_PvMu8HkGj2LbSa"
assert len(KEY) == 60
# Production also needs the journal's seal key (laksana.cases.journal).
JOURNAL_KEY = "pW7dXk2Lq9Rz4Nf8Tb3Vh6Jm1Yc5Gs0Ae-Uo_Iw2Er7Ty4Qp9Zx3Cv8Bn6Mk1Lj"
SETTINGS_FILE = settings_module.__file__
PRODUCTION = {
    "LAKSANA_MODE": "production",
    "LAKSANA_SECRET_KEY": KEY,
    "LAKSANA_ALLOWED_HOSTS": "sop.example.go.id",
    "LAKSANA_SITE_URL": "https://sop.example.go.id",
    "LAKSANA_JOURNAL_KEY": JOURNAL_KEY,
}
# Exactly what the HTTP benchmark starts gunicorn with.
BENCHMARK = {
    "LAKSANA_MODE": "production",
    "LAKSANA_DEBUG": "off",
    "LAKSANA_SECRET_KEY": KEY,
    "LAKSANA_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LAKSANA_TLS": "off",
    "LAKSANA_SITE_URL": "http://127.0.0.1:8000",
    "LAKSANA_JOURNAL_KEY": JOURNAL_KEY,
}


def clean_environment(tmp_path: Path, **env: str) -> dict[str, str]:
    """The test process's environment without any LAKSANA_* variable, plus ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("LAKSANA_")}
    base.pop("DJANGO_SETTINGS_MODULE", None)
    # Set by the browser tests' conftest for Playwright; never in a deployment.
    base.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {**base, "LAKSANA_DATA_DIR": str(tmp_path / "data"), **env}


@pytest.fixture
def load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Run the settings module afresh with exactly these LAKSANA_* variables."""

    def run(**env: str) -> dict[str, Any]:
        for name in [k for k in os.environ if k.startswith("LAKSANA_")]:
            monkeypatch.delenv(name)
        for name, value in clean_environment(tmp_path, **env).items():
            if name.startswith("LAKSANA_"):
                monkeypatch.setenv(name, value)
        return runpy.run_path(SETTINGS_FILE)

    return run


# --- development stays as it was ----------------------------------------------------------------


def test_development_is_the_default_and_unchanged(load) -> None:
    s = load()
    assert s["LAKSANA_MODE"] == "development" and s["DEBUG"] is True
    assert s["SECRET_KEY"]  # the development key
    assert s["LAKSANA_TLS"] is False
    for name in ("SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        assert name not in s


# --- refusing to start ------------------------------------------------------------------------


def test_production_refuses_debug(load) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_DEBUG is on with LAKSANA_MODE"):
        load(**PRODUCTION, LAKSANA_DEBUG="on")


def test_production_refuses_a_missing_secret_key(load) -> None:
    env = {**PRODUCTION}
    del env["LAKSANA_SECRET_KEY"]
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_SECRET_KEY is not set"):
        load(**env)


def test_production_refuses_the_development_key(load) -> None:
    development_key = load()["SECRET_KEY"]
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_SECRET_KEY is the development key"):
        load(**{**PRODUCTION, "LAKSANA_SECRET_KEY": development_key})


def test_production_refuses_a_short_secret_key(load) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_SECRET_KEY is too short"):
        load(**{**PRODUCTION, "LAKSANA_SECRET_KEY": "k" * 49})


def test_production_refuses_no_allowed_hosts(load) -> None:
    env = {**PRODUCTION}
    del env["LAKSANA_ALLOWED_HOSTS"]
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_ALLOWED_HOSTS is not set"):
        load(**env)


@pytest.mark.parametrize(
    "key",
    [
        "a" * 60,  # one letter repeated
        "abcdefghij" * 6,  # a short run repeated
        "kQ" * 40,
        "0123456789" * 5,
    ],
)
def test_production_refuses_a_secret_key_of_low_variety(load, key: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_SECRET_KEY has too little variety"):
        load(**{**PRODUCTION, "LAKSANA_SECRET_KEY": key})


def test_production_accepts_generated_keys(load) -> None:
    import secrets

    for key in (secrets.token_urlsafe(50), secrets.token_hex(25), KEY):
        assert load(**{**PRODUCTION, "LAKSANA_SECRET_KEY": key})["SECRET_KEY"] == key


@pytest.mark.parametrize("hosts", ["*", "sop.example.go.id,*", "*.example.go.id"])
def test_production_refuses_any_host(load, hosts: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_ALLOWED_HOSTS: '\\*"):
        load(**{**PRODUCTION, "LAKSANA_ALLOWED_HOSTS": hosts})


def test_production_needs_the_site_url(load) -> None:
    env = {**PRODUCTION}
    del env["LAKSANA_SITE_URL"]
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_SITE_URL is not set"):
        load(**env)


@pytest.mark.parametrize(
    "url",
    [
        "sop.example.go.id",
        "ftp://sop.example.go.id",
        "https://sop.example.go.id/sop?x=1",
        "https://",
    ],
)
def test_the_site_url_is_read_strictly(load, url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^LAKSANA_SITE_URL="):
        load(**{**PRODUCTION, "LAKSANA_SITE_URL": url})


def test_the_site_url_loses_its_final_slash(load) -> None:
    s = load(**{**PRODUCTION, "LAKSANA_SITE_URL": "https://pemda.go.id/sop/"})
    assert s["LAKSANA_SITE_URL"] == "https://pemda.go.id/sop"
    assert load()["LAKSANA_SITE_URL"] == "http://127.0.0.1:8000"


def test_an_unknown_mode_is_an_error(load) -> None:
    with pytest.raises(
        ImproperlyConfigured, match=r"LAKSANA_MODE='prod'.*development or production"
    ):
        load(LAKSANA_MODE="prod")


# --- secrets from files -----------------------------------------------------------------------


def test_the_secret_key_and_database_url_can_come_from_files(load, tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text(KEY + "\n")
    url_file = tmp_path / "database_url"
    url_file.write_text("postgres://laksana:rahasia@db.local:5432/sop\n")
    env = {**PRODUCTION, "LAKSANA_SECRET_KEY_FILE": str(key_file)}
    del env["LAKSANA_SECRET_KEY"]
    s = load(**env, LAKSANA_DATABASE_URL_FILE=str(url_file))
    assert s["SECRET_KEY"] == KEY
    db = s["DATABASES"]["default"]
    assert (db["NAME"], db["PASSWORD"], db["HOST"]) == ("sop", "rahasia", "db.local")


@pytest.mark.parametrize("variable", ["LAKSANA_SECRET_KEY", "LAKSANA_DATABASE_URL"])
def test_a_missing_secret_file_is_a_clear_error(load, tmp_path: Path, variable: str) -> None:
    missing = tmp_path / "tidak-ada"
    with pytest.raises(ImproperlyConfigured, match=rf"{variable}_FILE: cannot read .*tidak-ada"):
        load(**{f"{variable}_FILE": str(missing)})


def test_an_unreadable_secret_file_is_a_clear_error(load, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_SECRET_KEY_FILE: cannot read"):
        load(LAKSANA_SECRET_KEY_FILE=str(folder))


def test_an_empty_secret_file_is_an_error(load, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(ImproperlyConfigured, match=r"LAKSANA_SECRET_KEY_FILE: the file .* empty"):
        load(LAKSANA_SECRET_KEY_FILE=str(empty))


def test_a_secret_and_its_file_together_are_an_error(load, tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text(KEY)
    with pytest.raises(ImproperlyConfigured, match="Both LAKSANA_SECRET_KEY and"):
        load(**PRODUCTION, LAKSANA_SECRET_KEY_FILE=str(key_file))


# --- HTTPS ------------------------------------------------------------------------------------


def test_production_protects_https_by_default(load) -> None:
    s = load(**PRODUCTION)
    assert s["DEBUG"] is False and s["LAKSANA_TLS"] is True
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and s["SECURE_HSTS_PRELOAD"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True and s["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert s["CSRF_COOKIE_HTTPONLY"] is True
    assert "SECURE_PROXY_SSL_HEADER" not in s  # only when a proxy is said to be in front


def test_behind_a_proxy_its_forwarded_protocol_is_trusted(load) -> None:
    s = load(**PRODUCTION, LAKSANA_BEHIND_PROXY="on")
    assert s["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert s["LAKSANA_BEHIND_PROXY"] is True
    # Only from the proxy's own address: by default the same machine.
    assert s["LAKSANA_PROXY_ADDRESSES"] == ("127.0.0.0/8", "::1/128")


def test_the_proxy_addresses_are_addresses_or_networks(load) -> None:
    s = load(
        **PRODUCTION,
        LAKSANA_BEHIND_PROXY="on",
        LAKSANA_PROXY_ADDRESSES=" 10.0.0.5, 172.16.0.0/12 ,fd00::/8",
    )
    assert s["LAKSANA_PROXY_ADDRESSES"] == ("10.0.0.5/32", "172.16.0.0/12", "fd00::/8")
    for value in ("nginx", "10.0.0.0/33", "0.0.0.0/0", "::/0"):
        with pytest.raises(ImproperlyConfigured, match=r"^LAKSANA_PROXY_ADDRESSES"):
            load(**PRODUCTION, LAKSANA_BEHIND_PROXY="on", LAKSANA_PROXY_ADDRESSES=value)


def test_proxy_addresses_without_a_proxy_are_an_error(load) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_PROXY_ADDRESSES is set but"):
        load(**PRODUCTION, LAKSANA_PROXY_ADDRESSES="10.0.0.5")


def test_production_without_tls_starts_without_secure_cookies(load) -> None:
    s = load(**BENCHMARK)
    assert s["DEBUG"] is False and s["LAKSANA_TLS"] is False
    assert "SESSION_COOKIE_SECURE" not in s and "SECURE_SSL_REDIRECT" not in s


def test_the_security_headers_are_set_in_every_mode(load) -> None:
    for s in (load(), load(**PRODUCTION)):
        assert s["SECURE_REFERRER_POLICY"] == "same-origin"
        assert s["X_FRAME_OPTIONS"] == "DENY"
        assert s["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
        assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True


# --- sign-in settings -------------------------------------------------------------------------


def test_the_sign_in_settings_have_their_defaults(load) -> None:
    s = load()
    assert s["AXES_FAILURE_LIMIT"] == 5
    assert s["AXES_COOLOFF_TIME"] == dt.timedelta(minutes=30)
    assert s["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert s["AXES_RESET_ON_SUCCESS"] is True
    assert s["SESSION_COOKIE_AGE"] == 10 * 3600
    assert s["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"


@pytest.mark.parametrize(
    ("value", "minutes"), [("45", 45), ("15 menit", 15), ("2 jam", 120), ("90m", 90), ("1h", 60)]
)
def test_the_cool_off_is_read_in_minutes_or_hours(load, value: str, minutes: int) -> None:
    s = load(LAKSANA_LOGIN_COOLOFF=value)
    assert s["AXES_COOLOFF_TIME"] == dt.timedelta(minutes=minutes)


def test_the_failure_limit_and_session_hours_are_read(load) -> None:
    s = load(LAKSANA_LOGIN_FAILURE_LIMIT="3", LAKSANA_SESSION_HOURS="8")
    assert s["AXES_FAILURE_LIMIT"] == 3 and s["SESSION_COOKIE_AGE"] == 8 * 3600


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LAKSANA_LOGIN_COOLOFF", "sebentar"),
        ("LAKSANA_LOGIN_COOLOFF", "0"),
        ("LAKSANA_LOGIN_COOLOFF", "3 hari"),
        ("LAKSANA_LOGIN_FAILURE_LIMIT", "0"),
        ("LAKSANA_LOGIN_FAILURE_LIMIT", "lima"),
        ("LAKSANA_SESSION_HOURS", "0"),
        ("LAKSANA_SESSION_HOURS", "1000"),
        ("LAKSANA_TLS", "maybe"),
        ("LAKSANA_BEHIND_PROXY", "nginx"),
    ],
)
def test_unreadable_values_are_errors_naming_the_variable(load, name: str, value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=rf"^{name}="):
        load(**{name: value})


# --- in a process of its own: the deploy check and the application ------------------------------


def laksana(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from laksana.cli import main; sys.exit(main())", *args],
        env=clean_environment(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_check_is_clean_in_production_with_tls(tmp_path: Path) -> None:
    result = laksana(tmp_path, PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deploy_check_behind_a_proxy_is_clean_too(tmp_path: Path) -> None:
    env = {**PRODUCTION, "LAKSANA_BEHIND_PROXY": "on"}
    result = laksana(tmp_path, env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


def test_without_tls_the_deploy_check_warns_only_about_https(tmp_path: Path) -> None:
    result = laksana(tmp_path, BENCHMARK, "check", "--deploy")
    assert result.returncode == 0, result.stderr
    warned = set(re.findall(r"\((security\.W\d+)\)", result.stderr))
    assert warned == {"security.W004", "security.W008", "security.W012", "security.W016"}


def test_a_refused_start_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    env = {**PRODUCTION, "LAKSANA_SECRET_KEY": "pendek"}
    result = laksana(tmp_path, env, "check")
    assert result.returncode == 2
    assert result.stderr.startswith("laksana: configuration error: LAKSANA_SECRET_KEY is too short")


APP_SCRIPT = textwrap.dedent(
    """
    import json
    from django.test import Client
    from laksana.config.wsgi import application  # loads the settings, as gunicorn does

    assert application is not None
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.get("/akun/masuk/")
    print(json.dumps({
        "status": response.status_code,
        "location": response.get("Location", ""),
        "csp": response.get("Content-Security-Policy", ""),
        "hsts": response.get("Strict-Transport-Security", ""),
    }))
    """
)


def run_app(tmp_path: Path, env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", APP_SCRIPT],
        env=clean_environment(tmp_path, DJANGO_SETTINGS_MODULE="laksana.config.settings", **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def test_the_benchmark_environment_starts_and_serves_over_http(tmp_path: Path) -> None:
    answer = run_app(tmp_path, BENCHMARK)
    assert answer["status"] == 200 and "default-src 'self'" in answer["csp"]
    assert not answer["hsts"]


def test_with_tls_plain_http_is_sent_to_https(tmp_path: Path) -> None:
    env = {**PRODUCTION, "LAKSANA_ALLOWED_HOSTS": "127.0.0.1"}
    answer = run_app(tmp_path, env)
    assert answer["status"] == 301
    assert answer["location"] == "https://127.0.0.1/akun/masuk/"
