"""The application catalogue: the applications cases are about, and each one's lifecycle record.

An application carries what real inventories carry (name, category, function, legal basis,
platforms, URLs, owner, managing and user units, developer, year built, data classification,
source-code location) plus what operations need: environments (production, staging),
vendors and contracts, attached documents. Its lifecycle stage moves through
:class:`Stage`; every move is a :class:`StageChange` row (old, new, reason, case, who, when)
that is only ever appended. Proposals leave risk register entries (:class:`Risk`) and work
programme entries (:class:`WorkProgrammeEntry`, per year); a decommissioning leaves data
deletion records (:class:`DataDeletion`).

Only :mod:`laksana.catalog.services` writes these rows (and :mod:`laksana.catalog.lifecycle`,
through those services, when a case step completes).
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from laksana.catalog.risk import RiskLevel, risk_level

if TYPE_CHECKING:
    from laksana.org.models import Unit


class Stage(models.TextChoices):
    """Where an application is in its lifecycle."""

    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    IN_DEVELOPMENT = "in_development", _("In development")
    IN_TESTING = "in_testing", _("In testing")
    IN_PRODUCTION = "in_production", _("In production")
    UNDER_MAINTENANCE = "under_maintenance", _("Under maintenance")
    RETIRED = "retired", _("Retired")


class Scope(models.TextChoices):
    """Aplikasi Umum (shared across government, e.g. e-office) or Aplikasi Khusus (built for
    one agency's own tasks)."""

    GENERAL = "general", _("General application")
    SPECIFIC = "specific", _("Specific application")


class ServiceKind(models.TextChoices):
    """What the application serves: the public, or the government's own administration."""

    PUBLIC_SERVICE = "public_service", _("Public service")
    ADMINISTRATION = "administration", _("Government administration")


class Platform(models.TextChoices):
    """Where the application runs for its users; an application has one or more."""

    WEB = "web", _("Web")
    MOBILE = "mobile", _("Mobile")
    DESKTOP = "desktop", _("Desktop")
    API = "api", _("API")


class DataClassification(models.TextChoices):
    """How sensitive the application's data is."""

    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")
    SECRET = "secret", _("Secret")


class DeveloperKind(models.TextChoices):
    """Who built the application: the agency's own team (swakelola) or a vendor."""

    INTERNAL = "internal", _("Internal team")
    VENDOR = "vendor", _("Vendor")


class EnvironmentKind(models.TextChoices):
    """The environments the catalogue records: the one users use, and the one for tests."""

    PRODUCTION = "production", _("Production")
    STAGING = "staging", _("Staging")


class SupportKind(models.TextChoices):
    """What follows the contract period: a warranty (masa garansi) or paid maintenance."""

    WARRANTY = "warranty", _("Warranty")
    MAINTENANCE = "maintenance", _("Maintenance")


class DocumentKind(models.TextChoices):
    """What a document attached to an application is."""

    CONTRACT = "contract", _("Contract")
    HANDOVER = "handover", _("Handover minutes")
    DESIGN = "design", _("Design document")
    MANUAL = "manual", _("User manual")
    TEST = "test", _("Test report")
    MINUTES = "minutes", _("Minutes")
    OTHER = "other", _("Other document")


class RiskStatus(models.TextChoices):
    """Where the handling of a risk stands."""

    OPEN = "open", pgettext_lazy("risk status", "Open")
    MITIGATING = "mitigating", _("Being mitigated")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed")


class Vendor(models.Model):
    """A contracted third party (vendor, pihak ketiga)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="vendors")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="vendor_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """An application the IT unit is responsible for, with its whole lifecycle record."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="applications")
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    scope = models.CharField(_("category"), max_length=20, choices=Scope.choices, blank=True)
    service_kind = models.CharField(
        _("service type"), max_length=20, choices=ServiceKind.choices, blank=True
    )
    function = models.TextField(_("function"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    # Platform values, e.g. ["web", "mobile"]; filtered as JSON text (see queries.filtered).
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    urls = models.JSONField(_("URLs"), default=list, blank=True)
    owner_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner unit"),
    )
    managing_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("managing unit"),
    )
    user_units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="used_applications", verbose_name=_("user units")
    )
    developer_kind = models.CharField(
        _("developer"), max_length=20, choices=DeveloperKind.choices, blank=True
    )
    developer_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("developing team"),
    )
    developer_vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="developed_applications",
        verbose_name=_("developing vendor"),
    )
    stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=Stage.choices, default=Stage.IN_PRODUCTION
    )
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    data_classification = models.CharField(
        _("data classification"), max_length=20, choices=DataClassification.choices, blank=True
    )
    source_code_location = models.CharField(_("source-code location"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    # Lower-cased names, description, function, URLs, units and developer, for search.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["name", "id"]
        indexes = [
            # The catalogue list: an agency's applications by name, a keyset page at a time.
            models.Index(fields=["agency", "name", "id"], name="application_list_idx"),
            # Counts and filters by stage.
            models.Index(fields=["agency", "stage"], name="application_stage_idx"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Kept with the row by every writer, so search never misses an application.
        self.search_text = self.words()
        fields = kwargs.get("update_fields")
        if fields is not None and "search_text" not in fields:
            kwargs["update_fields"] = [*fields, "search_text"]
        super().save(*args, **kwargs)

    def words(self) -> str:
        """The lower-cased words the application is found by: names, description, function,
        addresses, its units and its developer."""
        units = [self.owner_unit, self.managing_unit, self.developer_unit]
        parts = [
            self.name,
            self.short_name,
            self.description,
            self.function,
            " ".join(self.urls or []),
            *(u.name for u in units if u is not None),
            *(u.short_name for u in units if u is not None),
            self.developer_vendor.name if self.developer_vendor else "",
        ]
        return " ".join(p for p in parts if p).lower()

    @property
    def is_retired(self) -> bool:
        return self.stage == Stage.RETIRED

    def platform_labels(self) -> list[str]:
        labels = dict(Platform.choices)
        return [str(labels.get(p, p)) for p in self.platforms]

    @property
    def developer(self) -> Vendor | Unit | None:
        """The internal team (a unit) or the vendor that built the application."""
        if self.developer_kind == DeveloperKind.VENDOR:
            return self.developer_vendor
        if self.developer_kind == DeveloperKind.INTERNAL:
            return self.developer_unit
        return None

    def current_vendor(self, on: dt.date | None = None) -> Vendor | None:
        """The vendor whose contract period (:meth:`Contract.in_period`) covers the date
        (today by default), if any: the one whose contract started last."""
        on = on or dt.date.today()
        contract = (
            self.contracts.filter(Contract.in_period(on))
            .select_related("vendor")
            .order_by("-starts_on")
            .first()
        )
        return contract.vendor if contract else None


class Contract(models.Model):
    """A contract of a vendor for an application (build, maintenance, warranty)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="contracts")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(_("number"), max_length=100)
    signed_on = models.DateField(_("contract date"), null=True, blank=True)
    value = models.DecimalField(
        _("value (rupiah)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    support_kind = models.CharField(
        _("warranty or maintenance"), max_length=20, choices=SupportKind.choices, blank=True
    )
    support_ends_on = models.DateField(_("warranty or maintenance until"), null=True, blank=True)
    scope = models.TextField(_("scope of work"), blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.number

    @staticmethod
    def in_period(on: dt.date, prefix: str = "") -> Q:
        """A filter on contracts (``prefix``: the path to them, such as ``"contracts__"``):
        those whose period covers the date. The period runs from ``starts_on`` (none: from
        always) through the later of ``ends_on`` and ``support_ends_on`` (neither: open-ended),
        both days included: the rule of :meth:`is_current`."""
        started = Q(**{f"{prefix}starts_on__isnull": True}) | Q(**{f"{prefix}starts_on__lte": on})
        running = (
            Q(**{f"{prefix}ends_on__isnull": True, f"{prefix}support_ends_on__isnull": True})
            | Q(**{f"{prefix}ends_on__gte": on})
            | Q(**{f"{prefix}support_ends_on__gte": on})
        )
        return started & running

    def is_current(self, on: dt.date | None = None) -> bool:
        """Whether the contract period, or the warranty or maintenance after it, covers the
        date (today by default): the rule of :meth:`in_period`."""
        on = on or dt.date.today()
        if self.starts_on and on < self.starts_on:
            return False
        end = max((d for d in (self.ends_on, self.support_ends_on) if d), default=None)
        return end is None or on <= end


class Environment(models.Model):
    """Where an application runs: its production or staging server, domain, database and
    hosting."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="environments"
    )
    kind = models.CharField(_("environment"), max_length=20, choices=EnvironmentKind.choices)
    server = models.CharField(_("server"), max_length=200, blank=True)
    domain = models.CharField(_("domain"), max_length=253, blank=True)
    database = models.CharField(_("database"), max_length=200, blank=True)
    hosting = models.CharField(_("hosting"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("environment")
        verbose_name_plural = _("environments")
        ordering = ["application", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="environment_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.application} ({self.get_kind_display()})"

    @property
    def is_empty(self) -> bool:
        return not any((self.server, self.domain, self.database, self.hosting, self.notes))


def _document_upload_to(instance: Document, filename: str) -> str:
    # A generated name: the original name is kept in a field, never used on disk.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"catalog/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    """A document attached to an application (contract, handover minutes, manual, ...),
    checked by content, stored under a generated name and served through the visibility
    check."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    contract = models.ForeignKey(
        Contract,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("contract"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(upload_to=_document_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AppendOnly(models.Model):
    """A record that is written once and never changed or deleted on its own."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{type(self).__name__} rows are append-only")


class StageChange(AppendOnly):
    """One move of an application from one lifecycle stage to another: old, new, reason, the
    case (and step) that drove it if any, who and when. Appended, never changed."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="stage_changes"
    )
    old_stage = models.CharField(_("from stage"), max_length=20, choices=Stage.choices, blank=True)
    new_stage = models.CharField(_("to stage"), max_length=20, choices=Stage.choices)
    reason = models.TextField(_("reason"), blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    step_key = models.CharField(_("step"), max_length=100, blank=True)
    by = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_name = models.CharField(_("by"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["at", "id"]
        indexes = [
            # The application page's timeline.
            models.Index(fields=["application", "at"], name="stage_change_app_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.old_stage or '-'} → {self.new_stage}"


RISK_LEVEL_LABELS: dict[RiskLevel, Any] = {
    RiskLevel.LOW: _("Low"),
    RiskLevel.MEDIUM: _("Medium"),
    RiskLevel.HIGH: _("High"),
    RiskLevel.VERY_HIGH: _("Very high"),
}


class Risk(models.Model):
    """One entry of an application's risk register: the risk, its likelihood and impact (1–5
    each), the mitigation, its owner and status. The level is computed, never stored
    (:func:`laksana.catalog.risk.risk_level`)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="risks")
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    description = models.TextField(_("risk"))
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    mitigation = models.TextField(_("mitigation"), blank=True)
    owner = models.CharField(_("risk owner"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN
    )
    created_at = models.DateTimeField(_("recorded at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="risk_scales_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def level(self) -> RiskLevel:
        return risk_level(self.likelihood, self.impact)

    @property
    def level_label(self) -> str:
        return str(RISK_LEVEL_LABELS[self.level])


class WorkProgramme(models.Model):
    """An agency's work programme (program kerja, proker) for one year."""

    agency = models.ForeignKey(
        "org.Agency", on_delete=models.CASCADE, related_name="work_programmes"
    )
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("work programme")
        verbose_name_plural = _("work programmes")
        ordering = ["agency", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="work_programme_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}"


class WorkProgrammeEntry(models.Model):
    """An application's place in a year's work programme: the activity, its budget and where
    the money comes from; usually put there by an approved proposal case."""

    programme = models.ForeignKey(WorkProgramme, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="work_programme_entries"
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    activity = models.CharField(_("activity"), max_length=300)
    budget = models.DecimalField(
        _("budget (rupiah)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    funding_source = models.CharField(_("funding source"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    added_by = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("work programme entry")
        verbose_name_plural = _("work programme entries")
        ordering = ["programme", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "application"], name="work_programme_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme.year}: {self.activity}"


class DataDeletion(AppendOnly):
    """One line of the minutes of a data deletion (Berita Acara Penghapusan Data) of a
    decommissioned application: which data, where, by what method, by whom, when, and the
    witness. Appended, never changed."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="data_deletions"
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    minutes_number = models.CharField(_("minutes number"), max_length=100, blank=True)
    data = models.TextField(_("data deleted"))
    location = models.CharField(_("where"), max_length=300)
    method = models.CharField(_("method"), max_length=300)
    executed_by = models.CharField(_("deleted by"), max_length=200)
    executed_on = models.DateField(_("deleted on"))
    witness = models.CharField(_("witness"), max_length=200)
    recorded_by = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("data deletion")
        verbose_name_plural = _("data deletions")
        ordering = ["executed_on", "id"]

    def __str__(self) -> str:
        return f"{self.application}: {self.data[:60]}"
