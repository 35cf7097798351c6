"""App configuration of the reports app."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Compliance with the time standards (/laporan/) and the overdue steps dashboard."""

    name = "laksana.reports"
    label = "reports"
    verbose_name = _("Reports")
