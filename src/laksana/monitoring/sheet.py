"""The sheet "Pemantauan" of the catalogue's workbook: one monitor per row, imported with the
applications (:mod:`laksana.catalog.sheets`) and written by the catalogue's export, so an
export imports again.

A row names its application by name or short name (one already in the catalogue or one the
same file enters), optionally its environment, the kind and the address, and the check's
numbers. A row whose (application, kind, address) is already a monitor changes that monitor
instead of adding another. Every problem is named "Pemantauan, baris N, kolom X: ...".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.catalog.columns import normalize
from laksana.catalog.models import Application, Environment, EnvironmentKind
from laksana.catalog.sheets import Pending, SheetImport
from laksana.catalog.spreadsheet import Code, Problem
from laksana.monitoring import services
from laksana.monitoring.models import Kind, Monitor
from laksana.monitoring.services import InvalidInput, MonitorInput
from laksana.org.models import Person

NAME = "Pemantauan"

# (key, header as exported, MonitorInput field or "")
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("application", "Aplikasi", ""),
    ("name", "Nama Pemantau", "name"),
    ("environment", "Lingkungan", "environment"),
    ("kind", "Jenis", "kind"),
    ("target", "Alamat", "target"),
    ("interval", "Interval (detik)", "interval_seconds"),
    ("timeout", "Batas Waktu (detik)", "timeout_seconds"),
    ("fail_after", "Gagal Sebelum Insiden", "fail_after"),
    ("recover_after", "Pulih Setelah", "recover_after"),
    ("statuses", "Kode Status", "expected_statuses"),
    ("keyword", "Kata Kunci", "keyword"),
    ("max_latency", "Latensi Maks (ms)", "max_latency_ms"),
)
_BY_HEADER = {normalize(header): key for key, header, _field in COLUMNS}
_BY_FIELD = {f: key for key, _header, f in COLUMNS if f}
_ENVIRONMENTS = {
    "produksi": EnvironmentKind.PRODUCTION,
    "production": EnvironmentKind.PRODUCTION,
    "staging": EnvironmentKind.STAGING,
    "uji": EnvironmentKind.STAGING,
    "pengujian": EnvironmentKind.STAGING,
}
_ENVIRONMENT_NAMES: dict[str, str] = {
    EnvironmentKind.PRODUCTION: "Produksi",
    EnvironmentKind.STAGING: "Staging",
}
_INTEGERS = {
    "interval": "interval_seconds",
    "timeout": "timeout_seconds",
    "fail_after": "fail_after",
    "recover_after": "recover_after",
    "max_latency": "max_latency_ms",
}


@dataclass
class _Row:
    number: int
    application: str  # normalised name or short name
    environment: str  # an EnvironmentKind value or ""
    data: MonitorInput


class _Reader:
    def __init__(self, headers: dict[str, str], problems: list[Problem]) -> None:
        self.headers = headers  # key -> header as written
        self.problems = problems

    def problem(self, row: int, key: str, message: str, code: Code = Code.INCONSISTENT) -> None:
        header = self.headers.get(key) or dict((k, h) for k, h, _f in COLUMNS)[key]
        self.problems.append(Problem(row, header, key, code, message, sheet=NAME))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _header_row(grid: list[list[Any]]) -> int | None:
    for i, row in enumerate(grid[:10]):
        if sum(1 for cell in row if normalize(cell) in _BY_HEADER) >= 2:
            return i
    return None


class MonitoringSheet:
    """The catalogue workbook's sheet of monitors (:class:`laksana.catalog.sheets.SheetReader`)."""

    def check(self, grid: list[list[Any]], context: SheetImport) -> Pending:
        problems: list[Problem] = []
        start = _header_row(grid)
        if start is None:
            if any(_text(c) for row in grid for c in row):
                problems.append(
                    Problem(
                        1,
                        "",
                        "application",
                        Code.UNMAPPED,
                        _("The sheet has no header row (Aplikasi, Jenis, Alamat, ...)."),
                        sheet=NAME,
                    )
                )
            return Pending(problems)
        positions: dict[str, int] = {}
        headers: dict[str, str] = {}
        for index, cell in enumerate(grid[start]):
            key = _BY_HEADER.get(normalize(cell))
            if key and key not in positions:
                positions[key] = index
                headers[key] = _text(cell)
        reader = _Reader(headers, problems)
        for key in ("application", "target"):
            if key not in positions:
                reader.problem(start + 1, key, _("The column is missing."), Code.UNMAPPED)
        if problems:
            return Pending(problems)
        known = _applications(context)
        rows: list[_Row] = []
        seen: dict[tuple[str, str, str], int] = {}
        for offset, cells in enumerate(grid[start + 1 :], start=start + 2):
            values = {key: (cells[i] if i < len(cells) else None) for key, i in positions.items()}
            if not any(_text(v) for v in values.values()):
                continue
            row = _read_row(reader, offset, values, known)
            if row is None:
                continue
            identity = (row.application, row.data.kind, row.data.target)
            if identity in seen:
                reader.problem(
                    offset,
                    "target",
                    _("The same check is already on row %(row)s.") % {"row": seen[identity]},
                    Code.DUPLICATE_IN_FILE,
                )
            seen.setdefault(identity, offset)
            rows.append(row)
        return Pending(problems, lambda: _commit(context, rows))

    def export(
        self, person: Person | None, applications: Sequence[Application]
    ) -> tuple[list[str], list[list[Any]]]:
        headers = [header for _key, header, _field in COLUMNS]
        ids = [a.pk for a in applications]
        monitors = services.visible_monitors(person).filter(application_id__in=ids)
        out = []
        for m in monitors.order_by("application__name", "pk"):
            env = m.environment
            out.append(
                [
                    m.application.name,
                    m.name,
                    _ENVIRONMENT_NAMES.get(env.kind, env.kind) if env is not None else "",
                    m.kind.upper(),
                    m.target,
                    m.interval_seconds,
                    m.timeout_seconds,
                    m.fail_after,
                    m.recover_after,
                    m.expected_statuses,
                    m.keyword,
                    m.max_latency_ms,
                ]
            )
        return headers, out


