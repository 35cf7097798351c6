"""Importing an agency's staff from a personnel system's (SIMPEG's) export: every row a person
by NIP, in a unit, holding a position, below a superior.

:func:`check` reads the file (:mod:`laksana.org.staffsheet`) and checks every row against the
agency, collecting EVERY problem by row and column, and returns a :class:`Plan`: who is
created, what changes per person (field: before → after), who is unchanged, which units and
positions are created, and who of the agency is not in the file (listed, never removed).
:func:`import_staff` checks again inside one transaction and, when there is no problem,
writes the plan (:mod:`laksana.org.staffapply`); all rows or none.

The rules:

* a NIP is 18 digits, once in the file; a NIP of a person of ANOTHER agency is refused (a NIP
  is unique in the installation; another agency's person is never moved or overwritten), and
  so is one of a vendor's employee or of the public desk;
* ``Unit Kerja`` names a unit of the agency by its name or short name (case-insensitive); the
  public desk's unit and vendors' units are never matched; a unit not found is created under
  the agency's top own unit (shown in the plan);
* ``Jabatan`` is a position in that unit by name (created if missing); the person holds it
  (the positions they held before are replaced: SIMPEG gives the definitive post);
* ``NIP Atasan`` is a NIP in the file or of a person of the SAME agency; a superior of another
  agency, one found nowhere, or superiors forming a cycle (its rows named) are refused; a new
  position's superior is the superior's position;
* ``Email`` is checked; ``Telepon`` is kept as text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laksana.org import staffsheet
from laksana.org.models import Agency, Person, Position, Unit, UnitKind
from laksana.org.staffsheet import Sheet, StaffFileError

__all__ = [
    "Plan",
    "Problem",
    "StaffFileError",
    "check",
    "check_sheet",
    "import_sheet",
    "import_staff",
]

#: The fields of a person an import sets, in the order the changes are listed.
FIELDS = ("name", "email", "phone", "unit", "position", "superior")
_NOT_OWN_KINDS = (UnitKind.PUBLIC, UnitKind.VENDOR)
_NIP_LENGTH = 18
_MAX_TEXT = 200
# The text columns every row must fill: (the message when empty, when too long).
_TEXTS = {
    "name": (
        gettext_lazy("The name is required."),
        gettext_lazy("The name is longer than 200 characters."),
    ),
    "unit": (
        gettext_lazy("The unit is required."),
        gettext_lazy("The unit's name is longer than 200 characters."),
    ),
    "position": (
        gettext_lazy("The position is required."),
        gettext_lazy("The position's name is longer than 200 characters."),
    ),
}
# Reports a problem: (row, column's field, message).
_Report = Callable[[int, str, str], None]


def key(text: str) -> str:
    """A name compared without regard to case and spacing."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Problem:
    """One problem: the spreadsheet row, the column's header, what is wrong."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, column %(column)s: %(problem)s") % {
            "row": self.row,
            "column": self.column,
            "problem": self.message,
        }


@dataclass
class RowPlan:
    """What one row does: the person (existing or new), their state before and after."""

    row: int
    nip: str
    name: str
    email: str
    phone: str
    unit_text: str
    position_text: str
    superior_nip: str
    person: Person | None = None
    unit: Unit | None = None  # None: created from unit_text
    position: Position | None = None  # None: created
    before: dict[str, str] | None = None
    after: dict[str, str] = field(default_factory=dict)

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """The fields that change: (field, before, after)."""
        if self.before is None:
            return []
        return [
            (f, self.before[f], self.after[f]) for f in FIELDS if self.before[f] != self.after[f]
        ]


@dataclass
class Plan:
    """What an import does, or why it cannot (``problems``)."""

    agency: Agency
    file_name: str
    problems: list[Problem] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    columns: tuple[str, ...] = ()  # the optional fields the file has
    new_units: list[str] = field(default_factory=list)
    new_units_parent: str = ""
    new_positions: list[tuple[str, str]] = field(default_factory=list)  # (position, unit)
    absent: list[Person] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def created(self) -> list[RowPlan]:
        return [r for r in self.rows if r.person is None]

    @property
    def changed(self) -> list[RowPlan]:
        return [r for r in self.rows if r.person is not None and r.changes]

    @property
    def unchanged(self) -> list[RowPlan]:
        return [r for r in self.rows if r.person is not None and not r.changes]


def state(person: Person) -> dict[str, str]:
    """A person's imported fields as text (the superior by NIP)."""
    return {
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "unit": person.unit.name,
        "position": ", ".join(sorted(p.name for p in person.positions.all())),
        "superior": person.superior.nip if person.superior_id and person.superior else "",
    }


