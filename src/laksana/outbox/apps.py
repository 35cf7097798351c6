"""App configuration of the outbox."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """E-mails waiting, sent and failed."""

    name = "laksana.outbox"
    label = "outbox"
    verbose_name = _("Outbox")
