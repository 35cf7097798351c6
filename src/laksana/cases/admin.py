"""Cases in the admin, read-only: every write goes through :mod:`laksana.cases.services`,
which keeps the engine state, the step rows and the hash-chained journal in step. An edit
here would break the journal chain, so the admin only shows and searches."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from laksana.cases.models import Attachment, Case, CaseStep, Disposition, JournalEntry


class ReadOnlyMixin:
    """No adding, changing or deleting: the admin shows what the services wrote."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseStepInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = CaseStep
    fields = ("step_key", "visit", "actor_key", "status", "activated_at", "completed_by")
    readonly_fields = fields
    extra = 0


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "reference",
        "title",
        "status",
        "end_key",
        "requesting_unit",
        "application",
        "opened_at",
        "agency",
    )
    list_filter = ("status", "agency", "version__procedure_key")
    search_fields = ("reference", "title", "search_text", "opened_by__name")
    list_select_related = ("agency", "requesting_unit", "application")
    date_hierarchy = "opened_at"
    inlines = [CaseStepInline]


@admin.register(CaseStep)
class CaseStepAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "case",
        "step_key",
        "visit",
        "actor_key",
        "status",
        "claimed_by",
        "completed_by",
        "activated_at",
        "completed_at",
    )
    list_filter = ("status", "case__agency", "case__version__procedure_key")
    search_fields = ("case__reference", "step_key", "actor_key", "completed_by__name")
    list_select_related = ("case", "claimed_by", "completed_by")


@admin.register(Disposition)
class DispositionAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "case",
        "sender",
        "recipient",
        "instruction",
        "urgency",
        "status",
        "deadline",
        "created_at",
    )
    list_filter = ("status", "urgency", "case__agency")
    search_fields = ("case__reference", "instruction", "note", "sender__name", "recipient__name")
    list_select_related = ("case", "sender", "recipient")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "original_name",
        "case",
        "artifact_key",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("content_type", "case__agency")
    search_fields = ("original_name", "case__reference", "artifact_key", "sha256")
    list_select_related = ("case", "uploaded_by")
    # Files are served only through the case screens, which check who may see them; the
    # admin shows where a file is stored, not a public link to it.
    exclude = ("file", "thumbnail")
    readonly_fields = ("stored_as",)

    @admin.display(description=_("stored as"))
    def stored_as(self, attachment: Attachment) -> str:
        return attachment.file.name or ""


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("case", "seq", "kind", "actor_name", "at")
    list_filter = ("kind", "case__agency")
    search_fields = ("case__reference", "actor_name", "hash")
    list_select_related = ("case",)
