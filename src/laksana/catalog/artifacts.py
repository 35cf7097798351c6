"""The artifact types the catalogue owns, with validators for their structured values.

Every type still accepts what the engine accepts of a named type: a record reference
(``{"ref": ...}``) or a file value (a scanned, signed document). It now also accepts a
mapping of its fields, checked here; :mod:`laksana.catalog.lifecycle` turns those values into
catalogue records when the step that produces them completes (risks, work programme entries,
environments, data deletion records).

Money is whole or decimal rupiah, given as a number or a string of digits ("150000000").
Dates are ``YYYY-MM-DD``. Unknown fields are refused, so a misspelt field cannot vanish.

``proposal.needs_analysis`` (analisis kebutuhan)
    ``summary`` the need and why (required), ``users`` who will use it (required),
    ``requirements`` list of needed functions (at least one), ``survey_summary`` the summary of
    the user survey, ``legal_basis``, ``benefits``.
``proposal.development_plan`` (rencana pengembangan: cost/RAB, time, resources)
    ``cost`` total (required); ``cost_items`` list of ``{item, amount}`` adding up to the cost;
    the time as ``duration_days`` (> 0) or ``start`` and ``end`` (required, one of the two);
    ``resources`` list of ``{role, count}`` (at least one); ``developer`` internal or vendor;
    ``funding_source``.
``proposal.budget_plan`` (RAB)
    ``items`` list of ``{item, amount}``, optionally with ``quantity`` and ``unit_price``
    (then amount = quantity × unit price); ``total`` the sum of the amounts (required);
    ``fiscal_year``.
``proposal.risk_register`` (daftar risiko)
    ``risks`` list (at least one) of ``{risk, likelihood 1–5, impact 1–5, mitigation, owner,
    status}``; status open, mitigating, accepted or closed (default open); a ``level`` given
    must be the one computed from likelihood × impact (:mod:`laksana.catalog.risk`).
``catalog.work_programme_entry`` (proker)
    ``year`` (required), ``activity``, ``budget``, ``funding_source``, ``notes``.
``catalog.deployment`` (instalasi)
    ``environment`` production (default) or staging, ``server`` and ``domain`` (required),
    ``database``, ``hosting``, ``url``, ``version``, ``deployed_on``.
``minutes.data_deletion`` (BA penghapusan data)
    ``date`` (required), ``executed_by`` and ``witness`` (required), ``items`` list (at least
    one) of ``{data, location, method}``, ``number`` of the minutes.

Pure Python (no Django): the validators run inside the engine.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from laksana.catalog.risk import SCALE, RiskLevel, risk_level
from laksana.engine import artifacts as registry
from laksana.engine.messages import Msg
from laksana.engine.spec import ArtifactSpec

Check = Callable[[Mapping[str, object]], list[str]]

RISK_STATUSES = ("open", "mitigating", "accepted", "closed")
ENVIRONMENTS = ("production", "staging")
DEVELOPERS = ("internal", "vendor")

_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


# --- reading values ---------------------------------------------------------------------------


def money(value: object) -> Decimal | None:
    """A rupiah amount (number or digits), or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0:
        return None
    return amount


