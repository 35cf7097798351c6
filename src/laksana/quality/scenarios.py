"""Scenario sets: writing them, and keeping every state they had.

A scenario set belongs to one application of one agency; only the agency's catalogue keepers
(:func:`laksana.catalog.services.may_keep`) write it. Every change (a new set, a scenario
added, edited or removed, the whole list replaced, the set's name, version or description
changed) makes a new :class:`~laksana.quality.models.ScenarioSetRevision` holding the whole
set as it then was (a list of mappings with :data:`~laksana.quality.models.SCENARIO_FIELDS`)
and sets ``set.revision`` to its number. An earlier revision is never changed: a run keeps the
revision it tested.

Rules, whichever door the input comes through (screen, API, spreadsheet): a scenario's number
is unique within its set; its title, steps and expected result are required; its priority is
one of :class:`~laksana.quality.models.Priority` (value or name, any case); no text is longer
than its column. An archived set is not changed (unarchive it first). An application or a set
of another agency is answered as not found.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from laksana.catalog import services as catalog_services
from laksana.catalog.models import Application
from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person
from laksana.quality.models import (
    SCENARIO_FIELDS,
    Priority,
    Scenario,
    ScenarioSet,
    ScenarioSetRevision,
    SetKind,
)

# The longest text of each field (the columns' lengths; long texts are bounded too).
MAX_LENGTH = {
    "number": 30,
    "title": 300,
    "requirement": 300,
    "preconditions": 5000,
    "steps": 10000,
    "input_data": 5000,
    "expected": 5000,
    "priority": 10,
}
REQUIRED = ("number", "title", "steps", "expected")
# Control characters (NUL and the others but tab and line breaks): no database column or
# spreadsheet cell holds them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_SCENARIOS = 2000
SET_MAX_LENGTH = {"name": 200, "app_version": 60, "description": 5000}


@dataclass(frozen=True)
class ScenarioInput:
    """One scenario as given by a form, the API or a spreadsheet row."""

    number: str
    title: str
    requirement: str = ""
    preconditions: str = ""
    steps: str = ""
    input_data: str = ""
    expected: str = ""
    priority: str = Priority.MEDIUM


class InvalidScenarios(ServiceError):
    """Input refused, with every problem: ``errors`` maps a field to its messages (for
    forms), ``items`` lists them all as sentences."""

    def __init__(self, errors: Mapping[str, list[str]], items: Sequence[str]) -> None:
        first_field = next(iter(errors), None)
        first = errors[first_field][0] if first_field else _("The input is not valid.")
        super().__init__("invalid", first, field=first_field, items=items)
        self.errors = dict(errors)


def control_refused() -> str:
    """The refusal of a text holding a control character."""
    return _("The text holds a control character (such as NUL), which cannot be stored.")


def label_of(field: str) -> str:
    """The name of a scenario's field as people read it."""
    labels = {
        "number": _("Scenario number"),
        "title": _("Scenario title"),
        "requirement": _("Requirement or function tested"),
        "preconditions": _("Preconditions"),
        "steps": _("Test steps"),
        "input_data": _("Input data"),
        "expected": _("Expected result"),
        "priority": _("Priority"),
    }
    return labels.get(field, field)


# --- checking input ----------------------------------------------------------------------------


def priority_of(value: Any) -> str | None:
    """The :class:`Priority` value of ``value`` (its value or its English or Indonesian name,
    any case; empty: medium), or None when it is none of them."""
    text = " ".join(str(value or "").split()).casefold()
    if not text:
        return str(Priority.MEDIUM)
    names = {
        "high": Priority.HIGH,
        "medium": Priority.MEDIUM,
        "low": Priority.LOW,
        "tinggi": Priority.HIGH,
        "sedang": Priority.MEDIUM,
        "rendah": Priority.LOW,
    }
    for choice in Priority:
        names[str(choice.label).casefold()] = choice
    found = names.get(text)
    return str(found) if found is not None else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def cleaned(data: ScenarioInput | Mapping[str, Any]) -> dict[str, str]:
    """The scenario's texts, trimmed, with every field of :data:`SCENARIO_FIELDS` (the
    priority not yet checked)."""
    given: Mapping[str, Any] = asdict(data) if isinstance(data, ScenarioInput) else data
    return {f: _text(given.get(f)) for f in SCENARIO_FIELDS}


