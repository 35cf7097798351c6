"""What a draft is made of, checked: the author's fields against the kind's form, and the
people who initial and sign it (given, or worked out from the procedure).

Fields (:func:`clean_fields`): every field and table of the kind's
:class:`~laksana.cases.artifacts.FormPart`, nothing else; required ones present; dates as
``YYYY-MM-DD``; numbers and amounts as digits; choices among the kind's. A problem names the
field (its label and id) and what is allowed.

Signatories (:func:`default_signatories`): the actors the step's artifact names
(``initialled_by``, then ``signed_by``, see :class:`~laksana.engine.spec.ArtifactSpec`), each
resolved to one person of the case:

* a bound actor (position, person, team): among its holders
  (:func:`laksana.cases.holders.holders`), the person working the step (its claimant), else the
  author, else the first holder;
* the requesting unit: the **head of the case's requesting unit** (:func:`head_of_unit`): the
  member holding a position of that unit whose superior position is outside the unit or
  empty (the top post of the unit);
* the vendor: the first person of the application's current vendor.

Initials come first, one after another, in the order named; the signers follow as one joint
group (they sign in any order among themselves), labelled from the kind's ``signer_labels``.
Without any named by the procedure, the author signs.

Given signatories (:func:`given_signatories`) must be people of the case's agency, or of the
vendor of the case's application; initials come before signatures by their order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from laksana.cases import vendors
from laksana.cases.artifacts import FormPart, PartField, PartRows
from laksana.cases.holders import holders
from laksana.cases.models import Case, CaseStep
from laksana.cases.servicebase import ServiceError
from laksana.documents.kinds import DocumentKind
from laksana.documents.models import SignatoryRole
from laksana.engine.spec import ActorKind, ArtifactSpec
from laksana.org.models import Person

MAX_TEXT = 500
MAX_LONG_TEXT = 10_000
MAX_LINES = 100
MAX_ROWS = 200
MAX_SIGNATORIES = 20
MAX_LABEL = 100


# --- fields -------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _clean_value(f: PartField, value: object, where: str, problems: list[str]) -> Any:
    """The value of one field, cleaned; a problem added when it cannot be."""
    name = f"{f.label} ({where})"
    if f.kind in ("text", "long_text", "choice"):
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            problems.append(_("%(field)s: write a text.") % {"field": name})
            return None
        text = value.strip()
        limit = MAX_LONG_TEXT if f.kind == "long_text" else MAX_TEXT
        if len(text) > limit:
            problems.append(
                _("%(field)s: at most %(limit)s characters.") % {"field": name, "limit": limit}
            )
            return None
        if f.kind == "choice" and text:
            allowed = [c[0] for c in f.choices]
            if text not in allowed:
                problems.append(
                    _("%(field)s: choose one of %(items)s.")
                    % {"field": name, "items": ", ".join(allowed)}
                )
                return None
        return text
    if f.kind == "lines":
        items = value.splitlines() if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            problems.append(_("%(field)s: write one item per line.") % {"field": name})
            return None
        lines = [i.strip() for i in items if i.strip()]
        if len(lines) > MAX_LINES or any(len(i) > MAX_TEXT for i in lines):
            problems.append(
                _("%(field)s: at most %(count)s lines of %(limit)s characters.")
                % {"field": name, "count": MAX_LINES, "limit": MAX_TEXT}
            )
            return None
        return lines
    if f.kind == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            problems.append(_("%(field)s: write a date as YYYY-MM-DD.") % {"field": name})
            return None
    if f.kind in ("number", "money"):
        text = str(value).strip().replace(".", "") if f.kind == "money" else str(value).strip()
        try:
            number = Decimal(text) if not isinstance(value, bool) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0 or abs(number) > 10**15:
            problems.append(
                _("%(field)s: write a number of 0 or more, in digits.") % {"field": name}
            )
            return None
        return int(number) if number == number.to_integral_value() else str(number)
    problems.append(_("%(field)s: cannot be filled in here.") % {"field": name})
    return None


def _clean_table(t: PartRows, value: object, problems: list[str]) -> list[dict[str, Any]]:
    name = f"{t.label} ({t.id})"
    if not isinstance(value, list) or not all(isinstance(r, Mapping) for r in value):
        problems.append(_("%(field)s: give a list of rows.") % {"field": name})
        return []
    if len(value) > MAX_ROWS:
        problems.append(
            _("%(field)s: at most %(count)s rows.") % {"field": name, "count": MAX_ROWS}
        )
        return []
    known = {c.id: c for c in t.columns}
    rows: list[dict[str, Any]] = []
    for i, row in enumerate(value, 1):
        unknown = sorted(str(k) for k in row if k not in known)
        if unknown:
            problems.append(
                _("%(field)s, row %(row)s: unknown column %(name)s; the columns are: %(known)s.")
                % {"field": name, "row": i, "name": unknown[0], "known": ", ".join(known)}
            )
            continue
        if all(_missing(v) for v in row.values()):
            continue  # an empty row of the form
        clean: dict[str, Any] = {}
        for c in t.columns:
            v = row.get(c.id)
            where = f"{t.id}[{i}].{c.id}"
            if _missing(v):
                if c.required:
                    problems.append(_("%(field)s: required.") % {"field": f"{c.label} ({where})"})
                continue
            cleaned = _clean_value(c, v, where, problems)
            if cleaned is not None:
                clean[c.id] = cleaned
        rows.append(clean)
    if t.required and not rows:
        problems.append(_("%(field)s: give at least one row.") % {"field": name})
    return rows


def clean_fields(kind: DocumentKind, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The author's fields checked against the kind's form and cleaned; a ServiceError
    listing every problem otherwise (``field``: the first field concerned)."""
    form: FormPart = kind.form
    if given is not None and not isinstance(given, Mapping):
        raise ServiceError(
            "invalid_fields", _("Give the fields as a mapping of names to values."), field="fields"
        )
    values = dict(given or {})
    problems: list[str] = []
    first: str | None = None
    fields = {f.id: f for f in form.fields}
    tables = {t.id: t for t in form.tables}
    out: dict[str, Any] = {}
    for key in values:
        if key not in fields and key not in tables:
            first = first or str(key)
            known = ", ".join([*fields, *tables]) or "-"
            problems.append(
                _("Unknown field %(name)s; the fields of %(kind)s are: %(known)s.")
                % {"name": str(key)[:60], "kind": kind.label, "known": known}
            )
    for f in form.fields:
        before = len(problems)
        v = values.get(f.id)
        if _missing(v):
            if f.required:
                problems.append(_("%(field)s: required.") % {"field": f"{f.label} ({f.id})"})
        else:
            cleaned = _clean_value(f, v, f.id, problems)
            if cleaned is not None:
                out[f.id] = cleaned
        if len(problems) > before:
            first = first or f.id
    for t in form.tables:
        before = len(problems)
        v = values.get(t.id)
        if _missing(v):
            if t.required:
                problems.append(
                    _("%(field)s: give at least one row.") % {"field": f"{t.label} ({t.id})"}
                )
        else:
            out[t.id] = _clean_table(t, v, problems)
        if len(problems) > before:
            first = first or t.id
    if problems:
        raise ServiceError(
            "invalid_fields",
            _("Please correct: %(items)s") % {"items": "; ".join(problems)},
            field=first,
            items=problems,
        )
    return out


