"""The rate limit's counts (:mod:`laksana.web.ratelimit`)."""

from __future__ import annotations

from django.db import models


class RequestCount(models.Model):
    """How many requests without a sign-in one client address made in one minute."""

    address = models.CharField(max_length=45)
    # Minutes since the Unix epoch (UTC).
    minute = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "minute"], name="web_requestcount_once")
        ]
        indexes = [models.Index(fields=["minute"], name="web_requestcount_minute")]

    def __str__(self) -> str:
        return f"{self.address} @ {self.minute}: {self.count}"
