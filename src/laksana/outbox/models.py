"""One row per e-mail to one recipient (:mod:`laksana.outbox.services`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """An e-mail: waiting to be sent (again), sent, or given up after its last attempt."""

    agency = models.ForeignKey(
        "org.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    # When a waiting message is due; while an attempt runs, the end of its lease.
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_message_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["agency", "-created_at"], name="outbox_message_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject} ({self.status})"
