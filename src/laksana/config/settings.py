"""Django settings for Laksana, read from ``LAKSANA_*`` environment variables.

The defaults give the embedded mode (``LAKSANA_MODE=development``): debug on, SQLite in
``./data`` (created on first use), no configuration needed to start. Production sets
``LAKSANA_MODE=production``, a secret key, the allowed hosts and ``LAKSANA_DATABASE_URL``, and
refuses to start without them (or with debug on). Every variable is parsed strictly: a value
that cannot be read stops the start with an ImproperlyConfigured error naming the variable and
what it allows, because a typo silently read as a default is how insecure deployments happen.

Secrets can be given as files instead (``..._FILE``, e.g. Docker or systemd credentials): the
file's content, without the final line break, is the value. Giving both the variable and its
file, or a file that cannot be read, is an error.

| variable | meaning | default |
|---|---|---|
| ``LAKSANA_MODE`` | ``development`` (the embedded demo) or ``production`` | development |
| ``LAKSANA_DEBUG`` | debug mode: on/off, true/false, yes/no, 1/0; never on in production | (1) |
| ``LAKSANA_SECRET_KEY`` | Django's secret key, 50+ characters; required in production | (2) |
| ``LAKSANA_SECRET_KEY_FILE`` | a file holding the secret key | |
| ``LAKSANA_ALLOWED_HOSTS`` | host names, separated by commas; required in production | (3) |
| ``LAKSANA_DATA_DIR`` | folder for the SQLite database and other local data | ``./data`` |
| ``LAKSANA_DATABASE_URL`` | PostgreSQL, ``postgres://user:password@host:port/name`` | SQLite |
| ``LAKSANA_DATABASE_URL_FILE`` | a file holding the database URL | |
| ``LAKSANA_PREPARED_STATEMENTS`` | PostgreSQL: prepare the case services' statements (7) | on |
| ``LAKSANA_TLS`` | reached over HTTPS: secure cookies, redirect to HTTPS, HSTS | (4) |
| ``LAKSANA_HSTS_PRELOAD`` | add ``preload`` to the HSTS header (with TLS on) | on |
| ``LAKSANA_BEHIND_PROXY`` | a reverse proxy terminates TLS (5) | off |
| ``LAKSANA_PROXY_ADDRESSES`` | the proxies' addresses or networks, separated by commas (5) | (9) |
| ``LAKSANA_SITE_URL`` | the site's address for links in e-mails; required with debug off | (10) |
| ``LAKSANA_SIGNATURE_PROVIDER`` | who signs documents (``in_product`` or a class) | in_product |
| ``LAKSANA_PUBLIC_RATE_LIMIT`` | requests a minute per address without a sign-in (11) | 120 |
| ``LAKSANA_LOG_FORMAT`` | ``json`` (one JSON object a line) or ``text``, to standard error | (12) |
| ``LAKSANA_LOG_LEVEL`` | ``DEBUG``, ``INFO``, ``WARNING`` or ``ERROR`` | INFO |
| ``LAKSANA_SESSION_HOURS`` | how long a sign-in lasts, in hours (1 to 168) | 10 |
| ``LAKSANA_LOGIN_FAILURE_LIMIT`` | wrong passwords that lock a user name on one address | 5 |
| ``LAKSANA_LOGIN_COOLOFF`` | how long the lock lasts: ``30``, ``30 menit``, ``2 jam`` | 30 (min) |
| ``LAKSANA_OIDC_ISSUER`` | OpenID Connect provider, its endpoints found by discovery | |
| ``LAKSANA_OIDC_CLIENT_ID`` | this site's client id at the provider | |
| ``LAKSANA_OIDC_CLIENT_SECRET`` | its client secret (or ``LAKSANA_OIDC_CLIENT_SECRET_FILE``) | |
| ``LAKSANA_OIDC_AUTHORIZATION_ENDPOINT`` | the provider's endpoints, instead of discovery (6) | |
| ``LAKSANA_OIDC_PROVIDER_NAME`` | the name on the sign-in button ("Sign in with ...") | SSO |
| ``LAKSANA_NEAR_DUE_SHARE`` | share of its working time after which a step is almost due | 0.75 |
| ``LAKSANA_ESCALATION_GRACE`` | time overdue before the superior is told ("4 jam") | 1 hari |
| ``LAKSANA_JOURNAL_KEY`` | key of the journal's daily seals and the backup manifest (8) | (8) |
| ``LAKSANA_JOURNAL_KEY_FILE`` | a file holding the journal key | |
| ``LAKSANA_MONITOR_NETWORKS`` | address ranges monitors may reach (0.0.0.0/0: all) | private |
| ``LAKSANA_MONITOR_BODY_LIMIT`` | bytes of a response body read for the keyword | 262144 |
| ``LAKSANA_MONITOR_RESULT_DAYS`` | days check results are kept (for latency charts) | 7 |
| ``LAKSANA_MONITOR_CONCURRENCY`` | checks running at once in one pass | 200 |
| ``LAKSANA_MONITOR_CA_FILE`` | extra trusted certificate authorities (PEM) for checks | |

(1) on in development, off in production. (2) a development key in development.
(3) localhost names in debug. (4) on in production, off in development; off in production is
for a closed network or a local benchmark, and ``laksana check --deploy`` then warns.
(5) trust its ``X-Forwarded-Proto: https`` and take the client's address for the sign-in
lockout and the rate limit from ``X-Forwarded-For`` (the last entry not appended by one of the
proxies), both only on connections from ``LAKSANA_PROXY_ADDRESSES``.
(6) likewise ``LAKSANA_OIDC_TOKEN_ENDPOINT``, ``LAKSANA_OIDC_USERINFO_ENDPOINT`` and
``LAKSANA_OIDC_JWKS_ENDPOINT``; without an issuer all four are needed.
(7) once per connection; turn it off behind a connection pooler in transaction mode that
does not keep prepared statements (PgBouncer before 1.21, or without
``max_prepared_statements``).
(8) 32+ characters, kept outside the database (and out of its backups); required in
production; in development derived from the secret key. See docs/operations.md.

(9) ``127.0.0.0/8,::1``: a proxy on the same machine. (10) ``http://127.0.0.1:8000`` in
development. (11) 0 turns the limit off; signed-in people and valid API tokens are not counted.
(12) ``json`` with debug off, ``text`` with debug on.

OpenID Connect sign-in is on only when a client id, a client secret and the issuer (or all four
endpoints) are set; otherwise its routes answer 404 and its backend is not installed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import re
import tempfile
import zlib
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
_MODES = ("development", "production")
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


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """One of a few words (lower case)."""
    value = _env(name)
    if value is None:
        return default
    if value.lower() not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not allowed; use {' or '.join(choices)}.")
    return value.lower()


def env_secret(name: str) -> str | None:
    """A secret given as the variable ``name`` or as a file named by ``name + "_FILE"``.

    The file's content is the value, without the line break at its end; an unreadable or empty
    file, or both the variable and the file, is an error (a secret must never silently fall
    back to a default)."""
    file_name = f"{name}_FILE"
    value, path = _env(name), _env(file_name)
    if path is None:
        return value
    if value is not None:
        raise ImproperlyConfigured(f"Both {name} and {file_name} are set; set only one of them.")
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ImproperlyConfigured(f"{file_name}: cannot read {path!r}: {reason}.") from None
    secret = text.rstrip("\r\n")
    if not secret.strip():
        raise ImproperlyConfigured(f"{file_name}: the file {path!r} is empty.")
    return secret


def env_int(name: str, default: int, *, low: int, high: int) -> int:
    """A whole number between ``low`` and ``high``."""
    value = _env(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number from {low} to {high}.")
    return number


_MINUTES = re.compile(
    r"^(?P<n>\d+)\s*(?P<unit>|m|min|mins|menit|minute|minutes|h|j|jam|hour|hours)$", re.I
)


def env_minutes(name: str, default: int, *, high: int) -> dt.timedelta:
    """A duration in minutes (``30``, ``30 menit``, ``30m``) or hours (``2 jam``, ``2h``)."""
    value = _env(name)
    if value is None:
        return dt.timedelta(minutes=default)
    match = _MINUTES.match(value)
    minutes = 0
    if match:
        hours = match["unit"].lower() in ("h", "j", "jam", "hour", "hours")
        minutes = int(match["n"]) * (60 if hours else 1)
    if not 1 <= minutes <= high:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a duration from 1 minute to {high // 60} hours; "
            "write minutes (30, '30 menit') or hours ('2 jam')."
        )
    return dt.timedelta(minutes=minutes)


def env_url(name: str) -> str | None:
    """An http(s) URL (OpenID Connect provider addresses)."""
    value = _env(name)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a URL; write it in full, e.g. "
            "https://sso.example.go.id/realms/pemda."
        )
    return value.rstrip("/") if name == "LAKSANA_OIDC_ISSUER" else value


def low_variety(key: str) -> bool:
    """A secret key that is mostly repetition: fewer than 10 different characters, or one that
    deflate squeezes below 40 bytes (about 256 bits after its own overhead), as it does any
    repeated pattern ("abcdefghij" five times) and never a generated key."""
    return len(set(key)) < 10 or len(zlib.compress(key.encode("utf-8"), 9)) < 40


def env_site_url(name: str, default: str | None) -> str | None:
    """The address people reach the site at, for links sent out of it (e-mails): scheme and
    host, optionally a port and a path prefix; no query or fragment; without a final slash."""
    value = _env(name)
    if value is None:
        return default
    parts = urlsplit(value)
    if (
        parts.scheme not in ("https", "http")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or " " in value
    ):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not the site's address; write its scheme and host, e.g. "
            "https://sop.example.go.id (a path prefix is allowed, no query)."
        )
    return value.rstrip("/")


def env_networks(
    name: str, default: tuple[str, ...], *, whole_internet: bool = False
) -> tuple[str, ...]:
    """Addresses or networks (``10.0.0.5``, ``172.16.0.0/12``, ``fd00::/8``), separated by
    commas, as normalised network strings; a network of the whole Internet is refused unless
    ``whole_internet`` (the monitors' reach may be everything)."""
    value = _env(name)
    if value is None:
        return default
    networks: list[str] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network; give addresses or "
                "networks separated by commas, e.g. '10.0.0.5,172.16.0.0/12'."
            ) from None
        if network.prefixlen == 0 and not whole_internet:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is every address; name the proxies' own addresses."
            )
        networks.append(str(network))
    return tuple(networks)


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

