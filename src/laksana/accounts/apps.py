"""App configuration of the accounts app."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Personal API tokens and their command line."""

    name = "laksana.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
