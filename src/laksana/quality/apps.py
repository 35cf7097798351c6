from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "laksana.quality"
    label = "quality"
    verbose_name = _("Testing")

    def ready(self) -> None:
        # The artifact types the testing module owns (quality.test_scenarios,
        # security.test_report), the result read from SIT/UAT minutes for SOP 002's row 9,
        # and the case page's panel of the case's test runs (laksana.quality.plugin).
        from laksana.cases.panels import register_panel
        from laksana.quality import plugin, views_runs

        plugin.register()
        register_panel("testing", views_runs.case_panel)
        # The application's sets, runs and findings on its record in the catalogue.
        from laksana.catalog.panels import register_panel as register_application_panel
        from laksana.quality.app_panel import application_panel

        register_application_panel("testing", application_panel)