# --- signatories --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatoryInput:
    person: Person
    role: str
    order: int
    label: str = ""


def position_title(person: Person) -> str:
    found = person.positions.order_by("pk").values_list("name", flat=True).first()
    return str(found or "")


def head_of_unit(unit_id: int) -> Person | None:
    """The head of a unit: a member holding a position of the unit whose superior position
    is outside the unit or empty (the unit's top post); the first such by id."""
    return (
        Person.objects.filter(unit_id=unit_id, positions__unit_id=unit_id)
        .exclude(positions__superior__unit_id=unit_id)
        .order_by("pk")
        .distinct()
        .first()
    )


def _actor_person(case: Case, row: CaseStep | None, actor_key: str, author: Person) -> Person:
    spec = case.version.spec
    if not any(a.id == actor_key for a in spec.actors):
        raise ServiceError(
            "no_signatory",
            _("The procedure names an unknown signer %(actor)s; name the signatories.")
            % {"actor": actor_key},
            field="signatories",
        )
    actor = spec.actor(actor_key)
    found: Person | None = None
    if actor.kind is ActorKind.REQUESTING_UNIT:
        found = head_of_unit(case.requesting_unit_id)
    elif actor.kind is not ActorKind.EXTERNAL:
        people = holders(case, actor_key).order_by("pk")
        preferred = []
        if row is not None and row.actor_key == actor_key and row.claimed_by_id is not None:
            preferred.append(row.claimed_by_id)
        preferred.append(author.pk)
        for pk in preferred:
            found = people.filter(pk=pk).first()
            if found is not None:
                break
        if found is None:
            found = people.first()
    if found is None:
        raise ServiceError(
            "no_signatory",
            _("Nobody of this case is %(actor)s to sign; name the signatories.")
            % {"actor": actor.name},
            field="signatories",
        )
    return found


