"""Personal API tokens. Only the services in :mod:`laksana.accounts.services` write them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A secret a person gives a program so it can use the API as them.

    The secret is shown once, when the token is issued; only its SHA-256 is stored, so a copy
    of the database gives nobody a usable token. ``prefix`` (the secret's first characters)
    names the token in lists and on the command line without revealing it.
    """

    person = models.ForeignKey(
        "org.Person",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, unique=True)
    # The lookup key of every authenticated request (unique, so indexed).
    hash = models.CharField(_("SHA-256 of the secret"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
