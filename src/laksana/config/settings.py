"""Django settings for Laksana, read from ``LAKSANA_*`` environment variables.

The defaults give the embedded mode: debug on, SQLite in ``./data`` (created on first use), no
configuration needed to start. Production sets ``LAKSANA_DEBUG=off``, a secret key, the allowed
hosts and ``LAKSANA_DATABASE_URL``. Every variable is parsed strictly: a value that cannot be
read stops the start with an ImproperlyConfigured error naming the variable and what it allows,
because a typo silently read as a default is how insecure deployments happen.

| variable | meaning | default |
|---|---|---|
| ``LAKSANA_DEBUG`` | debug mode: on/off, true/false, yes/no, 1/0 | on |
| ``LAKSANA_SECRET_KEY`` | Django's secret key; required when debug is off | a development key |
| ``LAKSANA_ALLOWED_HOSTS`` | host names, separated by commas | localhost names in debug |
| ``LAKSANA_DATA_DIR`` | folder for the SQLite database and other local data | ``./data`` |
| ``LAKSANA_DATABASE_URL`` | PostgreSQL, ``postgres://user:password@host:port/name`` | SQLite |
| ``LAKSANA_NEAR_DUE_SHARE`` | share of its working time after which a step is almost due | 0.75 |
| ``LAKSANA_ESCALATION_GRACE`` | time overdue before the superior is told ("4 jam") | 1 hari |
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

# src/laksana: the package itself, where templates, static files and locales live.
PACKAGE_DIR = Path(__file__).resolve().parent.parent

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_POSTGRES_SCHEMES = ("postgres", "postgresql")
# Only ever used with debug on: a development server on a developer's machine.
_DEVELOPMENT_SECRET_KEY = "django-insecure-laksana-development-only-never-use-in-production"


def _env(name: str) -> str | None:
    """The variable's value with surrounding blanks removed; None when unset or empty."""
    value = os.environ.get(name, "").strip()
    return value or None


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable; anything but the listed words is an error, never a silent default."""
    value = _env(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value; use on or off "
        "(also accepted: true/false, yes/no, 1/0)."
    )


def env_hosts(name: str, default: list[str]) -> list[str]:
    """A comma-separated list of host names (as Django's ALLOWED_HOSTS takes them)."""
    value = _env(name)
    if value is None:
        return default
    hosts = [item.strip() for item in value.split(",") if item.strip()]
    for host in hosts:
        if "/" in host or " " in host:
            raise ImproperlyConfigured(
                f"{name}: {host!r} is not a host name; give host names separated by commas, "
                "without scheme or path, e.g. 'sop.example.go.id,.example.go.id'."
            )
    return hosts


def env_dir(name: str, default: Path) -> Path:
    """A folder, created on first use; an existing file of that name is an error."""
    value = _env(name)
    path = (Path(value).expanduser() if value else default).resolve()
    if path.exists() and not path.is_dir():
        raise ImproperlyConfigured(f"{name}: {str(path)!r} exists and is not a folder.")
    return path


def database_from_url(name: str, url: str) -> dict[str, Any]:
    """Django's DATABASES entry for a PostgreSQL URL (the only server database supported)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in _POSTGRES_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}: scheme {scheme + '://' if scheme else '(none)'} is not supported; "
            "use postgres:// or postgresql://, e.g. postgres://postgres@127.0.0.1:5432/laksana. "
            f"Leave {name} unset for the embedded SQLite database."
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: cannot read the URL: {exc}") from exc
    if not config.get("NAME"):
        raise ImproperlyConfigured(
            f"{name}: the URL names no database; add it as the path, e.g. .../laksana."
        )
    return config


def env_share(name: str, default: float) -> float:
    """A share strictly between 0 and 1, written as a decimal (0.75) or a percentage (75%)."""
    value = _env(name)
    if value is None:
        return default
    text = value.rstrip("%").strip().replace(",", ".")
    try:
        share = float(text) / (100 if value.endswith("%") else 1)
    except ValueError:
        share = -1.0
    if not 0 < share < 1:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a share above 0 and below 1; write e.g. 0.75 or 75%."
        )
    return share


def env_time_standard(name: str, default: str) -> str:
    """A duration written as a time standard ("1 hari", "4 jam", "30 menit"), checked now."""
    from laksana.engine.timetext import TimeTextError, parse_time

    value = _env(name) or default
    try:
        parse_time(value)
    except TimeTextError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None
    return value


def sqlite_database(data_dir: Path) -> dict[str, Any]:
    """The embedded database: one SQLite file in the data folder, in WAL mode."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"LAKSANA_DATA_DIR: cannot create the data folder {str(data_dir)!r}: {exc}"
        ) from exc
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": data_dir / "laksana.sqlite3",
        "OPTIONS": {
            # WAL lets readers work while one writer writes; NORMAL sync is safe under WAL.
            # init_command is run on every new connection (Django >= 5.1).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # Take the write lock when a transaction starts, so two writers queue on the busy
            # timeout instead of one failing with "database is locked" half-way.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # Tests use a file too (not the shared in-memory database), so they run with the same
        # WAL journal and write locking as the real thing, threads included.
        # One file per test process, outside the data folder, so two runs never share it.
        "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"laksana-test-{os.getpid()}.sqlite3")},
    }