def default_signatories(
    case: Case,
    row: CaseStep | None,
    art: ArtifactSpec | None,
    kind: DocumentKind,
    author: Person,
) -> list[SignatoryInput]:
    """The signatories the procedure names for the artifact (see the module's text)."""
    out: list[SignatoryInput] = []
    order = 0
    for actor_key in art.initialled_by if art is not None else ():
        order += 1
        out.append(
            SignatoryInput(
                _actor_person(case, row, actor_key, author), SignatoryRole.INITIAL, order
            )
        )
    signers = list(art.signed_by) if art is not None else []
    order += 1
    if not signers:
        label = kind.signer_labels[0] if kind.signer_labels else ""
        return [*out, SignatoryInput(author, SignatoryRole.SIGN, order, label)]
    seen: set[int] = set()
    for i, actor_key in enumerate(signers):
        person = _actor_person(case, row, actor_key, author)
        if person.pk in seen:
            continue
        seen.add(person.pk)
        label = kind.signer_labels[i] if i < len(kind.signer_labels) else ""
        out.append(SignatoryInput(person, SignatoryRole.SIGN, order, label))
    return out


def _may_sign_for(case: Case, person: Person) -> bool:
    """Whether ``person`` may be named to initial or sign a document of ``case``."""
    if person.vendor_id is None:
        return bool(person.agency_id == case.agency_id)
    application = case.application if case.application_id is not None else None
    if application is None:
        return False
    vendor = application.current_vendor(vendors.case_day(case))
    return vendor is not None and vendor.pk == person.vendor_id


def given_signatories(case: Case, raw: object) -> list[SignatoryInput]:
    """Signatories given as ``[{person, role, label, order}, ...]``, checked."""
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes) or not raw:
        raise ServiceError(
            "invalid_signatories",
            _("Name at least one signatory as {person, role, label, order}."),
            field="signatories",
        )
    if len(raw) > MAX_SIGNATORIES:
        raise ServiceError(
            "invalid_signatories",
            _("At most %(count)s signatories.") % {"count": MAX_SIGNATORIES},
            field="signatories",
        )
    out: list[SignatoryInput] = []
    for i, item in enumerate(raw, 1):
        where = _("signatory %(n)s") % {"n": i}

        def bad(problem: str, where: str = where) -> ServiceError:
            return ServiceError(
                "invalid_signatories", f"{where}: {problem}", field="signatories", items=[problem]
            )

        if not isinstance(item, Mapping):
            raise bad(_("give {person, role, label, order}."))
        unknown = sorted(str(k) for k in item if k not in ("person", "role", "label", "order"))
        if unknown:
            raise bad(_("unknown key %(key)s.") % {"key": unknown[0][:40]})
        pk = item.get("person")
        pk = pk.pk if isinstance(pk, Person) else pk
        if isinstance(pk, str) and pk.strip().isdigit():
            pk = int(pk.strip())
        person = (
            Person.objects.filter(pk=pk).first()
            if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**63
            else None
        )
        if person is None or not _may_sign_for(case, person):
            raise bad(_("no person %(id)s of this case's agency.") % {"id": str(pk)[:20]})
        if person.user_id is None:
            raise bad(_("%(name)s has no account to sign with.") % {"name": person.name})
        role = item.get("role", SignatoryRole.SIGN)
        if role not in SignatoryRole.values:
            raise bad(_("the role is %(roles)s.") % {"roles": " or ".join(SignatoryRole.values)})
        order = item.get("order", i)
        if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= 99:
            raise bad(_("the order is a whole number from 1 to 99."))
        label = item.get("label", "")
        if not isinstance(label, str) or len(label.strip()) > MAX_LABEL:
            raise bad(_("the label is a text of at most %(n)s characters.") % {"n": MAX_LABEL})
        if any(s.person.pk == person.pk and s.role == role for s in out):
            raise bad(_("%(name)s is named twice.") % {"name": person.name})
        out.append(SignatoryInput(person, str(role), order, label.strip()))
    signs = [s.order for s in out if s.role == SignatoryRole.SIGN]
    initials = [s.order for s in out if s.role == SignatoryRole.INITIAL]
    if not signs:
        raise ServiceError(
            "invalid_signatories", _("Name at least one person who signs."), field="signatories"
        )
    if initials and max(initials) >= min(signs):
        raise ServiceError(
            "invalid_signatories",
            _("Initials come before signatures: give every initial a lower order."),
            field="signatories",
        )
    return out
