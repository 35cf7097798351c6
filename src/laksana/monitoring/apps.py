from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "laksana.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        # The application's monitors on its record in the catalogue (laksana.catalog.panels),
        # and the monitoring sheet of the catalogue's spreadsheet (laksana.catalog.sheets).
        from laksana.monitoring import plugin

        plugin.register()
