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
        # The catalogue follows the cases about an application (stage changes, work programme,
        # risks, environments, deletion records), in the completing transaction.
        from laksana.cases.artifacts import follow_completions
        from laksana.catalog import lifecycle

        follow_completions(
            "catalog.lifecycle",
            lifecycle.on_step_completed,
            applies=lambda case: case.application_id is not None,
        )
