from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyConfig(AppConfig):
    name = "laksana.survey"
    label = "survey"
    verbose_name = _("Satisfaction survey")

    def ready(self) -> None:
        from laksana.survey import plugin

        plugin.register()
