"""Forms of the survey screens. They only shape input (dates, numbers, choices, rows of the
follow-up plan, the questionnaire's nine unsur); the rules are the services'
(:mod:`laksana.survey.services`, :mod:`laksana.survey.imports`), whose refusals
:func:`add_service_errors` puts next to the fields they concern."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from laksana.errors import ServiceError
from laksana.survey.models import ServiceKind

# The service's field names that differ from the form's.
_FIELD_OF = {"application_id": "application", "unit_id": "unit", "file_name": "file"}

FOLLOW_UP_MAX = 20
FOLLOW_UP_EXTRA = 2
# What a survey keeps changeable once it is open or closed (the service's rule, mirrored so
# the form does not offer the rest).
OPEN_FIELDS = ("title", "method", "population", "public_enabled", "invite_requesters")
IMPORT_MAX_BYTES = 20 * 1024 * 1024


def add_service_errors(form: forms.Form, exc: ServiceError) -> None:
    """Put a service's refusal onto the form: each listed problem ("field: what is wrong")
    on its field when the form has it, else on the form; without a list, the message on its
    field (or on the form)."""
    if not exc.items:
        field = _FIELD_OF.get(exc.field or "", exc.field or "")
        form.add_error(field if field in form.fields else None, exc.message)
        return
    for item in exc.items:
        name, sep, text = item.partition(": ")
        field = _FIELD_OF.get(name, name)
        if sep and field in form.fields:
            form.add_error(field, text)
        else:
            form.add_error(None, item)


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
    )


class SurveyForm(forms.Form):
    """A survey's identity: the service asked about, the period, the population and method,
    and how respondents reach it."""

    title = forms.CharField(label=_("Title"), max_length=200)
    service_kind = forms.ChoiceField(label=_("Service kind"), choices=ServiceKind.choices)
    procedure_key = forms.ChoiceField(label=_("Procedure"), required=False)
    application = forms.ChoiceField(label=_("Application"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    service_name = forms.CharField(label=_("Service of the unit"), max_length=200, required=False)
    period_start = _date(_("Period start"))
    period_end = _date(_("Period end"))
    population = forms.IntegerField(
        label=_("Population (people served in the period)"),
        min_value=0,
        required=False,
        help_text=_("For the minimum number of respondents (Krejcie–Morgan table)."),
    )
    method = forms.CharField(
        label=_("Method"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    public_enabled = forms.BooleanField(label=_("Public link and QR code open"), required=False)
    invite_requesters = forms.BooleanField(
        label=_("Invite the requesters of closed cases"), required=False
    )

    def __init__(
        self,
        *args: Any,
        procedures: Iterable[tuple[str, str]] = (),
        applications: Iterable[tuple[int, str]] = (),
        units: Iterable[tuple[int, str]] = (),
        draft: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        empty = [("", "—")]
        self.fields["procedure_key"].choices = empty + list(procedures)  # type: ignore[attr-defined]
        self.fields["application"].choices = empty + [  # type: ignore[attr-defined]
            (str(pk), name) for pk, name in applications
        ]
        self.fields["unit"].choices = empty + [  # type: ignore[attr-defined]
            (str(pk), name) for pk, name in units
        ]
        self.draft = draft
        if not draft:
            for name, field in self.fields.items():
                if name not in OPEN_FIELDS:
                    field.disabled = True
                    field.required = False

    def data_for_service(self) -> dict[str, Any]:
        """The cleaned input as the service takes it (only what may change when not a
        draft)."""
        c = self.cleaned_data
        if not self.draft:
            return {name: c.get(name) for name in OPEN_FIELDS}
        return {
            "title": c["title"],
            "service_kind": c["service_kind"],
            "procedure_key": c.get("procedure_key") or "",
            "application": int(c["application"]) if c.get("application") else None,
            "unit": int(c["unit"]) if c.get("unit") else None,
            "service_name": c.get("service_name") or "",
            "period_start": c["period_start"],
            "period_end": c["period_end"],
            "population": c.get("population"),
            "method": c.get("method") or "",
            "public_enabled": bool(c.get("public_enabled")),
            "invite_requesters": bool(c.get("invite_requesters")),
        }


class FollowUpRow(forms.Form):
    """One row of the follow-up plan (rencana tindak lanjut)."""

    unsur = forms.ChoiceField(label=_("Unsur"), required=False)
    action = forms.CharField(
        label=_("Action"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due = _date(_("Due"), required=False)
    responsible = forms.CharField(label=_("Responsible"), max_length=200, required=False)

    def __init__(self, *args: Any, elements: Sequence[Mapping[str, Any]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unsur"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(e.get("key", "")), str(e.get("name", ""))) for e in elements
        ]

    def is_blank(self) -> bool:
        c = getattr(self, "cleaned_data", {}) or {}
        return not any(c.get(k) for k in ("unsur", "action", "due", "responsible"))


FollowUpFormSet = forms.formset_factory(
    FollowUpRow, extra=FOLLOW_UP_EXTRA, max_num=FOLLOW_UP_MAX, validate_max=True
)


def follow_up_rows(formset: Any) -> list[dict[str, Any]]:
    """The filled rows of a valid formset, as the service takes them."""
    rows = []
    for form in formset.forms:
        if form.is_blank():
            continue
        c = form.cleaned_data
        due = c.get("due")
        rows.append(
            {
                "unsur": c.get("unsur") or "",
                "action": (c.get("action") or "").strip(),
                "due": due.isoformat() if isinstance(due, dt.date) else "",
                "responsible": (c.get("responsible") or "").strip(),
            }
        )
    return rows


class ImportForm(forms.Form):
    """A spreadsheet of past answers (CSV or XLSX) and the day they are counted on."""

    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_(
            "One row per respondent, columns U1 … U9 with scores 1–4; optional columns Umur, "
            "Jenis Kelamin, Pendidikan, Pekerjaan, Saran."
        ),
    )
    submitted_on = _date(_("Date of the answers"), required=False)

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        name = (f.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Only CSV and XLSX files are read."))
        return f


class ElementForm(forms.Form):
    """One unsur of the agency's questionnaire: its place, name, question and four labels."""

    key = forms.CharField(widget=forms.HiddenInput)
    position = forms.IntegerField(label=_("Order"), min_value=1, max_value=9)
    name = forms.CharField(label=_("Name"), max_length=200)
    question = forms.CharField(
        label=_("Question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    label1 = forms.CharField(label=_("Score 1"), max_length=200)
    label2 = forms.CharField(label=_("Score 2"), max_length=200)
    label3 = forms.CharField(label=_("Score 3"), max_length=200)
    label4 = forms.CharField(label=_("Score 4"), max_length=200)


ElementFormSet = forms.formset_factory(ElementForm, extra=0, min_num=9, max_num=9)


def element_initial(elements: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, e in enumerate(elements, start=1):
        labels = list(e.get("labels") or []) + [""] * 4
        row = {"key": e.get("key", ""), "position": i, "name": e.get("name", "")}
        row["question"] = e.get("question", "")
        row.update({f"label{n}": labels[n - 1] for n in range(1, 5)})
        out.append(row)
    return out


def elements_of(formset: Any) -> list[dict[str, Any]]:
    """The questionnaire of a valid formset in the order chosen (ties: as listed)."""
    rows = [(f.cleaned_data["position"], i, f.cleaned_data) for i, f in enumerate(formset.forms)]
    rows.sort(key=lambda r: (r[0], r[1]))
    return [
        {
            "key": c["key"],
            "name": c["name"].strip(),
            "question": c["question"].strip(),
            "labels": [c[f"label{n}"].strip() for n in range(1, 5)],
        }
        for _, _, c in rows
    ]


class InvitationForm(forms.Form):
    """How the requesters of closed cases are invited, and the public link's limit."""

    invite_requesters = forms.BooleanField(
        label=_("Invite the requesters of closed cases"), required=False
    )
    invite_delay_hours = forms.IntegerField(
        label=_("Delay after the case closes (hours)"), min_value=0, max_value=720
    )
    invite_share = forms.IntegerField(
        label=_("Share of closed cases invited (%)"), min_value=0, max_value=100
    )
    invite_expiry_days = forms.IntegerField(
        label=_("Invitation expires after (days)"), min_value=1, max_value=90
    )
    public_per_hour = forms.IntegerField(
        label=_("Public answers per address per hour"), min_value=1, max_value=100
    )