LAKSANA_MODE = env_choice("LAKSANA_MODE", _MODES, default="development")
_PRODUCTION = LAKSANA_MODE == "production"
DEBUG = env_bool("LAKSANA_DEBUG", default=not _PRODUCTION)
if _PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "LAKSANA_DEBUG is on with LAKSANA_MODE=production: debug pages show settings and code "
        "to anyone. Set LAKSANA_DEBUG=off (or leave it unset)."
    )
# Debug off outside production mode (a staging copy) is held to the same rules.
_STRICT = _PRODUCTION or not DEBUG
_WHY = "LAKSANA_MODE=production" if _PRODUCTION else "LAKSANA_DEBUG off"
_NEW_KEY_HINT = (
    "at least 50 random characters, e.g. from "
    "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
)

SECRET_KEY = env_secret("LAKSANA_SECRET_KEY") or ""
if not SECRET_KEY:
    if _STRICT:
        raise ImproperlyConfigured(
            f"LAKSANA_SECRET_KEY is not set. With {_WHY} a secret key is required "
            f"(LAKSANA_SECRET_KEY or LAKSANA_SECRET_KEY_FILE): {_NEW_KEY_HINT}."
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY
elif _STRICT and SECRET_KEY == _DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        f"LAKSANA_SECRET_KEY is the development key, which is public. With {_WHY} use a key "
        f"of your own: {_NEW_KEY_HINT}."
    )