def date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def whole(value: object) -> int | None:
    """An integer (an integral float or digits are accepted too), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    return None


def host_of(value: str) -> str | None:
    """The host name of a domain or URL ("sipd.baliprov.go.id"), or None."""
    text = value.strip().lower()
    host = urlsplit(text).hostname if "://" in text else text.split("/", 1)[0]
    return host if host and _HOST.match(host) else None


def is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


# --- checking fields --------------------------------------------------------------------------


class _Fields:
    """Collects the problems of one mapping, field by field, with a prefix for list items."""

    def __init__(
        self, value: Mapping[str, object], known: tuple[str, ...], where: str = ""
    ) -> None:
        self.value = value
        self.where = where
        self.problems: list[str] = []
        for extra in sorted(set(value) - set(known)):
            self.problems.append(
                Msg(
                    "%(where)sunknown field '%(field)s'; fields: %(fields)s",
                    where=where,
                    field=extra,
                    fields=", ".join(known),
                )
            )

    def add(self, key: str, problem: str) -> None:
        self.problems.append(
            Msg("%(where)s'%(key)s' %(problem)s", where=self.where, key=key, problem=problem)
        )

    def present(self, key: str) -> bool:
        v = self.value.get(key)
        return v is not None and v != "" and v != []

    def text(self, key: str, *, required: bool = False) -> None:
        if not self.present(key):
            if required:
                self.add(key, Msg("is required"))
            return
        v = self.value[key]
        if not isinstance(v, str) or not v.strip():
            self.add(key, Msg("must be non-empty text"))

    def texts(self, key: str, *, required: bool = False) -> None:
        if not self.present(key):
            if required:
                self.add(key, Msg("needs at least one entry"))
            return
        v = self.value[key]
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            self.add(key, Msg("must be a list of non-empty texts"))

    def money(self, key: str, *, required: bool = False) -> Decimal | None:
        if not self.present(key):
            if required:
                self.add(key, Msg("is required"))
            return None
        amount = money(self.value[key])
        if amount is None:
            self.add(key, Msg("must be an amount of money in rupiah, zero or more"))
        return amount

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        if not self.present(key):
            if required:
                self.add(key, Msg("is required"))
            return None
        d = date(self.value[key])
        if d is None:
            self.add(key, Msg("must be a date YYYY-MM-DD"))
        return d

    def whole(
        self, key: str, low: int, high: int | None = None, *, required: bool = False
    ) -> int | None:
        if not self.present(key):
            if required:
                self.add(key, Msg("is required"))
            return None
        n = whole(self.value[key])
        if n is None or n < low or (high is not None and n > high):
            self.add(
                key,
                Msg("must be a whole number from %(low)s to %(high)s", low=low, high=high)
                if high is not None
                else Msg("must be a whole number of at least %(low)s", low=low),
            )
            return None
        return n

    def choice(self, key: str, allowed: tuple[str, ...], *, required: bool = False) -> None:
        if not self.present(key):
            if required:
                self.add(key, Msg("is required"))
            return
        if self.value[key] not in allowed:
            self.add(key, Msg("must be one of: %(choices)s", choices=", ".join(allowed)))

    def items(self, key: str, *, required: bool = False) -> list[tuple[str, Mapping[str, object]]]:
        """The list of mappings under ``key``, each with its "where" prefix."""
        if not self.present(key):
            if required:
                self.add(key, Msg("needs at least one entry"))
            return []
        v = self.value[key]
        if not isinstance(v, list):
            self.add(key, Msg("must be a list"))
            return []
        out: list[tuple[str, Mapping[str, object]]] = []
        for i, item in enumerate(v, start=1):
            where = Msg("%(where)s%(key)s %(number)s: ", where=self.where, key=key, number=i)
            if not isinstance(item, Mapping):
                self.problems.append(Msg("%(where)smust be a mapping of fields", where=where))
                continue
            out.append((where, item))
        return out


# --- the types --------------------------------------------------------------------------------


def check_needs_analysis(value: Mapping[str, object]) -> list[str]:
    f = _Fields(
        value,
        ("summary", "users", "requirements", "survey_summary", "legal_basis", "benefits"),
    )
    f.text("summary", required=True)
    f.text("users", required=True)
    f.texts("requirements", required=True)
    for key in ("survey_summary", "legal_basis", "benefits"):
        f.text(key)
    return f.problems


def _cost_items(f: _Fields, key: str) -> Decimal | None:
    """Check ``{item, amount[, quantity, unit_price]}`` items; their sum, or None."""
    total: Decimal | None = Decimal(0)
    for where, item in f.items(key, required=key == "items"):
        g = _Fields(item, ("item", "amount", "quantity", "unit", "unit_price"), where)
        g.text("item", required=True)
        g.text("unit")
        amount = g.money("amount", required=True)
        quantity = g.money("quantity")
        unit_price = g.money("unit_price")
        expected = None
        if quantity is not None and unit_price is not None:
            expected = quantity * unit_price
        if amount is not None and expected is not None and expected != amount:
            g.add("amount", Msg("must be quantity × unit price (%(expected)s)", expected=expected))
        f.problems.extend(g.problems)
        if amount is None or total is None:
            total = None
        else:
            total += amount
    return total


def check_development_plan(value: Mapping[str, object]) -> list[str]:
    f = _Fields(
        value,
        (
            "cost",
            "cost_items",
            "duration_days",
            "start",
            "end",
            "resources",
            "developer",
            "funding_source",
        ),
    )
    cost = f.money("cost", required=True)
    if f.present("cost_items"):
        items_total = _cost_items(f, "cost_items")
        if cost is not None and items_total is not None and items_total != cost:
            f.add("cost", Msg("must be the sum of the cost items (%(total)s)", total=items_total))
    if f.present("duration_days"):
        f.whole("duration_days", 1)
    elif f.present("start") or f.present("end"):
        start, end = f.date("start", required=True), f.date("end", required=True)
        if start and end and end < start:
            f.add("end", Msg("must not be before the start"))
    else:
        f.problems.append(Msg("the time is required: 'duration_days', or 'start' and 'end'"))
    for where, item in f.items("resources", required=True):
        g = _Fields(item, ("role", "count", "notes"), where)
        g.text("role", required=True)
        g.whole("count", 1, required=True)
        g.text("notes")
        f.problems.extend(g.problems)
    f.choice("developer", DEVELOPERS)
    f.text("funding_source")
    return f.problems


def check_budget_plan(value: Mapping[str, object]) -> list[str]:
    f = _Fields(value, ("items", "total", "fiscal_year"))
    items_total = _cost_items(f, "items")
    total = f.money("total", required=True)
    given = f.present("items") and total is not None and items_total is not None
    if given and items_total != total:
        f.add("total", Msg("must be the sum of the items (%(total)s)", total=items_total))
    f.whole("fiscal_year", 2000, 2100)
    return f.problems


def check_risk_register(value: Mapping[str, object]) -> list[str]:
    f = _Fields(value, ("risks",))
    for where, item in f.items("risks", required=True):
        g = _Fields(
            item, ("risk", "likelihood", "impact", "level", "mitigation", "owner", "status"), where
        )
        g.text("risk", required=True)
        likelihood = g.whole("likelihood", SCALE.start, SCALE.stop - 1, required=True)
        impact = g.whole("impact", SCALE.start, SCALE.stop - 1, required=True)
        g.text("mitigation", required=True)
        g.text("owner", required=True)
        g.choice("status", RISK_STATUSES)
        if g.present("level") and likelihood is not None and impact is not None:
            computed = risk_level(likelihood, impact)
            if item["level"] != computed.value:
                g.add(
                    "level",
                    Msg(
                        "must be %(level)s (likelihood %(likelihood)s × impact %(impact)s); "
                        "levels: %(levels)s",
                        level=computed.value,
                        likelihood=likelihood,
                        impact=impact,
                        levels=", ".join(level.value for level in RiskLevel),
                    ),
                )
        f.problems.extend(g.problems)
    return f.problems


def check_work_programme_entry(value: Mapping[str, object]) -> list[str]:
    f = _Fields(value, ("year", "activity", "budget", "funding_source", "notes"))
    f.whole("year", 2000, 2100, required=True)
    f.text("activity")
    f.money("budget")
    f.text("funding_source")
    f.text("notes")
    return f.problems


def check_deployment(value: Mapping[str, object]) -> list[str]:
    f = _Fields(
        value,
        ("environment", "server", "domain", "database", "hosting", "url", "version", "deployed_on"),
    )
    f.choice("environment", ENVIRONMENTS)
    f.text("server", required=True)
    f.text("domain", required=True)
    domain = value.get("domain")
    if isinstance(domain, str) and domain.strip() and host_of(domain) is None:
        f.add("domain", Msg("must be a domain name such as aplikasi.baliprov.go.id"))
    for key in ("database", "hosting", "version"):
        f.text(key)
    url = value.get("url")
    if f.present("url") and (not isinstance(url, str) or not is_web_url(url)):
        f.add("url", Msg("must be a web address starting with http:// or https://"))
    f.date("deployed_on")
    return f.problems


def check_data_deletion(value: Mapping[str, object]) -> list[str]:
    f = _Fields(value, ("number", "date", "executed_by", "witness", "items"))
    f.text("number")
    f.date("date", required=True)
    f.text("executed_by", required=True)
    f.text("witness", required=True)
    for where, item in f.items("items", required=True):
        g = _Fields(item, ("data", "location", "method"), where)
        for key in ("data", "location", "method"):
            g.text(key, required=True)
        f.problems.extend(g.problems)
    return f.problems


CHECKS: dict[str, Check] = {
    "proposal.needs_analysis": check_needs_analysis,
    "proposal.development_plan": check_development_plan,
    "proposal.budget_plan": check_budget_plan,
    "proposal.risk_register": check_risk_register,
    "catalog.work_programme_entry": check_work_programme_entry,
    "catalog.deployment": check_deployment,
    "minutes.data_deletion": check_data_deletion,
}


def is_structured(value: object) -> bool:
    """Whether an artifact value is a mapping of fields (not a reference or a file)."""
    return isinstance(value, Mapping) and "ref" not in value and "files" not in value


def _validator(name: str, check: Check) -> registry.Validator:
    label = registry.get(name).label
    generic = registry.get(name).validate  # a reference or a file, as before

    def validate(spec: ArtifactSpec, value: object) -> list[str]:
        if isinstance(value, Mapping) and ("ref" in value or "files" in value):
            return generic(spec, value)
        if not isinstance(value, Mapping):
            return [
                Msg(
                    "expected the fields of a %(label)s (%(name)s), a reference ({'ref': ...}) "
                    "or a file",
                    label=label,
                    name=name,
                )
            ]
        return check(value)

    return validate


def validator(name: str) -> registry.Validator:
    """The engine's check of a value of ``name``: its fields (``CHECKS``), or a reference or
    a file as before. Idempotent: asked twice, it does not wrap its own check."""
    current = registry.get(name).validate
    if getattr(current, "__catalog__", False):
        return current
    validate = _validator(name, CHECKS[name])
    validate.__catalog__ = True  # type: ignore[attr-defined]
    return validate
