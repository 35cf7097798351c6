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