elif _STRICT and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        f"LAKSANA_SECRET_KEY is too short: with {_WHY} use at least 50 characters "
        f"({_NEW_KEY_HINT})."
    )
elif _STRICT and low_variety(SECRET_KEY):
    raise ImproperlyConfigured(
        "LAKSANA_SECRET_KEY has too little variety (a character or a short run repeated): "
        f"with {_WHY} use {_NEW_KEY_HINT}."
    )

# The key of the journal's daily seals and of the backup manifest (laksana.cases.seals): an
# HMAC key that must never be stored in the database it protects.
LAKSANA_JOURNAL_KEY = env_secret("LAKSANA_JOURNAL_KEY") or ""
if not LAKSANA_JOURNAL_KEY:
    if _PRODUCTION:
        raise ImproperlyConfigured(
            "LAKSANA_JOURNAL_KEY is not set. With LAKSANA_MODE=production the journal's daily "
            "seals need a key kept outside the database (LAKSANA_JOURNAL_KEY or "
            f"LAKSANA_JOURNAL_KEY_FILE): {_NEW_KEY_HINT}."
        )
    # Development: derived from the secret key, so it is stable for one installation.
    LAKSANA_JOURNAL_KEY = (
        "derived:" + hashlib.sha256(f"laksana journal key\n{SECRET_KEY}".encode()).hexdigest()
    )