def top_unit(agency: Agency) -> Unit | None:
    """The agency's top own unit (the office at the root of its tree), under which the units an
    import creates are put."""
    roots = Unit.objects.filter(agency=agency, parent__isnull=True).order_by("pk")
    return (
        roots.filter(kind=UnitKind.OFFICE).first()
        or roots.exclude(kind__in=(*_NOT_OWN_KINDS, UnitKind.REQUESTING)).first()
    )


class _Units:
    def __init__(self, agency: Agency) -> None:
        self.own: dict[str, list[Unit]] = {}
        self.foreign: set[str] = set()
        for unit in Unit.objects.filter(agency=agency):
            names = {key(unit.name)} | ({key(unit.short_name)} if unit.short_name else set())
            for name in names:
                if unit.kind in _NOT_OWN_KINDS:
                    self.foreign.add(name)
                elif unit not in self.own.get(name, []):
                    self.own.setdefault(name, []).append(unit)


def check(agency: Agency, content: bytes, file_name: str) -> Plan:
    """The plan of importing ``content`` into ``agency``: every problem of every row, or what
    the import would create and change. Writes nothing. Raises :class:`StaffFileError` for a
    file that cannot be read as a staff list."""
    return check_sheet(agency, staffsheet.read(content, file_name), file_name)


def check_sheet(agency: Agency, sheet: Sheet, file_name: str) -> Plan:
    """:func:`check` for rows already read (:func:`laksana.org.staffsheet.sheet_of`, e.g. from
    a directory); ``file_name`` names the source in the plan and the history."""
    plan = Plan(agency, file_name)
    plan.columns = tuple(k for k in ("superior", "email", "phone") if k in sheet.headers)
    units = _Units(agency)
    positions: dict[tuple[int, str], Position] = {
        (p.unit_id, key(p.name)): p for p in Position.objects.filter(agency=agency)
    }
    top = top_unit(agency)
    plan.new_units_parent = top.name if top else ""
    nips = [values["nip"] for _n, values in sheet.rows]
    known = {
        p.nip: p
        for p in Person.objects.filter(nip__in=[n for n in nips if n])
        .select_related("unit", "superior", "agency")
        .prefetch_related("positions")
    }

    def problem(row: int, column_key: str, message: str) -> None:
        plan.problems.append(Problem(row, sheet.column(column_key), message))

    seen: dict[str, int] = {}
    for number, values in sheet.rows:
        row = _row(plan, number, values, problem, seen, known, units, positions)
        if row is not None:
            plan.rows.append(row)
    _superiors(plan, problem, known)
    plan.problems.sort(key=lambda p: p.row)
    if plan.ok:
        _afters(plan, positions)
        in_file = {r.nip for r in plan.rows}
        plan.absent = list(
            Person.objects.filter(agency=agency, vendor__isnull=True)
            .exclude(unit__kind__in=_NOT_OWN_KINDS)
            .exclude(nip__in=in_file)
            .order_by("name")
        )
    return plan


