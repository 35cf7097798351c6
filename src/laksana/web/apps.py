"""App configuration of the web interface shell."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The shared look of every screen: base template, CSS, home page."""

    name = "laksana.web"
    label = "web"
    verbose_name = _("Web interface")
