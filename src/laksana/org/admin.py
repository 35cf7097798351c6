"""Administration of agencies, their units, positions and people, actor bindings and
disposition instructions. The day-to-day binding of actors has its own screen (/organisasi/);
the admin is for setting up an agency."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from laksana.org.models import (
    ActorBinding,
    Agency,
    DispositionInstruction,
    Person,
    Position,
    RoleAssignment,
    Unit,
)


class DispositionInstructionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DispositionInstruction
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "short_name", "slug", "time_zone")
    list_filter = ("time_zone",)
    search_fields = ("name", "short_name", "slug")
    prepopulated_fields = {"slug": ("short_name",)}
    inlines = [DispositionInstructionInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "short_name", "kind", "path", "agency")
    list_filter = ("agency", "kind")
    search_fields = ("name", "short_name", "parent__name")
    list_select_related = ("agency", "parent")
    autocomplete_fields = ("parent",)

    @admin.display(description=_("place in the tree"))
    def path(self, unit: Unit) -> str:
        """The units above, from the top: where the unit sits in its agency's tree."""
        return " › ".join(str(u) for u in reversed(unit.ancestors())) or "—"


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "unit", "superior", "agency")
    list_filter = ("agency",)
    search_fields = ("name", "unit__name")
    list_select_related = ("agency", "unit", "superior")
    autocomplete_fields = ("unit", "superior")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "nip", "unit", "positions_held", "vendor", "user", "agency")
    list_filter = ("agency", "vendor")
    search_fields = ("name", "nip", "email", "user__username", "unit__name")
    list_select_related = ("agency", "unit", "vendor", "user")
    autocomplete_fields = ("unit", "superior", "user")
    filter_horizontal = ("positions",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return super().get_queryset(request).prefetch_related("positions")

    @admin.display(description=_("positions held"))
    def positions_held(self, person: Person) -> str:
        return ", ".join(p.name for p in person.positions.all())


@admin.register(ActorBinding)
class ActorBindingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("procedure_key", "actor_key", "target_display", "agency")
    list_filter = ("agency", "procedure_key")
    search_fields = ("procedure_key", "actor_key", "position__name", "person__name", "unit__name")
    list_select_related = ("agency", "position", "person", "unit")
    autocomplete_fields = ("position", "person", "unit")

    @admin.display(description=_("played by"))
    def target_display(self, binding: ActorBinding) -> str:
        return str(binding.target or "—")


@admin.register(DispositionInstruction)
class DispositionInstructionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("text", "order", "agency")
    list_filter = ("agency",)
    search_fields = ("text",)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Product roles (procedure administrator, ...): a role is held in the person's own
    agency, so the agency is taken from the person."""

    list_display = ("person", "kind", "agency", "granted_at")
    list_filter = ("agency", "kind")
    search_fields = ("person__name", "person__nip")
    autocomplete_fields = ("person",)
    fields = ("person", "kind", "agency", "granted_at")
    readonly_fields = ("agency", "granted_at")

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool
    ) -> None:
        obj.agency_id = obj.person.agency_id
        super().save_model(request, obj, form, change)