def problems_of(values: Mapping[str, str]) -> list[tuple[str, str]]:
    """Every problem of one cleaned scenario, as (field, message); the priority must be a
    :class:`Priority` value or name."""
    found: list[tuple[str, str]] = []
    for field in SCENARIO_FIELDS:
        value = values.get(field, "")
        if field in REQUIRED and not value:
            found.append((field, _("%(field)s is required.") % {"field": label_of(field)}))
        elif CONTROL.search(value):
            found.append((field, control_refused()))
        elif field == "priority":
            if priority_of(value) is None:
                found.append(
                    (
                        field,
                        _("%(value)s is not a priority; write Tinggi, Sedang or Rendah.")
                        % {"value": value[:40]},
                    )
                )
        elif len(value) > MAX_LENGTH[field]:
            found.append(
                (
                    field,
                    _("%(field)s is too long: %(length)s characters, at most %(limit)s.")
                    % {"field": label_of(field), "length": len(value), "limit": MAX_LENGTH[field]},
                )
            )
    return found


def _validated(data: ScenarioInput | Mapping[str, Any]) -> dict[str, str]:
    values = cleaned(data)
    found = problems_of(values)
    if found:
        errors: dict[str, list[str]] = {}
        for field, message in found:
            errors.setdefault(field, []).append(message)
        raise InvalidScenarios(errors, [f"{label_of(f)}: {m}" for f, m in found])
    values["priority"] = priority_of(values["priority"]) or str(Priority.MEDIUM)
    return values


def _validated_all(rows: Sequence[ScenarioInput | Mapping[str, Any]]) -> list[dict[str, str]]:
    """All rows checked; every problem named by the row's place ("Scenario 3")."""
    if len(rows) > MAX_SCENARIOS:
        raise ServiceError(
            "invalid",
            _("A set holds at most %(limit)s scenarios.") % {"limit": MAX_SCENARIOS},
            field="scenarios",
        )
    out: list[dict[str, str]] = []
    items: list[str] = []
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for place, row in enumerate(rows, start=1):
        values = cleaned(row)
        found = problems_of(values)
        number = values["number"]
        key = number.casefold()
        if number and key in seen:
            found.append(
                (
                    "number",
                    _("Number %(number)s is already used by scenario %(other)s.")
                    % {"number": number, "other": seen[key]},
                )
            )
        elif number:
            seen[key] = place
        for field, message in found:
            errors.setdefault(field, []).append(message)
            items.append(
                _("Scenario %(place)s, %(field)s: %(problem)s")
                % {"place": place, "field": label_of(field), "problem": message}
            )
        values["priority"] = priority_of(values["priority"]) or str(Priority.MEDIUM)
        out.append(values)
    if items:
        raise InvalidScenarios(errors, items)
    return out


def _set_text(field: str, value: str, *, required: bool = False) -> str:
    text = _text(value)
    labels = {
        "name": _("Name"),
        "app_version": _("Application version"),
        "description": _("Description"),
    }
    problem = ""
    if required and not text:
        problem = _("%(field)s is required.") % {"field": labels[field]}
    elif CONTROL.search(text):
        problem = control_refused()
    elif len(text) > SET_MAX_LENGTH[field]:
        problem = _("%(field)s is too long: %(length)s characters, at most %(limit)s.") % {
            "field": labels[field],
            "length": len(text),
            "limit": SET_MAX_LENGTH[field],
        }
    if problem:
        raise InvalidScenarios({field: [problem]}, [problem])
    return text


# --- who may do what ---------------------------------------------------------------------------


def may_write_sets(person: Person | None, agency_id: int) -> bool:
    """Whether ``person`` writes the scenario sets of the agency: its catalogue keepers
    (None: the operator)."""
    return catalog_services.may_keep(person, agency_id)


def _not_found_set() -> ServiceError:
    return ServiceError("not_found", _("There is no such scenario set."))


def _foreign(person: Person | None, agency_id: int) -> bool:
    """Whether the agency's records are not the person's to see (another agency, a vendor)."""
    return person is not None and (person.agency_id != agency_id or person.vendor_id is not None)


def writable_set(person: Person | None, set_id: int, *, lock: bool = False) -> ScenarioSet:
    """The set ``person`` may write (locked until the transaction ends when ``lock``): not
    found for another agency's, refused for a member who is not a keeper or an archived set."""
    qs = ScenarioSet.objects.select_related("application")
    if lock:
        qs = qs.select_for_update()
    found = qs.filter(pk=set_id).first()
    if found is None or _foreign(person, found.agency_id):
        raise _not_found_set()
    if not may_write_sets(person, found.agency_id):
        raise NotAllowed(_("Only the IT unit's staff write scenario sets."))
    return found