def _applications(context: SheetImport) -> dict[str, tuple[Application | None, set[str]]]:
    """Every name and short name an application can be named by (normalised) -> the
    application (None for one the file enters) and its environments' kinds."""
    known: dict[str, tuple[Application | None, set[str]]] = {}
    apps = Application.objects.filter(agency=context.agency).prefetch_related("environments")
    for app in apps:
        kinds = {e.kind for e in app.environments.all()}
        for name in (app.name, app.short_name):
            if name:
                known.setdefault(normalize(name), (app, kinds))
    for parsed in context.new_applications:
        kinds = set(parsed.environments)
        for name in (parsed.application.name, parsed.application.short_name):
            if name:
                known.setdefault(normalize(name), (None, kinds))
    return known


def _read_row(
    reader: _Reader,
    number: int,
    values: dict[str, Any],
    known: dict[str, tuple[Application | None, set[str]]],
) -> _Row | None:
    before = len(reader.problems)
    name = _text(values.get("application"))
    found = known.get(normalize(name)) if name else None
    if not name:
        reader.problem(number, "application", _("Name the application."), Code.MISSING)
    elif found is None:
        reader.problem(
            number,
            "application",
            _("%(value)s is not in the catalogue nor in this file.") % {"value": name},
        )
    environment = ""
    env_text = _text(values.get("environment"))
    if env_text:
        environment = _ENVIRONMENTS.get(normalize(env_text), "")
        if not environment:
            reader.problem(
                number,
                "environment",
                _("%(value)s is not an allowed value; allowed: %(items)s")
                % {"value": env_text, "items": "Produksi, Staging"},
                Code.BAD_CHOICE,
            )
        elif found is not None and environment not in found[1]:
            reader.problem(
                number,
                "environment",
                _("The application has no %(value)s environment in the catalogue.")
                % {"value": env_text},
            )
    kind_text = normalize(values.get("kind")) or Kind.HTTP
    kind = {"http": Kind.HTTP, "https": Kind.HTTP, "tcp": Kind.TCP, "tls": Kind.TLS}.get(
        kind_text, Kind.DNS if kind_text == "dns" else ""
    )
    if not kind:
        reader.problem(
            number,
            "kind",
            _("%(value)s is not an allowed value; allowed: %(items)s")
            % {"value": _text(values.get("kind")), "items": "HTTP, TCP, TLS, DNS"},
            Code.BAD_CHOICE,
        )
    data = MonitorInput(kind=kind or Kind.HTTP, target=_text(values.get("target")))
    for key, attribute in _INTEGERS.items():
        raw = values.get(key)
        text = _text(raw)
        if not text:
            continue
        if isinstance(raw, bool) or not text.lstrip("-").isdigit():
            reader.problem(number, key, _("Give a whole number."))
            continue
        setattr(data, attribute, int(text))
    if _text(values.get("statuses")):
        data.expected_statuses = _text(values.get("statuses"))
    data.keyword = _text(values.get("keyword"))
    # A blank name is made from the application and the address by the service.
    given_name = _text(values.get("name"))
    data.name = given_name
    probe = Application(name=name or "-", agency_id=0)
    try:
        data = services.check_input(probe, data, {})
    except InvalidInput as exc:
        for field_name, messages in exc.errors.items():
            key = _BY_FIELD.get(field_name, "target")
            for message in messages:
                reader.problem(number, key, message)
    if len(reader.problems) > before:
        return None
    data.name = given_name
    return _Row(number, normalize(name), environment, data)


def _commit(context: SheetImport, rows: list[_Row]) -> int:
    """Write the checked rows (the applications of the file are written by now)."""
    at = timezone.now()
    apps: dict[str, Application] = {}
    for app in Application.objects.select_for_update().filter(agency=context.agency):
        for name in (app.name, app.short_name):
            if name:
                apps.setdefault(normalize(name), app)
    for row in rows:
        app = apps[row.application]
        data = row.data
        environment = None
        if row.environment:
            environment = Environment.objects.filter(application=app, kind=row.environment).first()
        data.environment_id = environment.pk if environment is not None else None
        existing = Monitor.objects.filter(
            application=app, kind=data.kind, target=data.target
        ).first()
        if existing is not None:
            base = MonitorInput.of(existing)
            for attribute in (*_INTEGERS.values(), "expected_statuses", "keyword"):
                setattr(base, attribute, getattr(data, attribute))
            if data.name:
                base.name = data.name
            base.environment_id = data.environment_id
            data = base
        environments = {environment.pk: environment} if environment is not None else {}
        clean = services.check_input(app, data, environments)
        services.write_monitor(context.actor, app, clean, at, existing)
    return len(rows)


READER = MonitoringSheet()