elif len(LAKSANA_JOURNAL_KEY) < 32 or len(set(LAKSANA_JOURNAL_KEY)) < 8:
    raise ImproperlyConfigured(
        "LAKSANA_JOURNAL_KEY is too weak: use at least 32 characters of many different ones "
        f"({_NEW_KEY_HINT})."
    )
elif LAKSANA_JOURNAL_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "LAKSANA_JOURNAL_KEY is the secret key: give the journal a key of its own, so that "
        "rotating one does not invalidate the other."
    )

ALLOWED_HOSTS = env_hosts(
    "LAKSANA_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if _STRICT and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        f"LAKSANA_ALLOWED_HOSTS is not set. With {_WHY}, name the host names this "
        "server answers to, separated by commas, e.g. 'sop.example.go.id'."
    )
for _host in ALLOWED_HOSTS if _STRICT else ():
    if "*" in _host:
        raise ImproperlyConfigured(
            f"LAKSANA_ALLOWED_HOSTS: {_host!r} lets any Host header through (links in "
            f"password-reset and notice e-mails can then be forged). With {_WHY}, name the "
            "host names, e.g. 'sop.example.go.id' or '.example.go.id' for its subdomains."
        )

# The address people reach the site at (scheme, host, optional port and path prefix): the
# links of e-mails are made absolute with it. Required with debug off.
LAKSANA_SITE_URL = env_site_url(
    "LAKSANA_SITE_URL", default="http://127.0.0.1:8000" if not _STRICT else None
)
if LAKSANA_SITE_URL is None:
    raise ImproperlyConfigured(
        f"LAKSANA_SITE_URL is not set. With {_WHY}, give the address people open the site "
        "at, e.g. https://sop.example.go.id: e-mails link to it."
    )

# Who signs official documents (laksana.documents.signing): "in_product" (the signature is
# the person's action in Laksana, in the journal) or the dotted path of a provider class (a
# certified electronic signature service).
LAKSANA_SIGNATURE_PROVIDER = (
    os.environ.get("LAKSANA_SIGNATURE_PROVIDER", "").strip() or "in_product"
)

