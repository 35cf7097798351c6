from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "laksana.evaluation"
    label = "evaluation"
    verbose_name = _("Application evaluation")

    def ready(self) -> None:
        from laksana.evaluation import plugin

        plugin.register()