def _row(
    plan: Plan,
    number: int,
    values: dict[str, str],
    report: _Report,
    seen: dict[str, int],
    known: dict[str, Person],
    units: _Units,
    positions: dict[tuple[int, str], Position],
) -> RowPlan | None:
    ok = True
    nip = values["nip"].replace(" ", "")
    if not nip:
        report(number, "nip", _("The NIP is required."))
        ok = False
    elif len(nip) != _NIP_LENGTH or not nip.isdigit():
        hint = ""
        if "e+" in nip.lower() or "." in nip:
            hint = " " + _("The cell holds a number; format the NIP column as text.")
        report(
            number,
            "nip",
            _("%(nip)s is not a NIP: a NIP is 18 digits.") % {"nip": values["nip"]} + hint,
        )
        ok = False
    elif nip in seen:
        report(
            number,
            "nip",
            _("The NIP %(nip)s is already in row %(row)s; each person once.")
            % {"nip": nip, "row": seen[nip]},
        )
        ok = False
    else:
        seen[nip] = number
        person = known.get(nip)
        if person is not None and person.agency_id != plan.agency.pk:
            report(
                number,
                "nip",
                _(
                    "The NIP %(nip)s is of a person of another agency; a NIP belongs to one "
                    "person in the whole installation, who is not moved or changed by this "
                    "agency's import."
                )
                % {"nip": nip},
            )
            ok = False
        elif person is not None and (person.vendor_id or person.unit.kind in _NOT_OWN_KINDS):
            report(
                number,
                "nip",
                _("The NIP %(nip)s is of a vendor's employee or of the public desk, not of staff.")
                % {"nip": nip},
            )
            ok = False
    texts: dict[str, str] = {}
    for column, (missing, too_long) in _TEXTS.items():
        texts[column] = " ".join(values[column].split())
        if not texts[column]:
            report(number, column, str(missing))
            ok = False
        elif len(texts[column]) > _MAX_TEXT:
            report(number, column, str(too_long))
            ok = False
    name, unit_text, position_text = texts["name"], texts["unit"], texts["position"]
    email = values.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            report(
                number,
                "email",
                _("%(email)s is not an e-mail address (name@domain).") % {"email": email},
            )
            ok = False
    phone = values.get("phone", "")
    if len(phone) > 40:
        report(number, "phone", _("The phone number is longer than 40 characters."))
        ok = False
    unit = None
    if unit_text and len(unit_text) <= _MAX_TEXT:
        found = units.own.get(key(unit_text), [])
        if len(found) > 1:
            report(
                number,
                "unit",
                _("%(unit)s names several units (%(units)s); write the unit's full name.")
                % {"unit": unit_text, "units": ", ".join(u.name for u in found)},
            )
            ok = False
        elif found:
            unit = found[0]
        elif key(unit_text) in units.foreign:
            report(
                number,
                "unit",
                _("%(unit)s is the public desk's or a vendor's unit; staff are not placed there.")
                % {"unit": unit_text},
            )
            ok = False
    superior = values.get("superior", "").replace(" ", "")
    if superior and (len(superior) != _NIP_LENGTH or not superior.isdigit()):
        report(
            number,
            "superior",
            _("%(nip)s is not a NIP: a NIP is 18 digits.") % {"nip": values["superior"]},
        )
        ok = False
    if not ok:
        return None
    person = known.get(nip)
    return RowPlan(
        row=number,
        nip=nip,
        name=name,
        email=email,
        phone=phone,
        unit_text=unit_text,
        position_text=position_text,
        superior_nip=superior,
        person=person,
        unit=unit,
        position=positions.get((unit.pk, key(position_text))) if unit else None,
        before=state(person) if person is not None else None,
    )


