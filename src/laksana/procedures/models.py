"""Published procedure versions: the immutable, numbered definitions cases run on."""

from __future__ import annotations

import functools
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from laksana.engine.loader import load_text
from laksana.engine.spec import ProcedureSpec


@functools.lru_cache(maxsize=256)
def _spec_of(checksum: str, source: str, name: str) -> ProcedureSpec:
    # Keyed by the checksum so a version is parsed once per process, however many cases.
    return load_text(source, name)


class ProcedureVersion(models.Model):
    """One published version of a procedure, owned by the agency that published it (a shipped
    SOP is a template an agency adopts as its own copy). Never changed after it is written: a
    revision is a new version, numbered per agency and procedure, and each case keeps the
    version it started on."""

    agency = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        related_name="procedure_versions",
        verbose_name=_("agency"),
    )
    procedure_key = models.CharField(_("procedure"), max_length=100, db_index=True)
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    sop_number = models.CharField(_("SOP number"), max_length=200, blank=True)
    source = models.TextField(_("source (YAML)"))
    checksum = models.CharField(_("SHA-256 of the source"), max_length=64)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["agency", "procedure_key", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure_key", "number"], name="procedure_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("a published procedure version is immutable; publish a new one")
        super().save(*args, **kwargs)

    @functools.cached_property
    def spec(self) -> ProcedureSpec:
        """The checked spec of this version (a version never changes once published)."""
        return _spec_of(self.checksum, self.source, f"{self.procedure_key}@{self.number}")


# Published versions never change (save() refuses): the case services and the API keep the
# ones they have read, keyed by everything that identifies them, so a case's version costs no
# query. (Keyed by more than the id: a test database may give an id to another version.)
_KEPT: dict[tuple[int, str, int, str], ProcedureVersion] = {}


def kept_version(pk: int, checksum: str, number: int, procedure_key: str) -> ProcedureVersion:
    """The version with this id, read once per process (and per checksum)."""
    key = (pk, checksum, number, procedure_key)
    version = _KEPT.get(key)
    if version is None:
        version = ProcedureVersion.objects.get(pk=pk)
        if len(_KEPT) > 1000:
            _KEPT.clear()
        _KEPT[key] = version
    return version


class DraftState(models.TextChoices):
    """Where a draft stands: written, sent for review, published as a version, or withdrawn."""

    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ProcedureDraft(models.Model):
    """A procedure being written or revised by an agency's staff (laksana.procedures.drafts).

    ``source`` is the procedure's YAML, the exchange format, written by the editor's forms
    (canonical YAML) or opened from a file or a Word import. A draft need not check clean;
    it is published, as the agency's next version of ``procedure_key``, only after review."""

    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="procedure_drafts"
    )
    procedure_key = models.CharField(_("procedure"), max_length=100, db_index=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    source = models.TextField(_("source (YAML)"))
    state = models.CharField(
        _("state"), max_length=20, choices=DraftState.choices, default=DraftState.DRAFT
    )
    # The published version the draft revises (None: a new procedure).
    base_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Where the text came from: "editor", "yaml", "docx", "version".
    origin = models.CharField(_("origin"), max_length=20, default="editor")
    # Items a Word import could not decide, each {"where": ..., "text": ..., "confirmed": bool}.
    to_confirm = models.JSONField(default=list, blank=True)
    revision = models.PositiveIntegerField(default=0)  # incremented on every save
    created_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    updated_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"))
    submitted_by = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("procedure draft")
        verbose_name_plural = _("procedure drafts")
        ordering = ["agency", "-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title or self.procedure_key


class ProcedureEventKind(models.TextChoices):
    CREATED = "created", _("Draft created")
    SAVED = "saved", _("Draft saved")
    SUBMITTED = "submitted", _("Sent for review")
    RETURNED = "returned", _("Returned to its authors")
    APPROVED = "approved", _("Approved and published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProcedureEvent(models.Model):
    """The journal of an agency's procedure drafts: append-only and hash-chained per agency
    (``hash`` covers the agency, seq, kind, draft, who, when, data and the previous hash), so
    who approved which version and when cannot be changed afterwards."""

    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    draft = models.ForeignKey(ProcedureDraft, on_delete=models.PROTECT, related_name="events")
    procedure_key = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=ProcedureEventKind.choices)
    by = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("procedure journal entry")
        verbose_name_plural = _("procedure journal entries")
        ordering = ["agency", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "seq"], name="procedure_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}#{self.seq} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("procedure journal entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("procedure journal entries are append-only")


class PendingImport(models.Model):
    """A Word document read by the import screen, waiting for its author to confirm what the
    import could not decide before it becomes a draft; removed when saved or after a day."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    file_name = models.CharField(max_length=255)
    source = models.TextField()  # the YAML the import wrote
    to_confirm = models.JSONField(default=list)
    table = models.JSONField(default=list)  # the source's flowchart table, rows of cell texts

    def __str__(self) -> str:
        return self.file_name
