"""An agency administrator's disposition presets (org.DispositionInstruction).

The presets are only offered when a disposition is written: a disposition keeps its own copy
of the instruction's text (:mod:`laksana.cases.dispositions`), so editing or removing a preset
never changes a disposition already sent. Every write is recorded (subject "instruction").
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from laksana.org.changes import record, snapshot
from laksana.org.models import Agency, ChangeAction, DispositionInstruction, Person
from laksana.org.vendors_admin import AdminError
from laksana.web.params import record_id

FIELDS = ("text", "order")
_LIMIT = 200


def presets(agency: Agency) -> list[DispositionInstruction]:
    return list(DispositionInstruction.objects.filter(agency=agency).order_by("order", "text"))


def _preset(agency: Agency, preset_id: object) -> DispositionInstruction:
    pk = record_id(preset_id)
    found = DispositionInstruction.objects.filter(pk=pk, agency=agency).first() if pk else None
    if found is None:
        raise AdminError("instruction", _("%(agency)s has no such preset.") % {"agency": agency})
    return found


def _text(agency: Agency, text: str, but: DispositionInstruction | None = None) -> str:
    value = " ".join(text.split())
    if not value:
        raise AdminError("text", _("Write the instruction."))
    if len(value) > _LIMIT:
        raise AdminError("text", _("At most %(n)d characters.") % {"n": _LIMIT})
    same = DispositionInstruction.objects.filter(agency=agency, text__iexact=value)
    if but is not None:
        same = same.exclude(pk=but.pk)
    if same.exists():
        raise AdminError("text", _("That instruction is already in the list."))
    return value


def _renumber(agency: Agency, by: Person | None, ordered: list[DispositionInstruction]) -> None:
    for index, preset in enumerate(ordered):
        if preset.order != index:
            before = snapshot(preset, FIELDS)
            preset.order = index
            preset.save(update_fields=["order"])
            record(
                agency,
                by,
                "instruction",
                preset,
                ChangeAction.CHANGED,
                before,
                snapshot(preset, FIELDS),
            )


@transaction.atomic
def add_preset(agency: Agency, by: Person | None, text: str) -> DispositionInstruction:
    value = _text(agency, text)
    last = DispositionInstruction.objects.filter(agency=agency).order_by("-order").first()
    preset = DispositionInstruction.objects.create(
        agency=agency, text=value, order=(last.order + 1) if last else 0
    )
    record(agency, by, "instruction", preset, ChangeAction.CREATED, None, snapshot(preset, FIELDS))
    return preset


@transaction.atomic
def edit_preset(
    agency: Agency, by: Person | None, preset_id: object, text: str
) -> DispositionInstruction:
    preset = _preset(agency, preset_id)
    value = _text(agency, text, but=preset)
    before = snapshot(preset, FIELDS)
    preset.text = value
    preset.save(update_fields=["text"])
    record(
        agency, by, "instruction", preset, ChangeAction.CHANGED, before, snapshot(preset, FIELDS)
    )
    return preset


@transaction.atomic
def move_preset(agency: Agency, by: Person | None, preset_id: object, direction: str) -> None:
    """Move a preset one place up or down the list."""
    preset = _preset(agency, preset_id)
    if direction not in ("up", "down"):
        raise AdminError("direction", _("Move the instruction up or down."))
    ordered = list(
        DispositionInstruction.objects.select_for_update()
        .filter(agency=agency)
        .order_by("order", "text")
    )
    index = next(i for i, p in enumerate(ordered) if p.pk == preset.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    _renumber(agency, by, ordered)


@transaction.atomic
def remove_preset(agency: Agency, by: Person | None, preset_id: object) -> None:
    """Remove a preset; the dispositions that used its text keep their own copy."""
    preset = _preset(agency, preset_id)
    record(agency, by, "instruction", preset, ChangeAction.REMOVED, snapshot(preset, FIELDS), None)
    preset.delete()