DATA_DIR = env_dir("LAKSANA_DATA_DIR", default=Path.cwd() / "data")

_database_url = env_secret("LAKSANA_DATABASE_URL")
DATABASES = {
    "default": (
        database_from_url("LAKSANA_DATABASE_URL", _database_url)
        if _database_url
        else sqlite_database(DATA_DIR)
    )
}
# Keep each worker's database connection between requests (a new PostgreSQL connection costs
# milliseconds, a new SQLite one its set-up pragmas); a connection that fails its check at the
# start of a request is replaced. See docs/performance.md.
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The case services' hot path (laksana.cases.store) prepares its statements on PostgreSQL
# (see the table above); Django's own queries are never prepared.
LAKSANA_PREPARED_STATEMENTS = env_bool("LAKSANA_PREPARED_STATEMENTS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "laksana.web.admin_site.SuperuserAdminConfig",
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
    "laksana.ops",
    # E-mails: one row per message, sent and retried by the task worker.
    "laksana.outbox",
    # Letters and minutes of cases: templates, numbering, initials and signatures.
    "laksana.documents",
    # Testing: scenario sets, SIT/UAT/security runs, findings and their minutes (after
    # documents: it reads the result of the minutes the documents module makes).
    "laksana.quality",
    # Monitoring: checks of the applications' environments, their state changes and uptime,
    # incidents that open recovery cases (SOP 004), maintenance windows, status pages.
    "laksana.monitoring",
    # Maintenance (SOP 000): plans, scheduled activities, acceptance criteria, cycles and
    # the management report (after monitoring and quality: its criteria read them).
    "laksana.maintenance",
    # Satisfaction surveys (SKM, PermenPANRB 14/2017): questionnaires, anonymous answers,
    # invitations of requesters, the public form, the index (IKM) and its report.
    "laksana.survey",
    # Periodic evaluation of applications (SOP 001 f): what every module knows of an
    # application over a period, and the unit's conclusion (after the modules it reads).
    "laksana.evaluation",
    # Requesters from outside the agency: procedures opened to the public, the public form,
    # e-mail confirmation, the secret link a requester follows and works their steps by.
    "laksana.intake",
    "laksana.benchmarks",
    # Sign-in attempts and lockouts (its own tables: `laksana migrate` creates them).
    "axes",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp",
]

MIDDLEWARE = [
    # Forwarded headers count only from the configured reverse proxies (laksana.web.proxies).
    "laksana.web.proxies.ProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # django-csp's middleware, with the one exception of the official-document pages (see the
    # class and CONTENT_SECURITY_POLICY below).
    "laksana.web.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware, except that Indonesian stays the default whatever language
    # the browser asks for; English is shown once the user chooses it (see the class).
    "laksana.web.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Times are shown in the signed-in person's agency time zone (WIB, WITA or WIT).
    "laksana.web.middleware.AgencyTimeZoneMiddleware",
    # Requests without a sign-in are limited per client address (LAKSANA_PUBLIC_RATE_LIMIT).
    "laksana.web.ratelimit.PublicRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page (429).
    "axes.middleware.AxesMiddleware",
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
                "laksana.web.context_processors.admin_link",
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
        # "monitoring": the monitors' scheduler passes, run by a worker of their own
        # (`laksana db_worker --queue-name monitoring`) so that checks never wait behind
        # e-mails or the SLA sweep.
        "QUEUES": ["default", "monitoring"],
    }
}

# --- monitoring ------------------------------------------------------------------------------

