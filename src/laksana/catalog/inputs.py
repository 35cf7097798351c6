"""What the catalogue services take: one dataclass per kind of record, and the checks that
need nothing but the input (the services add those that read the catalogue, such as
duplicate names). A form or record with problems is :class:`InvalidInput`, with every
problem by field, so a screen shows them all at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from laksana.catalog.models import RiskStatus, SupportKind, Vendor
from laksana.catalog.risk import SCALE
from laksana.errors import ServiceError
from laksana.org.models import Unit

MAX_URLS = 10
EARLIEST_YEAR = 1960

_url_validator = URLValidator(schemes=["http", "https"])


class InvalidInput(ServiceError):
    """A form or record with problems; ``errors`` maps each field to its messages."""

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors = {k: list(v) for k, v in errors.items() if v}
        first_field, first = next(iter(self.errors.items()))
        super().__init__(
            "invalid",
            first[0],
            field=first_field,
            items=[f"{k}: {m}" for k, ms in self.errors.items() for m in ms],
        )


# The sizes of the catalogue's long texts (descriptions, scopes) and notes (issue 16, item 12).
LONG_TEXT_LIMIT = 10_000
NOTE_LIMIT = 5_000


class Problems:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def at_most(self, field: str, text: str, limit: int) -> None:
        """A problem for ``field`` when ``text`` is longer than ``limit`` characters."""
        if len(text) > limit:
            self.add(field, too_long(len(text), limit))

    def raise_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


@dataclass
class ApplicationInput:
    """The editable fields of an application (the stage is changed by :func:`change_stage`)."""

    name: str
    short_name: str = ""
    description: str = ""
    scope: str = ""
    service_kind: str = ""
    function: str = ""
    legal_basis: str = ""
    platforms: Sequence[str] = ()
    urls: Sequence[str] = ()
    owner_unit: Unit | None = None
    managing_unit: Unit | None = None
    user_units: Sequence[Unit] = ()
    developer_kind: str = ""
    developer_unit: Unit | None = None
    developer_vendor: Vendor | None = None
    developer_vendor_name: str = ""  # a vendor by name, entered if new
    year_built: int | None = None
    data_classification: str = ""
    source_code_location: str = ""


def too_long(length: int, limit: int) -> str:
    return _("Too long (%(length)s characters); at most %(limit)s characters.") % {
        "length": f"{length:,}",
        "limit": f"{limit:,}",
    }


def clean_text(value: str, *, multiline: bool = False) -> str:
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text if multiline else " ".join(text.split())


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a web address, or None."""
    try:
        _url_validator(url)
    except ValidationError:
        return _("%(url)s is not a web address (http:// or https://).") % {"url": url}
    return None


@dataclass
class EnvironmentInput:
    server: str = ""
    domain: str = ""
    database: str = ""
    hosting: str = ""
    notes: str = ""


def check_environment(data: EnvironmentInput) -> EnvironmentInput:
    from laksana.catalog.artifacts import host_of

    clean = EnvironmentInput(
        server=clean_text(data.server),
        domain=clean_text(data.domain).lower(),
        database=clean_text(data.database),
        hosting=clean_text(data.hosting),
        notes=clean_text(data.notes, multiline=True),
    )
    p = Problems()
    if clean.domain and host_of(clean.domain) is None:
        p.add("domain", _("%(value)s is not a domain name.") % {"value": clean.domain})
    for name in ("server", "database", "hosting"):
        if len(getattr(clean, name)) > 200:
            p.add(name, _("At most 200 characters."))
    p.at_most("notes", clean.notes, NOTE_LIMIT)
    p.raise_any()
    return clean


@dataclass
class ContractInput:
    vendor_name: str
    number: str
    signed_on: dt.date | None = None
    value: Decimal | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    support_kind: str = ""
    support_ends_on: dt.date | None = None
    scope: str = ""


def check_contract(data: ContractInput) -> ContractInput:
    p = Problems()
    clean = ContractInput(
        vendor_name=clean_text(data.vendor_name),
        number=clean_text(data.number),
        signed_on=data.signed_on,
        value=data.value,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        support_kind=data.support_kind or "",
        support_ends_on=data.support_ends_on,
        scope=clean_text(data.scope, multiline=True),
    )
    p.at_most("scope", clean.scope, LONG_TEXT_LIMIT)
    if not clean.vendor_name:
        p.add("vendor", _("Name the vendor."))
    elif len(clean.vendor_name) > 200:
        p.add("vendor", _("At most 200 characters."))
    if not clean.number:
        p.add("number", _("Give the contract number."))
    elif len(clean.number) > 100:
        p.add("number", _("At most 100 characters."))
    if clean.value is not None and (not clean.value.is_finite() or clean.value < 0):
        p.add("value", _("The value must be an amount in rupiah, zero or more."))
    elif clean.value is not None and abs(clean.value) >= Decimal(10) ** 16:
        p.add("value", _("The value is too large."))
    if clean.starts_on and clean.ends_on and clean.ends_on < clean.starts_on:
        p.add("ends_on", _("The contract cannot end before it starts."))
    if clean.support_kind and clean.support_kind not in SupportKind.values:
        p.add(
            "support_kind",
            _("Choose one of: %(items)s")
            % {"items": ", ".join(str(x) for x in SupportKind.labels)},
        )
    if clean.support_ends_on and not clean.support_kind:
        p.add("support_kind", _("Say whether it is a warranty or maintenance."))
    if clean.support_ends_on and clean.ends_on and clean.support_ends_on < clean.ends_on:
        p.add(
            "support_ends_on",
            _("The warranty or maintenance cannot end before the contract ends."),
        )
    p.raise_any()
    return clean


@dataclass
class RiskInput:
    description: str
    likelihood: int
    impact: int
    mitigation: str = ""
    owner: str = ""
    status: str = RiskStatus.OPEN


def check_risk(data: RiskInput) -> RiskInput:
    p = Problems()
    clean = RiskInput(
        description=clean_text(data.description, multiline=True),
        likelihood=data.likelihood,
        impact=data.impact,
        mitigation=clean_text(data.mitigation, multiline=True),
        owner=clean_text(data.owner),
        status=data.status or RiskStatus.OPEN,
    )
    if not clean.description:
        p.add("description", _("Describe the risk."))
    p.at_most("description", clean.description, NOTE_LIMIT)
    p.at_most("mitigation", clean.mitigation, NOTE_LIMIT)
    for name in ("likelihood", "impact"):
        if getattr(clean, name) not in SCALE:
            p.add(name, _("Choose a value from 1 to 5."))
    if clean.status not in RiskStatus.values:
        p.add(
            "status",
            _("Choose one of: %(items)s") % {"items": ", ".join(str(x) for x in RiskStatus.labels)},
        )
    if len(clean.owner) > 200:
        p.add("owner", _("At most 200 characters."))
    p.raise_any()
    return clean


@dataclass
class ProgrammeInput:
    year: int
    activity: str = ""
    budget: Decimal | None = None
    funding_source: str = ""
    notes: str = ""


@dataclass
class DeletionInput:
    """One line of the data deletion minutes: which data, where, how, by whom, when, and the
    witness."""

    data: str
    location: str
    method: str
    executed_by: str
    executed_on: dt.date
    witness: str
    minutes_number: str = ""