def _open_set(person: Person | None, set_id: int) -> ScenarioSet:
    found = writable_set(person, set_id, lock=True)
    if found.archived:
        raise ServiceError(
            "archived",
            _("%(name)s is archived; restore it before changing it.") % {"name": found.name},
        )
    return found


def writable_application(person: Person | None, application_id: int) -> Application:
    """An application of the person's agency whose sets the person may write."""
    app = Application.objects.filter(pk=application_id).first()
    if app is None or _foreign(person, app.agency_id):
        raise ServiceError("not_found", _("There is no such application."), field="application")
    if not may_write_sets(person, app.agency_id):
        raise NotAllowed(_("Only the IT unit's staff write scenario sets."))
    return app


# --- revisions ---------------------------------------------------------------------------------


def snapshot(scenario_set: ScenarioSet) -> list[dict[str, str]]:
    """The set's scenarios now, in order, as a revision holds them."""
    return [
        {f: getattr(s, f) for f in SCENARIO_FIELDS}
        for s in scenario_set.scenarios.order_by("position", "pk")
    ]


def noted(message: str, **values: str) -> str:
    """A revision's note in the product's language (Indonesian), whoever made the change:
    notes are records, read by everyone of the agency."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(message)
        return text % values if values else text


def _revise(
    scenario_set: ScenarioSet, person: Person | None, note: str, at: dt.datetime
) -> ScenarioSetRevision:
    number = scenario_set.revision + 1
    revision = ScenarioSetRevision.objects.create(
        set=scenario_set,
        number=number,
        scenarios=snapshot(scenario_set),
        note=note[:300],
        by=person,
        at=at,
    )
    scenario_set.revision = number
    scenario_set.updated_at = at
    scenario_set.save(update_fields=["revision", "updated_at"])
    return revision


def revision_of(scenario_set: ScenarioSet, number: int | None = None) -> ScenarioSetRevision | None:
    """The set's revision ``number`` (the latest when None), or None."""
    revisions = ScenarioSetRevision.objects.filter(set=scenario_set)
    if number is None:
        return revisions.order_by("-number").first()
    return revisions.filter(number=number).first()


def _write_scenarios(scenario_set: ScenarioSet, rows: Sequence[Mapping[str, str]]) -> None:
    Scenario.objects.bulk_create(
        Scenario(set=scenario_set, position=i, **{f: row[f] for f in SCENARIO_FIELDS})
        for i, row in enumerate(rows, start=1)
    )


# --- the services ------------------------------------------------------------------------------


def create_set(
    person: Person | None,
    application_id: int,
    *,
    name: str,
    app_version: str = "",
    kind: str = SetKind.FUNCTIONAL,
    description: str = "",
    scenarios: Sequence[ScenarioInput | Mapping[str, Any]] = (),
    at: dt.datetime | None = None,
) -> ScenarioSet:
    """A new scenario set of an application of the person's agency, with its first revision
    (holding ``scenarios``, checked all together)."""
    at = at or timezone.now()
    app = writable_application(person, application_id)
    values = {
        "name": _set_text("name", name, required=True),
        "app_version": _set_text("app_version", app_version),
        "description": _set_text("description", description),
    }
    if kind not in SetKind.values:
        problem = _("%(value)s is not a kind of scenario set.") % {"value": str(kind)[:40]}
        raise InvalidScenarios({"kind": [problem]}, [problem])
    rows = _validated_all(scenarios)
    with transaction.atomic():
        scenario_set = ScenarioSet.objects.create(
            agency_id=app.agency_id,
            application=app,
            kind=kind,
            created_by=person,
            created_at=at,
            updated_at=at,
            **values,
        )
        _write_scenarios(scenario_set, rows)
        _revise(scenario_set, person, noted(gettext_noop("Set created")), at)
    return scenario_set


