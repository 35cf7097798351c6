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
    """One published version of a procedure. Never changed after it is written: a revision is
    a new version, and each case keeps the version it started on."""

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
        ordering = ["procedure_key", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure_key", "number"], name="procedure_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("a published procedure version is immutable; publish a new one")
        super().save(*args, **kwargs)

    @property
    def spec(self) -> ProcedureSpec:
        """The checked spec of this version."""
        return _spec_of(self.checksum, self.source, f"{self.procedure_key}@{self.number}")