# --- core --------------------------------------------------------------------------------

DEBUG = env_bool("LAKSANA_DEBUG", default=True)

SECRET_KEY = _env("LAKSANA_SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "LAKSANA_SECRET_KEY is not set. With LAKSANA_DEBUG off a secret key is required: "
            "at least 50 random characters, e.g. from "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "LAKSANA_SECRET_KEY is too short: with LAKSANA_DEBUG off use at least 50 characters."
    )

ALLOWED_HOSTS = env_hosts(
    "LAKSANA_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "LAKSANA_ALLOWED_HOSTS is not set. With LAKSANA_DEBUG off, name the host names this "
        "server answers to, separated by commas, e.g. 'sop.example.go.id'."
    )

DATA_DIR = env_dir("LAKSANA_DATA_DIR", default=Path.cwd() / "data")

_database_url = _env("LAKSANA_DATABASE_URL")
DATABASES = {
    "default": (
        database_from_url("LAKSANA_DATABASE_URL", _database_url)
        if _database_url
        else sqlite_database(DATA_DIR)
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "laksana.org",
    "laksana.catalog",
    "laksana.procedures",
    "laksana.cases",
    "laksana.accounts",
    "laksana.web",
    "laksana.demo",
    "laksana.worktime",
    "django_tasks",
    "django_tasks_db",
    "laksana.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware, except that Indonesian stays the default whatever language
    # the browser asks for; English is shown once the user chooses it (see the class).
    "laksana.web.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Times are shown in the signed-in person's agency time zone (WIB, WITA or WIT).
    "laksana.web.middleware.AgencyTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "laksana.config.urls"
WSGI_APPLICATION = "laksana.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "laksana.web.context_processors.inbox_badge",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- background tasks ------------------------------------------------------------------------

# The tasks API of django-tasks (Django 6's django.tasks, backported) with the database queue
# of django-tasks-db, on SQLite and PostgreSQL alike, so no extra server is needed. A worker
# runs the queued tasks: `laksana db_worker`; `laksana sla enqueue-every 300` queues the SLA
# sweep every five minutes where there is no cron (`make demo` starts both).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# The SLA sweep (laksana.cases.sla): the holder of a step is told it is almost due once this
# share of its working time has passed, and told again when it is overdue; the holder's
# superior is told once it has been overdue for the grace period (working time).
LAKSANA_NEAR_DUE_SHARE = env_share("LAKSANA_NEAR_DUE_SHARE", 0.75)
LAKSANA_ESCALATION_GRACE = env_time_standard("LAKSANA_ESCALATION_GRACE", "1 hari")

# --- signing in ------------------------------------------------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

# --- language and time -------------------------------------------------------------------

LANGUAGE_CODE = "id"
LANGUAGES = [
    # Each language is named in itself, as a language switcher shows it.
    ("id", "Bahasa Indonesia"),
    ("en", "English"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

# --- static files --------------------------------------------------------------------------

# Served by runserver while debug is on; `laksana collectstatic` gathers them for a web server.
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

# --- security headers (safe in every mode) -------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- uploads, mail ---------------------------------------------------------------------------

# Uploaded case files live in the data folder, under generated names, and are served only
# through a view that checks who may see the case (never as public media).
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "/files/"
LAKSANA_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = LAKSANA_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The console backend in the embedded mode: e-mails are printed where the server runs.
EMAIL_BACKEND = os.environ.get(
    "LAKSANA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("LAKSANA_EMAIL_FROM", "laksana@localhost")