def update_set(
    person: Person | None,
    set_id: int,
    *,
    name: str | None = None,
    app_version: str | None = None,
    description: str | None = None,
    archived: bool | None = None,
    at: dt.datetime | None = None,
) -> ScenarioSet:
    """Change a set's name, application version or description (a new revision), or archive
    or restore it. An archived set changes only by being restored."""
    at = at or timezone.now()
    with transaction.atomic():
        scenario_set = writable_set(person, set_id, lock=True)
        changes = {
            field: _set_text(field, value, required=field == "name")
            for field, value in (
                ("name", name),
                ("app_version", app_version),
                ("description", description),
            )
            if value is not None
        }
        changes = {k: v for k, v in changes.items() if getattr(scenario_set, k) != v}
        restoring = archived is False and scenario_set.archived
        if scenario_set.archived and not restoring and (changes or archived):
            raise ServiceError(
                "archived",
                _("%(name)s is archived; restore it before changing it.")
                % {"name": scenario_set.name},
            )
        for field, value in changes.items():
            setattr(scenario_set, field, value)
        fields = list(changes)
        if archived is not None and archived != scenario_set.archived:
            scenario_set.archived = archived
            fields.append("archived")
        if fields:
            scenario_set.updated_at = at
            scenario_set.save(update_fields=[*fields, "updated_at"])
        if changes:
            note = noted(gettext_noop("Set details changed"))
            if "app_version" in changes:
                note = noted(
                    gettext_noop("Application version changed to %(version)s"),
                    version=changes["app_version"] or "-",
                )
            _revise(scenario_set, person, note, at)
    return scenario_set


def _number_taken(scenario_set: ScenarioSet, number: str, exclude_id: int | None) -> bool:
    others = Scenario.objects.filter(set=scenario_set, number__iexact=number)
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    return others.exists()


def save_scenario(
    person: Person | None,
    set_id: int,
    data: ScenarioInput | Mapping[str, Any],
    *,
    scenario_id: int | None = None,
    at: dt.datetime | None = None,
) -> Scenario:
    """Add a scenario at the end of the set (``scenario_id`` None) or change one of it; a new
    revision either way."""
    at = at or timezone.now()
    with transaction.atomic():
        scenario_set = _open_set(person, set_id)
        values = _validated(data)
        scenario: Scenario | None = None
        if scenario_id is not None:
            scenario = Scenario.objects.filter(pk=scenario_id, set=scenario_set).first()
            if scenario is None:
                raise ServiceError("not_found", _("There is no such scenario."))
        if _number_taken(scenario_set, values["number"], scenario_id):
            problem = _("Number %(number)s is already used in this set.") % {
                "number": values["number"]
            }
            raise InvalidScenarios({"number": [problem]}, [problem])
        if scenario is None:
            if scenario_set.scenarios.count() >= MAX_SCENARIOS:
                raise ServiceError(
                    "invalid",
                    _("A set holds at most %(limit)s scenarios.") % {"limit": MAX_SCENARIOS},
                )
            last = scenario_set.scenarios.aggregate(last=Max("position"))["last"] or 0
            scenario = Scenario.objects.create(set=scenario_set, position=last + 1, **values)
            note = noted(gettext_noop("Scenario %(number)s added"), number=values["number"])
        else:
            for field, value in values.items():
                setattr(scenario, field, value)
            scenario.save()
            note = noted(gettext_noop("Scenario %(number)s changed"), number=values["number"])
        _revise(scenario_set, person, note, at)
    return scenario


def remove_scenario(
    person: Person | None, scenario_id: int, *, at: dt.datetime | None = None
) -> None:
    """Remove a scenario from its set (a new revision; earlier ones keep it)."""
    at = at or timezone.now()
    with transaction.atomic():
        set_id = Scenario.objects.filter(pk=scenario_id).values_list("set_id", flat=True).first()
        if set_id is None:
            raise ServiceError("not_found", _("There is no such scenario."))
        try:
            scenario_set = _open_set(person, set_id)
        except ServiceError as exc:
            if exc.code == "not_found":
                raise ServiceError("not_found", _("There is no such scenario.")) from exc
            raise
        scenario = Scenario.objects.filter(pk=scenario_id, set=scenario_set).first()
        if scenario is None:
            raise ServiceError("not_found", _("There is no such scenario."))
        number = scenario.number
        scenario.delete()
        _revise(
            scenario_set,
            person,
            noted(gettext_noop("Scenario %(number)s removed"), number=number),
            at,
        )


def replace_scenarios(
    person: Person | None,
    set_id: int,
    rows: Sequence[ScenarioInput | Mapping[str, Any]],
    *,
    note: str = "",
    at: dt.datetime | None = None,
) -> ScenarioSetRevision:
    """Put ``rows`` in place of all the set's scenarios (checked all together: all or none)."""
    at = at or timezone.now()
    with transaction.atomic():
        scenario_set = _open_set(person, set_id)
        values = _validated_all(rows)
        scenario_set.scenarios.all().delete()
        _write_scenarios(scenario_set, values)
        return _revise(scenario_set, person, note or noted(gettext_noop("Scenarios replaced")), at)
