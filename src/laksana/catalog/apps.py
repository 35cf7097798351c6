from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "laksana.catalog"
    label = "catalog"
    verbose_name = _("Application catalogue")

    def ready(self) -> None:
        # The catalogue's artifact types take structured values from here on (proposals,
        # work programme entries, deployments, data deletion minutes).
        from laksana.catalog import artifacts, stepforms

        artifacts.register()
        # The forms a step's page shows to produce those values.
        stepforms.register_forms()
