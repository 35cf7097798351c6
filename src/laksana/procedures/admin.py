"""Published procedure versions in the admin: read-only, because a version never changes
(a revision is published as a new version through :mod:`laksana.procedures.services`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from laksana.procedures.models import ProcedureVersion


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "agency", "procedure_key", "number", "sop_number", "published_at")
    list_filter = ("agency", "procedure_key")
    search_fields = ("title", "procedure_key", "sop_number")
    date_hierarchy = "published_at"
    fields = (
        "agency",
        "procedure_key",
        "number",
        "title",
        "sop_number",
        "published_at",
        "published_by",
        "checksum",
        "source_display",
    )
    readonly_fields = fields

    @admin.display(description=_("source (YAML)"))
    def source_display(self, version: ProcedureVersion) -> SafeString:
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', version.source)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