# The addresses monitors may reach (laksana.monitoring.netguard): by default the private
# ranges and this host, where agency systems live; add the public addresses of the agency's
# sites, or 0.0.0.0/0,::/0 for everything. Link-local and cloud metadata addresses are
# refused whatever this says.
LAKSANA_MONITOR_NETWORKS = env_networks(
    "LAKSANA_MONITOR_NETWORKS",
    default=(
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "fc00::/7",
        "::1/128",
    ),
    whole_internet=True,
)
# At most this many bytes of a response body are read (for the keyword); never stored.
LAKSANA_MONITOR_BODY_LIMIT = env_int(
    "LAKSANA_MONITOR_BODY_LIMIT", 256 * 1024, low=1024, high=16 * 1024 * 1024
)
# Check results (for the latency charts) are kept this many days; state changes for ever.
LAKSANA_MONITOR_RESULT_DAYS = env_int("LAKSANA_MONITOR_RESULT_DAYS", 7, low=1, high=400)
# Checks running at once in one scheduler pass.
LAKSANA_MONITOR_CONCURRENCY = env_int("LAKSANA_MONITOR_CONCURRENCY", 200, low=1, high=5000)
# A file of extra certificate authorities (PEM) trusted by the TLS and HTTPS checks besides
# the system's: an agency's internal CA.
LAKSANA_MONITOR_CA_FILE = _env("LAKSANA_MONITOR_CA_FILE") or ""

# The SLA sweep (laksana.cases.sla): the holder of a step is told it is almost due once this
# share of its working time has passed, and told again when it is overdue; the holder's
# superior is told once it has been overdue for the grace period (working time).
LAKSANA_NEAR_DUE_SHARE = env_share("LAKSANA_NEAR_DUE_SHARE", 0.75)
LAKSANA_ESCALATION_GRACE = env_time_standard("LAKSANA_ESCALATION_GRACE", "1 hari")

# --- rate limit ------------------------------------------------------------------------------

# Requests a minute from one client address without a sign-in (laksana.web.ratelimit); 0 off.
LAKSANA_PUBLIC_RATE_LIMIT = env_int("LAKSANA_PUBLIC_RATE_LIMIT", 120, low=0, high=100_000)

# --- signing in ------------------------------------------------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

# Argon2id for new and changed passwords; the older hashers stay so that existing PBKDF2
# hashes still verify, and Django re-hashes them with Argon2 at the person's next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# django-axes first: it refuses every sign-in of a locked-out user name and address before a
# password is checked; then the user name and password of Django's own accounts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lockout: LAKSANA_LOGIN_FAILURE_LIMIT wrong passwords for one user name from one address lock
# that pair (not the whole account, so nobody can lock a colleague out from elsewhere, and not
# the whole address, which a whole office may share behind one NAT) for the cool-off time,
# counted from the last failure before the lock. Trying again while locked does not extend it,
# so the time the page names is true. A successful sign-in clears the count.
AXES_FAILURE_LIMIT = env_int("LAKSANA_LOGIN_FAILURE_LIMIT", 5, low=1, high=100)
AXES_COOLOFF_TIME = env_minutes("LAKSANA_LOGIN_COOLOFF", 30, high=24 * 60)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "laksana.web.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "laksana.accounts.throttle.client_ip"

