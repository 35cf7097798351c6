"""Letterheads, document templates (shipped and overridden per agency, versioned), numbering
patterns and counters, and the documents of cases with their initials and signatures.

Written only by :mod:`laksana.documents.services`."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Letterhead(models.Model):
    """The kop surat of an agency (``unit`` empty) or of one of its units."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    government = models.CharField(_("government"), max_length=200, blank=True)
    agency_name = models.CharField(_("agency name"), max_length=200)
    unit_name = models.CharField(_("unit name"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    website = models.CharField(_("website"), max_length=120, blank=True)
    email = models.CharField(_("e-mail"), max_length=120, blank=True)
    logo = models.ImageField(_("logo"), upload_to="letterheads/", blank=True)

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterheads")
        constraints = [
            models.UniqueConstraint(fields=["agency", "unit"], name="letterhead_unit_unique"),
            models.UniqueConstraint(
                fields=["agency"], condition=Q(unit__isnull=True), name="letterhead_agency_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.unit_name or self.agency_name


class TemplateVersion(models.Model):
    """One version of a document kind's template: the shipped one (``agency`` empty) or an
    agency's override. Never changed once written; an edit is a new version."""

    agency = models.ForeignKey(
        "org.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("document kind"), max_length=40)
    number = models.PositiveIntegerField(_("version"))
    source = models.TextField(_("template"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["kind", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "number"],
                condition=Q(agency__isnull=False),
                name="template_version_unique",
            ),
            # The shipped versions (no agency): numbered once per kind.
            models.UniqueConstraint(
                fields=["kind", "number"],
                condition=Q(agency__isnull=True),
                name="template_shipped_version_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.number}"


class NumberingPattern(models.Model):
    """How an agency numbers a document kind, e.g. ``{seq:03d}/BAST/{unit_code}/{year}``."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("document kind"), max_length=40)
    pattern = models.CharField(_("numbering pattern"), max_length=120)

    class Meta:
        verbose_name = _("numbering pattern")
        verbose_name_plural = _("numbering patterns")
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind"], name="numbering_pattern_unique")
        ]

    def __str__(self) -> str:
        return self.pattern


class NumberCounter(models.Model):
    """Per agency, document kind and year, the last sequence number given to a final
    document (gap-free: taken in the transaction of the last signature)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "year"], name="number_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.kind}/{self.year}: {self.last}"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CIRCULATING = "circulating", _("Awaiting initials and signatures")
    RETURNED = "returned", _("Returned to the author")
    FINAL = "final", _("Final")


class Document(models.Model):
    """A letter or minutes of a case, made from its records and the author's answers."""

    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="documents")
    # The step whose output it is and the artifact it fills (empty: made on the case alone,
    # such as a disposition sheet).
    step = models.ForeignKey(
        "cases.CaseStep", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    artifact_key = models.CharField(max_length=100, blank=True)
    kind = models.CharField(_("document kind"), max_length=40)
    # The record it was made from by another module ("quality.run:12": the minutes of test
    # run 12); empty for a document its author drafted.
    source = models.CharField(_("made from"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=300)
    template = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    # What the author gave (the fields the records do not hold).
    fields = models.JSONField(default=dict)
    # Everything the last rendering was made from; embedded in the final PDF.
    data = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    draft_number = models.CharField(_("temporary number"), max_length=60)
    number = models.CharField(_("number"), max_length=120, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    # Opens the public verification page (/verifikasi/<code>); shown there only when final.
    code = models.CharField(max_length=16, unique=True)
    pdf = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    return_note = models.TextField(_("note of the return"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    finalised_at = models.DateTimeField(_("final at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two final documents never share a number.
            models.UniqueConstraint(
                fields=["agency", "kind", "year", "seq"],
                condition=Q(seq__isnull=False),
                name="document_number_unique",
            ),
        ]
        indexes = [models.Index(fields=["pdf_sha256"], name="document_pdf_sha_idx")]

    def __str__(self) -> str:
        return f"{self.number or self.draft_number} {self.title}"


class SignatoryRole(models.TextChoices):
    INITIAL = "initial", _("Initial (paraf)")
    SIGN = "sign", _("Signature")


class SignatoryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


class Signatory(models.Model):
    """One initial or signature a document needs. Lower ``order`` acts first; signatories
    with the same order may act in any order among themselves (a joint signature)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="signatories")
    order = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=10, choices=SignatoryRole.choices)
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    # As printed: "PIHAK PERTAMA", "Mengetahui", ... and the person's position then.
    label = models.CharField(max_length=100, blank=True)
    position_title = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=SignatoryStatus.choices, default=SignatoryStatus.PENDING
    )
    acted_at = models.DateTimeField(null=True, blank=True)
    # The SHA-256 of the exact PDF initialled or signed.
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["document", "order", "id"]
        indexes = [models.Index(fields=["person", "status"], name="signatory_person_idx")]

    def __str__(self) -> str:
        return f"{self.document_id} {self.role} {self.person_id}"
