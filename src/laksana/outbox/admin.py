"""The outbox in Django's admin, read-only: what the services wrote is changed only by the
worker (sending again is a button of the outbox screen, /kotak-keluar/)."""

from __future__ import annotations

from django.contrib import admin

from laksana.cases.admin import ReadOnlyMixin
from laksana.outbox.models import Message


@admin.register(Message)
class MessageAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "to", "subject", "status", "attempts", "next_attempt_at")
    list_filter = ("status", "agency")
    search_fields = ("to", "subject", "last_error")
    date_hierarchy = "created_at"
