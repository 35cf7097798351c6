"""The application catalogue: the applications cases are about, their vendors and contracts.

This is the part the cases need (which vendor holds a contract for which application); the
full lifecycle record (environments, documents, stages) grows on it.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Vendor(models.Model):
    """A contracted third party (vendor, pihak ketiga)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="vendors")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """An application the IT unit is responsible for."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="applications")
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    owner_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner unit"),
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def current_vendor(self, on: dt.date | None = None) -> Vendor | None:
        """The vendor whose contract covers the date (today by default), if any."""
        on = on or dt.date.today()
        contract = (
            self.contracts.filter(Q(starts_on__lte=on) | Q(starts_on__isnull=True))
            .filter(Q(ends_on__gte=on) | Q(ends_on__isnull=True))
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
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.number
