from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "laksana.catalog"
    label = "catalog"
    verbose_name = _("Application catalogue")

    def ready(self) -> None:
        # The catalogue's artifact types (proposals, work programme entries, deployments, data
        # deletion minutes), each declared once: the checks of its fields, the form a step's
        # page shows to produce it, and what a produced value writes into the catalogue, in
        # the completing transaction.
        from laksana.cases.artifacts import declare, follow_completions
        from laksana.catalog import artifacts, lifecycle, stepforms

        for name in artifacts.CHECKS:
            declare(
                name,
                check=artifacts.validator(name),
                form=stepforms.FORMS.get(name),
                on_complete=lifecycle.effect_of(name) if name in lifecycle.EFFECTS else None,
            )
        # The stage rules follow the cases about an application (and the ends they reach).
        follow_completions(
            "catalog.lifecycle",
            lifecycle.on_step_completed,
            applies=lambda case: case.application_id is not None,
        )
