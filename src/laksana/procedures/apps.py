"""App configuration of the procedures app."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    """Procedure definitions (SOPs), their official documents and their command line."""

    name = "laksana.procedures"
    label = "procedures"
    verbose_name = _("Procedures")
