"""Administration of the application catalogue, for looking things up. Stage changes and data
deletions are append-only and shown read-only; catalogue changes belong to the services (the
catalogue screens, the API, ``laksana catalog import``), which journal them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from laksana.catalog.models import (
    Application,
    Contract,
    DataDeletion,
    Document,
    Environment,
    Risk,
    StageChange,
    Vendor,
    WorkProgramme,
    WorkProgrammeEntry,
)


class ContractInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Contract
    extra = 0
    autocomplete_fields = ("vendor",)


class EnvironmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Environment
    extra = 0


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StageChangeInline(ReadOnlyInline):
    model = StageChange
    fields = ("at", "old_stage", "new_stage", "reason", "case", "by_name")
    readonly_fields = fields


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "agency")
    list_filter = ("agency",)
    search_fields = ("name",)
    list_select_related = ("agency",)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "short_name", "stage", "owner_unit", "agency")
    list_filter = ("agency", "stage", "scope", "service_kind")
    search_fields = ("name", "short_name")
    list_select_related = ("agency", "owner_unit")
    autocomplete_fields = ("owner_unit", "managing_unit", "developer_unit", "developer_vendor")
    filter_horizontal = ("user_units",)
    readonly_fields = ("stage",)
    inlines = [EnvironmentInline, ContractInline, StageChangeInline]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("number", "application", "vendor", "value", "starts_on", "ends_on")
    list_filter = ("vendor", "application__agency")
    search_fields = ("number", "application__name", "application__short_name", "vendor__name")
    list_select_related = ("application", "vendor")
    autocomplete_fields = ("application", "vendor")
    date_hierarchy = "starts_on"


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "kind", "application", "uploaded_at")
    list_filter = ("kind",)
    search_fields = ("title", "application__name")
    list_select_related = ("application",)
    readonly_fields = ("file", "original_name", "content_type", "size", "sha256", "uploaded_at")


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("description", "application", "likelihood", "impact", "status")
    list_filter = ("status",)
    search_fields = ("description", "application__name")
    list_select_related = ("application",)


class WorkProgrammeEntryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = WorkProgrammeEntry
    extra = 0
    autocomplete_fields = ("application",)
    raw_id_fields = ("case",)


@admin.register(WorkProgramme)
class WorkProgrammeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "agency")
    list_filter = ("agency",)
    inlines = [WorkProgrammeEntryInline]


class AppendOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StageChange)
class StageChangeAdmin(AppendOnlyAdmin):
    list_display = ("application", "old_stage", "new_stage", "at", "by_name")
    list_filter = ("new_stage",)
    search_fields = ("application__name", "reason")
    list_select_related = ("application",)


@admin.register(DataDeletion)
class DataDeletionAdmin(AppendOnlyAdmin):
    list_display = ("application", "data", "executed_on", "executed_by", "witness")
    search_fields = ("application__name", "data")
    list_select_related = ("application",)