# Sessions: the cookie is for the server only (HttpOnly), sent on top-level navigation from
# other sites but not on their embedded requests (Lax), and a sign-in lasts a working day.
LAKSANA_SESSION_HOURS = env_int("LAKSANA_SESSION_HOURS", 10, low=1, high=7 * 24)
SESSION_COOKIE_AGE = LAKSANA_SESSION_HOURS * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The pages carry the CSRF token themselves (forms and htmx's header), so no script needs to
# read the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- OpenID Connect (optional) ---------------------------------------------------------------

# Single sign-on with the agency's identity provider (Keycloak and the like) through
# mozilla-django-oidc; people are matched to their Person by e-mail (laksana.accounts.oidc).
LAKSANA_OIDC_ISSUER = env_url("LAKSANA_OIDC_ISSUER")
LAKSANA_OIDC_PROVIDER_NAME = _env("LAKSANA_OIDC_PROVIDER_NAME") or "SSO"
_oidc_endpoints = {
    setting: env_url(f"LAKSANA_OIDC_{name}_ENDPOINT")
    for setting, name in (
        ("OIDC_OP_AUTHORIZATION_ENDPOINT", "AUTHORIZATION"),
        ("OIDC_OP_TOKEN_ENDPOINT", "TOKEN"),
        ("OIDC_OP_USER_ENDPOINT", "USERINFO"),
        ("OIDC_OP_JWKS_ENDPOINT", "JWKS"),
    )
}
_oidc_client_id = _env("LAKSANA_OIDC_CLIENT_ID")
_oidc_client_secret = env_secret("LAKSANA_OIDC_CLIENT_SECRET")
_oidc_given = [
    name
    for name, value in (
        ("LAKSANA_OIDC_ISSUER", LAKSANA_OIDC_ISSUER),
        ("LAKSANA_OIDC_CLIENT_ID", _oidc_client_id),
        ("LAKSANA_OIDC_CLIENT_SECRET", _oidc_client_secret),
        *((k, v) for k, v in _oidc_endpoints.items()),
    )
    if value
]
if _oidc_given:
    _oidc_missing = [
        name
        for name, value in (
            ("LAKSANA_OIDC_CLIENT_ID", _oidc_client_id),
            ("LAKSANA_OIDC_CLIENT_SECRET", _oidc_client_secret),
        )
        if not value
    ]
    if not LAKSANA_OIDC_ISSUER:
        _oidc_missing += [
            f"LAKSANA_OIDC_{name}_ENDPOINT"
            for setting, name in (
                ("OIDC_OP_AUTHORIZATION_ENDPOINT", "AUTHORIZATION"),
                ("OIDC_OP_TOKEN_ENDPOINT", "TOKEN"),
                ("OIDC_OP_USER_ENDPOINT", "USERINFO"),
                ("OIDC_OP_JWKS_ENDPOINT", "JWKS"),
            )
            if not _oidc_endpoints[setting]
        ]
    if _oidc_missing:
        raise ImproperlyConfigured(
            "OpenID Connect sign-in is half configured: "
            f"{', '.join(sorted(set(_oidc_missing)))} "
            "missing. Set the client id and secret and either LAKSANA_OIDC_ISSUER or all four "
            "LAKSANA_OIDC_*_ENDPOINT variables, or unset them all."
        )
    OIDC_RP_CLIENT_ID = _oidc_client_id
    OIDC_RP_CLIENT_SECRET = _oidc_client_secret
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_SCOPES = "openid email profile"
    # Endpoints not given are read from the issuer's discovery document on first use.
    OIDC_OP_AUTHORIZATION_ENDPOINT = _oidc_endpoints["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = _oidc_endpoints["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = _oidc_endpoints["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = _oidc_endpoints["OIDC_OP_JWKS_ENDPOINT"]
    OIDC_USE_PKCE = True
    OIDC_TIMEOUT = 10
    AUTHENTICATION_BACKENDS.append("laksana.accounts.oidc.PersonOIDCBackend")

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

# --- security headers and HTTPS ------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles, fonts and frames from this site only;
# images also as data: URLs; no plugins, no framing by anyone, forms post only here. No inline
# script or style anywhere (htmx is configured not to need either, base.html); the one
# exception, inline styles on the official SOP document pages, is in
# laksana.web.middleware.ContentSecurityPolicyMiddleware.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# HTTPS: on by default in production. LAKSANA_TLS=off is for a production build reached over
# plain HTTP on a closed network or a local benchmark; `laksana check --deploy` then rightly
# warns about HTTPS.
LAKSANA_TLS = env_bool("LAKSANA_TLS", default=_PRODUCTION)
LAKSANA_BEHIND_PROXY = env_bool("LAKSANA_BEHIND_PROXY", default=False)
# The reverse proxies' own addresses: forwarded headers are believed only on connections from
# them (laksana.web.proxies); by default a proxy on the same machine.
LAKSANA_PROXY_ADDRESSES = env_networks(
    "LAKSANA_PROXY_ADDRESSES", default=("127.0.0.0/8", "::1/128")
)
if _env("LAKSANA_PROXY_ADDRESSES") and not LAKSANA_BEHIND_PROXY:
    raise ImproperlyConfigured(
        "LAKSANA_PROXY_ADDRESSES is set but LAKSANA_BEHIND_PROXY is off: forwarded headers "
        "are then never read. Set LAKSANA_BEHIND_PROXY=on, or unset the addresses."
    )
_hsts_preload = env_bool("LAKSANA_HSTS_PRELOAD", default=True)
if LAKSANA_TLS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _hsts_preload
if LAKSANA_BEHIND_PROXY:
    # The proxy in front (nginx, HAProxy) terminates TLS and must set X-Forwarded-Proto
    # itself, overwriting whatever the client sent; the sign-in lockout and the rate limit
    # then read the client's address from X-Forwarded-For, the entries the proxies appended.
    # Both headers are dropped from connections that do not come from LAKSANA_PROXY_ADDRESSES
    # (laksana.web.proxies.ProxyHeadersMiddleware, first of the middleware).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Leaving out the HSTS preload directive is a deliberate choice (LAKSANA_HSTS_PRELOAD=off),
# not an oversight for `check --deploy` to report.
SILENCED_SYSTEM_CHECKS = ["security.W021"] if LAKSANA_TLS and not _hsts_preload else []

# --- uploads, mail ---------------------------------------------------------------------------

# Uploaded case files live in the data folder, under generated names, and are served only
# through a view that checks who may see the case (never as public media).
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "/files/"
LAKSANA_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = LAKSANA_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# At most LAKSANA_MAX_UPLOAD_BYTES + 1 bytes of each uploaded file are kept while a request is
# received (the rest is dropped, and the file then refused as too large).
FILE_UPLOAD_HANDLERS = [
    "laksana.cases.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# The console backend in the embedded mode: e-mails are printed where the server runs.
EMAIL_BACKEND = os.environ.get(
    "LAKSANA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("LAKSANA_EMAIL_FROM", "laksana@localhost")

# --- logging ---------------------------------------------------------------------------------

# Everything to standard error (the service manager or container runtime keeps it): with debug
# off one JSON object per line (laksana.ops.logs.JsonFormatter), with debug on plain text.
# Request errors (django.request: 5xx with their traceback, 4xx as warnings), the API's errors
# (laksana.api.errors), refused actions (laksana.refused: who, what, the code) and e-mails that
# failed (laksana.outbox: the message, the attempt, the reason) all arrive here.
LAKSANA_LOG_FORMAT = env_choice("LAKSANA_LOG_FORMAT", ("json", "text"), "text" if DEBUG else "json")
LAKSANA_LOG_LEVEL = env_choice(
    "LAKSANA_LOG_LEVEL", ("debug", "info", "warning", "error"), "info"
).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "laksana.ops.logs.JsonFormatter"},
        "text": {
            "()": "laksana.ops.logs.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": LAKSANA_LOG_FORMAT,
        },
    },
    "root": {"handlers": ["stderr"], "level": LAKSANA_LOG_LEVEL},
    "loggers": {
        # Django's own records go up to the same handler, not to its debug-only console
        # handler or to e-mails to ADMINS (runserver's access log, django.server, keeps its
        # own handler and format).
        "django": {"handlers": [], "level": LAKSANA_LOG_LEVEL, "propagate": True},
        # The PDF renderer's progress and its font subsetting are not news for operators.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes: lockouts and repeated failures (warnings), not every start and sign-in.
        "axes": {"level": "WARNING"},
        # httpx logs every request of the monitors' checks at INFO (thousands a minute);
        # their results are recorded anyway.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
