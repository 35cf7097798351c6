"""Administration of the application catalogue: vendors, applications and their contracts."""

from __future__ import annotations

from django.contrib import admin

from laksana.catalog.models import Application, Contract, Vendor


class ContractInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Contract
    extra = 0
    autocomplete_fields = ("vendor",)


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "agency")
    list_filter = ("agency",)
    search_fields = ("name",)
    list_select_related = ("agency",)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "short_name", "owner_unit", "agency")
    list_filter = ("agency",)
    search_fields = ("name", "short_name")
    list_select_related = ("agency", "owner_unit")
    autocomplete_fields = ("owner_unit",)
    inlines = [ContractInline]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("number", "application", "vendor", "starts_on", "ends_on")
    list_filter = ("vendor", "application__agency")
    search_fields = ("number", "application__name", "application__short_name", "vendor__name")
    list_select_related = ("application", "vendor")
    autocomplete_fields = ("application", "vendor")
    date_hierarchy = "starts_on"
