from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "laksana.catalog"
    label = "catalog"
    verbose_name = _("Application catalogue")
