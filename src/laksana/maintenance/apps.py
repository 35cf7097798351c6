from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "laksana.maintenance"
    label = "maintenance"
    verbose_name = _("Maintenance")

    def ready(self) -> None:
        # SOP 000's artifact types (the plan, the criteria, the documentation, the evaluation,
        # the report), the outcomes of rows 3 and 7 read from the plan, the panels.
        from laksana.maintenance import plugin

        plugin.register()
