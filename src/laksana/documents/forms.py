"""Reading the document screens' forms into the arguments of
:mod:`laksana.documents.services` (which judges them), and showing them again with what was
entered. The kind's own fields are a form fragment (:class:`laksana.cases.artifacts.FormPart`)
read and shown as the step's page does (:mod:`laksana.cases.stepform`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laksana.cases import stepform
from laksana.cases.artifacts import FormPart
from laksana.documents.models import SignatoryRole

FIELDS_KEY = "doc"  # the inputs of the kind's fields are named art-doc-<field>
MAX_SIGNATORIES = 12
EXTRA_ROWS = 2  # empty signatory rows shown below the given ones


@dataclass
class SignatoryRow:
    """One row of the signatory table as entered (or as the defaults give it)."""

    index: int
    person: str = ""
    role: str = SignatoryRole.SIGN
    order: str = ""
    label: str = ""


@dataclass
class DraftForm:
    """The draft form: the kind's fields, the date, the signatories, and the messages."""

    fields: list[stepform.FieldInput]
    tables: list[stepform.TableInput]
    date: str
    signatories: list[SignatoryRow]
    errors: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # the kind's field ids and labels

    def add(self, name: str | None, message: str) -> None:
        self.errors.setdefault(name or "general", []).append(message)

    @property
    def field_errors(self) -> list[tuple[str, str]]:
        """The messages about the kind's own fields, with the field's label."""
        return [
            (self.labels[name], message)
            for name, found in self.errors.items()
            if name in self.labels
            for message in found
        ]


@dataclass
class DraftInput:
    """What the draft form's POST holds, as the services take it."""

    fields: dict[str, Any]
    date: dt.date | None
    signatories: list[dict[str, Any]] | None
    entered: dict[str, str]
    rows: list[SignatoryRow]
    errors: dict[str, list[str]] = field(default_factory=dict)


def signatory_input_name(index: int, column: str) -> str:
    return f"sig-{index}-{column}"


def rows_of(signatories: Sequence[Mapping[str, Any]]) -> list[SignatoryRow]:
    """Signatory rows from the services' shape (person id, role, order, label)."""
    rows = [
        SignatoryRow(
            index=i,
            person=str(s.get("person") or ""),
            role=str(s.get("role") or SignatoryRole.SIGN),
            order=str(s.get("order") or ""),
            label=str(s.get("label") or ""),
        )
        for i, s in enumerate(signatories)
    ]
    start = len(rows)
    rows += [SignatoryRow(index=start + i) for i in range(EXTRA_ROWS)]
    return rows


def draft_form(
    part: FormPart,
    entered: Mapping[str, str],
    date: str,
    rows: list[SignatoryRow],
    errors: dict[str, list[str]] | None = None,
) -> DraftForm:
    fields, tables = stepform.part_inputs(FIELDS_KEY, part, entered)
    labels = {f.id: f.label for f in part.fields} | {t.id: t.label for t in part.tables}
    return DraftForm(fields, tables, date, rows, errors or {}, labels)


def entered_of(part: FormPart, values: Mapping[str, Any]) -> dict[str, str]:
    """A draft's stored fields as the raw inputs of the form (to edit it)."""
    entered: dict[str, str] = {}
    for f in part.fields:
        value = values.get(f.id)
        if value is None:
            continue
        entered[stepform.field_input_name(FIELDS_KEY, f.id)] = (
            "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
        )
    for t in part.tables:
        for i, row in enumerate(values.get(t.id) or []):
            if not isinstance(row, Mapping):
                continue
            for c in t.columns:
                if row.get(c.id) is not None:
                    name = stepform.cell_input_name(FIELDS_KEY, t.id, i, c.id)
                    entered[name] = str(row[c.id])
    return entered


def read_draft(part: FormPart, post: Mapping[str, Any]) -> DraftInput:
    """The draft form's POST: the kind's fields (empty ones left out, so the services name
    what is missing), the date, and the signatory rows (None when none is filled: the
    defaults of the procedure apply)."""
    entered: dict[str, str] = {}
    values = stepform.read_part(FIELDS_KEY, part, post, entered)
    out = DraftInput(values, None, None, entered, [])
    raw_date = str(post.get("date", "")).strip()
    entered["date"] = raw_date
    if raw_date:
        try:
            out.date = dt.date.fromisoformat(raw_date)
        except ValueError:
            out.errors.setdefault("date", []).append(
                _("Write the date as YYYY-MM-DD, e.g. 2026-12-07.")
            )
    signatories: list[dict[str, Any]] = []
    for i in range(MAX_SIGNATORIES):
        names = {c: signatory_input_name(i, c) for c in ("person", "role", "order", "label")}
        if not any(n in post for n in names.values()):
            break
        row = SignatoryRow(
            index=i,
            person=str(post.get(names["person"], "")).strip(),
            role=str(post.get(names["role"], "")).strip() or SignatoryRole.SIGN,
            order=str(post.get(names["order"], "")).strip(),
            label=" ".join(str(post.get(names["label"], "")).split()),
        )
        out.rows.append(row)
        if not row.person:
            continue
        if not row.person.isdigit():
            out.errors.setdefault("signatories", []).append(
                _("Row %(no)s: choose a person from the list.") % {"no": i + 1}
            )
            continue
        if row.role not in SignatoryRole.values:
            out.errors.setdefault("signatories", []).append(
                _("Row %(no)s: the role is an initial or a signature.") % {"no": i + 1}
            )
            continue
        if row.order and not (row.order.isdigit() and 0 < int(row.order) < 100):
            out.errors.setdefault("signatories", []).append(
                _("Row %(no)s: the order is a number from 1 to 99.") % {"no": i + 1}
            )
            continue
        signatories.append(
            {
                "person": int(row.person),
                "role": row.role,
                "order": int(row.order) if row.order else len(signatories) + 1,
                "label": row.label,
            }
        )
    if signatories:
        out.signatories = signatories
    out.rows += [SignatoryRow(index=len(out.rows) + i) for i in range(EXTRA_ROWS)]
    return out


# --- settings ---------------------------------------------------------------------------------


class TemplateForm(forms.Form):
    """A new version of a kind's template."""

    source = forms.CharField(
        label=gettext_lazy("Template"), widget=forms.Textarea(attrs={"rows": 30}), strip=False
    )
    note = forms.CharField(label=gettext_lazy("Note of the change"), required=False, max_length=300)


class NumberingForm(forms.Form):
    """A kind's numbering pattern."""

    pattern = forms.CharField(label=gettext_lazy("Numbering pattern"), max_length=120)


class LetterheadForm(forms.Form):
    """An agency's or a unit's letterhead (kop surat)."""

    government = forms.CharField(label=gettext_lazy("Government"), max_length=200, required=False)
    agency_name = forms.CharField(label=gettext_lazy("Agency name"), max_length=200)
    unit_name = forms.CharField(label=gettext_lazy("Unit name"), max_length=200, required=False)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=60, required=False)
    website = forms.CharField(label=gettext_lazy("Website"), max_length=120, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=120, required=False)
    logo = forms.ImageField(
        label=gettext_lazy("Logo"),
        required=False,
        help_text=gettext_lazy("PNG or JPEG, at most 1 MB."),
    )

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > 1024 * 1024:
            raise forms.ValidationError(_("The logo is larger than 1 MB."))
        return logo
