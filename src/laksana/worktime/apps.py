"""App configuration of the worktime app."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    """Agencies' working calendars and due times; ``laksana worktime`` on the command line."""

    name = "laksana.worktime"
    label = "worktime"
    verbose_name = _("Working time")