def _superiors(plan: Plan, report: _Report, known: dict[str, Person]) -> None:
    """Each superior: in the file or a person of the same agency; no cycle."""
    by_nip = {r.nip: r for r in plan.rows}
    wanted = {r.superior_nip for r in plan.rows if r.superior_nip} - set(by_nip) - set(known)
    if wanted:
        known.update(
            {
                p.nip: p
                for p in Person.objects.filter(nip__in=wanted).select_related("agency", "unit")
            }
        )
    # The superior of everyone concerned: the file's for its rows, the stored one for others.
    above = {
        p.nip: p.superior.nip if p.superior_id and p.superior else ""
        for p in Person.objects.filter(agency=plan.agency)
        .exclude(nip="")
        .select_related("superior")
    }
    bad: set[str] = set()
    for r in plan.rows:
        if not r.superior_nip or r.superior_nip in by_nip:
            continue
        other = known.get(r.superior_nip)
        if other is None:
            report(
                r.row,
                "superior",
                _(
                    "No person has the NIP %(nip)s, in the file or in the agency; give the "
                    "superior's row in the file or leave the cell empty."
                )
                % {"nip": r.superior_nip},
            )
            bad.add(r.nip)
        elif other.agency_id != plan.agency.pk:
            report(
                r.row,
                "superior",
                _(
                    "The NIP %(nip)s is of a person of another agency; a superior is a person "
                    "of the same agency."
                )
                % {"nip": r.superior_nip},
            )
            bad.add(r.nip)
        elif other.vendor_id or other.unit.kind in _NOT_OWN_KINDS:
            report(
                r.row,
                "superior",
                _("The NIP %(nip)s is of a vendor's employee or of the public desk, not of staff.")
                % {"nip": r.superior_nip},
            )
            bad.add(r.nip)
    for r in plan.rows:
        above[r.nip] = r.superior_nip
    reported: set[str] = set()
    for r in plan.rows:
        if r.nip in bad or r.nip in reported:
            continue
        path: list[str] = []
        current = r.nip
        while current and current not in path:
            path.append(current)
            current = above.get(current, "")
        if current != r.nip:
            continue  # no cycle through this row (maybe one above it, reported at its rows)
        rows = sorted(by_nip[n].row for n in path if n in by_nip)
        reported.update(path)
        if len(path) == 1:
            message = _("A person cannot be their own superior.")
        else:
            message = _(
                "The superiors form a cycle (rows %(rows)s): someone must be at the top."
            ) % {"rows": ", ".join(map(str, rows))}
        report(by_nip[r.nip].row, "superior", message)


def _afters(plan: Plan, positions: dict[tuple[int, str], Position]) -> None:
    """Each row's state after the import; the units and positions to create."""
    new_units: dict[str, str] = {}
    new_positions: dict[tuple[str, str], tuple[str, str]] = {}
    for r in plan.rows:
        unit_name = r.unit.name if r.unit else new_units.setdefault(key(r.unit_text), r.unit_text)
        if r.position is None:
            unit_key = str(r.unit.pk) if r.unit else "new:" + key(r.unit_text)
            new_positions.setdefault((unit_key, key(r.position_text)), (r.position_text, unit_name))
            position_name = new_positions[(unit_key, key(r.position_text))][0]
        else:
            position_name = r.position.name
        after = {
            "name": r.name,
            "email": r.email,
            "phone": r.phone,
            "unit": unit_name,
            "position": position_name,
            "superior": r.superior_nip,
        }
        if r.before is not None:
            # A column the file does not have leaves its field as it was.
            for column in ("superior", "email", "phone"):
                if column not in plan.columns:
                    after[column] = r.before[column]
        r.after = after
    plan.new_units = sorted(new_units.values(), key=key)
    plan.new_positions = sorted(new_positions.values(), key=lambda p: (key(p[1]), key(p[0])))


def import_staff(
    agency: Agency,
    content: bytes,
    file_name: str,
    by: Person | None = None,
    *,
    dry_run: bool = False,
) -> Plan:
    """Check ``content`` and, with no problem and not ``dry_run``, write it in one
    transaction (recorded as ``import: <file name>``). Returns the plan (``written`` says
    whether it was written); raises :class:`StaffFileError` for an unreadable file."""
    return import_sheet(agency, staffsheet.read(content, file_name), file_name, by, dry_run=dry_run)


def import_sheet(
    agency: Agency,
    sheet: Sheet,
    file_name: str,
    by: Person | None = None,
    *,
    dry_run: bool = False,
) -> Plan:
    """:func:`import_staff` for rows already read (another source than a file)."""
    from laksana.org import staffapply

    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        plan = check_sheet(agency, sheet, file_name)
        if plan.ok and not dry_run:
            staffapply.apply(plan, by)
            plan.written = True
    return plan
