from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "laksana.documents"
    label = "documents"
    verbose_name = _("Official documents")

    def ready(self) -> None:
        # The document kinds' artifact types: a step whose output is one of them takes the
        # reference of a final document of the case (laksana.documents.plugin).
        from laksana.cases.panels import register_panel
        from laksana.documents import plugin, views

        plugin.register()
        # The case page's panel of the case's documents (laksana.cases.panels).
        register_panel("documents", views.case_panel)
