from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "laksana.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # How references to the records cases keeps (dispositions) are resolved.
        from laksana.cases import artifacts

        artifacts.register_own()
