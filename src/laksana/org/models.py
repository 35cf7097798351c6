"""Agencies, their units, positions and people, and who plays each actor of a procedure.

A procedure speaks of abstract actors ("Kepala Dinas", "Tim SPBE", "Unit Kerja Pemohon").
An agency binds each of them to a position, a person or a unit of its own (ActorBinding); the
requesting unit and the application's vendor are resolved per case instead.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

nip_validator = RegexValidator(r"^\d{18}$", _("A NIP is 18 digits."))


class TimeZone(models.TextChoices):
    """The three Indonesian time zones."""

    WIB = "Asia/Jakarta", "WIB (UTC+7)"
    WITA = "Asia/Makassar", "WITA (UTC+8)"
    WIT = "Asia/Jayapura", "WIT (UTC+9)"


class Agency(models.Model):
    """A government institution (instansi): the tenant everything else belongs to."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60)
    slug = models.SlugField(_("slug"), unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=40, choices=TimeZone.choices, default=TimeZone.WIB
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class UnitKind(models.TextChoices):
    """What kind of organisational unit a unit is."""

    OFFICE = "office", _("Office (dinas, directorate, centre)")
    DIVISION = "division", _("Division (bidang, sub-directorate)")
    SECTION = "section", _("Section (seksi, sub-division)")
    TEAM = "team", _("Team")
    REQUESTING = "requesting", _("Requesting unit (OPD, technical directorate)")
    VENDOR = "vendor", _("Vendor")
    PUBLIC = "public", _("Outside requesters (the public desk)")


class Unit(models.Model):
    """An organisational unit (unit kerja, OPD, bidang, seksi, tim), in a tree per agency."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def ancestors(self) -> list[Unit]:
        """The units above this one, nearest first."""
        out, unit = [], self.parent
        while unit is not None and unit not in out:
            out.append(unit)
            unit = unit.parent
        return out


class Position(models.Model):
    """A post (jabatan) in a unit: Kepala Dinas, Kabid IAI, Kasie Aplikasi, JFU, ..."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="positions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="positions")
    name = models.CharField(_("name"), max_length=200)
    superior = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="subordinates"
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A staff member, official, requester or vendor employee, with their sign-in account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(_("name"), max_length=200)
    nip = models.CharField(
        _("NIP"),
        max_length=18,
        blank=True,
        validators=[nip_validator],
        help_text=_("Employee id of a civil servant: 18 digits."),
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="members")
    positions = models.ManyToManyField(
        Position, blank=True, related_name="holders", verbose_name=_("positions held")
    )
    superior = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subordinates",
        verbose_name=_("superior"),
    )
    vendor = models.ForeignKey(
        "catalog.Vendor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("vendor"),
        help_text=_("Set for employees of a vendor: they see only cases on their contracts."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["nip"], condition=~Q(nip=""), name="person_nip_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def subordinates_tree(self) -> set[int]:
        """Ids of everyone below this person, directly or indirectly."""
        found: set[int] = set()
        frontier = {self.pk}
        while frontier:
            below = (
                set(Person.objects.filter(superior_id__in=frontier).values_list("pk", flat=True))
                - found
                - {self.pk}
            )
            found |= below
            frontier = below
        return found


class ActorBinding(models.Model):
    """Who plays an abstract actor of a procedure in an agency: a position, person or unit.

    Actors of kind requesting_unit and vendor are not bound here: they are resolved per case.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="bindings")
    procedure_key = models.CharField(_("procedure"), max_length=100)
    actor_key = models.CharField(_("actor"), max_length=100)
    position = models.ForeignKey(Position, on_delete=models.CASCADE, null=True, blank=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Every member of the unit plays the actor (for teams)."),
    )

    class Meta:
        verbose_name = _("actor binding")
        verbose_name_plural = _("actor bindings")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure_key", "actor_key"], name="binding_unique_actor"
            ),
            models.CheckConstraint(
                condition=(
                    Q(position__isnull=False, person__isnull=True, unit__isnull=True)
                    | Q(position__isnull=True, person__isnull=False, unit__isnull=True)
                    | Q(position__isnull=True, person__isnull=True, unit__isnull=False)
                ),
                name="binding_exactly_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_key}/{self.actor_key} → {self.target}"

    @property
    def target(self) -> Position | Person | Unit | None:
        return self.position or self.person or self.unit


class RoleKind(models.TextChoices):
    """The product roles a person may hold in their agency (not Django's ``is_staff``)."""

    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    PROCEDURE_ADMIN = "procedure_admin", _("Procedure administrator")
    CATALOGUE_KEEPER = "catalogue_keeper", _("Catalogue keeper")


class RoleAssignment(models.Model):
    """A product role held by a person in their agency: who may publish the agency's
    procedures, keep its catalogue or administer it. Checked by :mod:`laksana.org.roles`."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="role_assignments")
    kind = models.CharField(_("role"), max_length=30, choices=RoleKind.choices)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["agency", "kind", "person"]
        constraints = [
            models.UniqueConstraint(fields=["person", "agency", "kind"], name="role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_kind_display()} ({self.agency})"


class DispositionInstruction(models.Model):
    """A preset disposition instruction of an agency ("Proses lebih lanjut", ...)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="instructions")
    text = models.CharField(_("instruction"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("disposition instruction")
        verbose_name_plural = _("disposition instructions")
        ordering = ["agency", "order", "text"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "text"], name="instruction_unique")
        ]

    def __str__(self) -> str:
        return self.text


DEFAULT_INSTRUCTIONS = (
    "Tanggapan dan saran",
    "Proses lebih lanjut",
    "Koordinasikan",
    "Untuk diketahui",
    "Siapkan jawaban",
    "Hadiri / wakili",
)


class ChangeAction(models.TextChoices):
    """What an administrator's change did to a record."""

    CREATED = "created", _("created")
    CHANGED = "changed", _("changed")
    REMOVED = "removed", _("removed")


class OrgChange(models.Model):
    """One change an agency's administrator (or an import) made to the agency's organisation:
    which record, who, when, and the record's fields before and after (None when it did not
    exist). Written only by :func:`laksana.org.changes.record`; never changed afterwards."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The name of who made it, kept when the person is removed later.
    by_name = models.CharField(_("by"), max_length=200, blank=True)
    # What kind of record: "unit", "position", "person", "vendor", "instruction", "role",
    # "binding", "public_service", ...
    subject = models.CharField(_("record"), max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(_("name"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=ChangeAction.choices)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    # Where the change came from when not typed in a form: "import: pegawai.xlsx", ...
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("organisation change")
        verbose_name_plural = _("organisation changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["agency", "-at", "-id"], name="orgchange_agency_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.subject} {self.object_repr}: {self.action}"
