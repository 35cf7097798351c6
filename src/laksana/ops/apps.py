from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operating Laksana: backup and restore; SQLite's upkeep (laksana.ops.upkeep)."""

    name = "laksana.ops"
    label = "ops"
    verbose_name = _("Operations")
