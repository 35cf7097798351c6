"""Forms of the maintenance screens. They only shape input (dates, numbers, rows of
activities and criteria): the rules are the services' (:mod:`laksana.maintenance.plans`,
:mod:`~laksana.maintenance.activities`, :mod:`~laksana.maintenance.cycles`), whose refusals
:func:`add_service_errors` and :func:`add_row_errors` put next to the fields (and rows) they
concern."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from laksana.catalog.models import Application, Contract
from laksana.errors import ServiceError
from laksana.maintenance.criteria import shown
from laksana.maintenance.models import (
    ActivityKind,
    CriterionKind,
    CriterionPeriod,
    CycleLength,
    Executor,
    Schedule,
)

# The service's field names that differ from the form's.
_FIELD_OF = {"application_id": "application", "contract_id": "contract", "files": "documents"}

ROWS_EXTRA = 2  # empty rows offered under the filled ones
ROWS_MAX = 60


def _errors_of(exc: ServiceError) -> dict[str, list[str]]:
    errors = getattr(exc, "errors", None)
    if errors:
        return {k: list(v) for k, v in errors.items()}
    return {exc.field or "": [exc.message]}


def add_service_errors(form: forms.Form, exc: ServiceError) -> None:
    """Put a service's refusal onto the form: each problem on its field, or on the form."""
    for name, messages in _errors_of(exc).items():
        name = _FIELD_OF.get(name, name)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


_ROW = re.compile(r"^(activities|criteria)\.(\d+)\.?(\w*)$")


def add_row_errors(
    formset: forms.BaseFormSet[Any],
    exc: ServiceError,
    rows: Sequence[int],
) -> list[str]:
    """Put a refusal of ``set_activities``/``set_criteria`` at its row and field
    (``activities.3.dates``: the fourth item sent, which is form ``rows[3]``); returns the
    problems that concern no row (for the page's head)."""
    general: list[str] = []
    for name, messages in _errors_of(exc).items():
        found = _ROW.match(name)
        if found is None or int(found.group(2)) >= len(rows):
            general.extend(messages)
            continue
        form = formset.forms[rows[int(found.group(2))]]
        field = found.group(3) if found.group(3) in form.fields else None
        for message in messages:
            form.add_error(field, message)
    return general


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=15,
        decimal_places=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class PlanForm(forms.Form):
    """Every field of :class:`laksana.maintenance.plans.PlanInput`."""

    application = forms.ModelChoiceField(
        queryset=Application.objects.none(), label=_("Application")
    )
    budget_year = forms.IntegerField(
        label=_("Budget year"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("A plan for a budget year, or for one of the application's contracts."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    contract = forms.ModelChoiceField(
        queryset=Contract.objects.none(),
        label=_("Maintenance contract"),
        required=False,
        help_text=_("The plan covers the contract's period (its maintenance included)."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    objective = forms.CharField(label=_("Objective"), widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.CharField(
        label=_("Scope"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(
        label=_("Starts on"),
        required=False,
        widget=_date_input(),
        help_text=_("Empty: 1 January of the budget year, or the contract's start."),
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=_date_input(),
        help_text=_(
            "Empty: 31 December of the budget year, or the end of the contract's maintenance."
        ),
    )
    cycle_length = forms.ChoiceField(
        label=_("Cycle"), choices=CycleLength.choices, initial=CycleLength.MONTH
    )
    lead_days = forms.IntegerField(
        label=_("Open ahead (working days)"),
        min_value=0,
        max_value=60,
        initial=5,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(
        self,
        *args: Any,
        applications: Iterable[Application] | Any,
        contracts: Iterable[Contract] | Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications  # type: ignore[attr-defined]
        self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]

    def data_for_service(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "application_id": d["application"].pk,
            "title": d["title"],
            "objective": d["objective"],
            "scope": d["scope"],
            "contract_id": d["contract"].pk if d["contract"] else None,
            "budget_year": d["budget_year"],
            "starts_on": d["starts_on"],
            "ends_on": d["ends_on"],
            "cycle_length": d["cycle_length"],
            "lead_days": d["lead_days"],
        }


def dates_text(dates: Iterable[str]) -> str:
    return ", ".join(dates)


class ActivityRow(forms.Form):
    """One activity of the plan editor (an empty row is left out)."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *ActivityKind.choices], required=False
    )
    title = forms.CharField(label=_("Activity"), max_length=300, required=False)
    executor = forms.ChoiceField(
        label=_("Executor"), choices=[("", "—"), *Executor.choices], required=False
    )
    schedule = forms.ChoiceField(
        label=_("Schedule"), choices=[("", "—"), *Schedule.choices], required=False
    )
    working_day = forms.IntegerField(
        label=_("Working day of the period"),
        required=False,
        min_value=1,
        max_value=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    dates = forms.CharField(
        label=_("Dates"),
        required=False,
        max_length=2000,
        help_text=_("For “on dates”: YYYY-MM-DD separated by commas."),
    )
    documentation = forms.CharField(
        label=_("Expected documentation"), max_length=300, required=False
    )
    budget = _money(_("Budget (Rp)"))

    def clean_dates(self) -> list[dt.date]:
        out = []
        for part in re.split(r"[,\s;]+", self.cleaned_data["dates"].strip()):
            if not part:
                continue
            try:
                out.append(dt.date.fromisoformat(part))
            except ValueError:
                raise ValidationError(
                    _("“%(value)s” is not a date (YYYY-MM-DD)."), params={"value": part}
                ) from None
        return out

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return not any(d.get(k) for k in ("kind", "title", "executor", "schedule", "dates"))


class CriterionRow(forms.Form):
    """One acceptance criterion of the plan editor (an empty row is left out)."""

    kind = forms.ChoiceField(
        label=_("Indicator"), choices=[("", "—"), *CriterionKind.choices], required=False
    )
    label = forms.CharField(label=_("Criterion"), max_length=300, required=False)
    target = forms.DecimalField(
        label=_("Target"),
        required=False,
        max_digits=7,
        decimal_places=3,
        help_text=_("A percentage (availability, shares) or a count (open findings)."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )
    period = forms.ChoiceField(
        label=_("Period"), choices=CriterionPeriod.choices, initial=CriterionPeriod.MONTH
    )
    severity = forms.CharField(
        label=_("Severity"),
        max_length=20,
        required=False,
        help_text=_("Open findings: this severity or worse."),
    )

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return not any(d.get(k) for k in ("kind", "label")) and d.get("target") is None


def kept_rows(formset: forms.BaseFormSet[Any]) -> list[tuple[int, dict[str, Any]]]:
    """The filled rows not marked for removal: (form index, cleaned data)."""
    out = []
    for i, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or data.get("DELETE") or form.is_blank():
            continue
        out.append((i, data))
    return out


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class RecordForm(forms.Form):
    """What the executor did, with its documentation files."""

    report = forms.CharField(
        label=_("What was done"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    done_on = forms.DateField(
        label=_("Done on"), required=False, widget=_date_input(), help_text=_("Empty: today.")
    )
    cost = _money(_("Cost (Rp)"))
    documents = MultipleFileField(label=_("Documentation files"), required=False)


class NotDoneForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it was not done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


YES_NO = [("", "—"), ("yes", _("Yes, achieved")), ("no", _("No, not achieved"))]


class EvaluationForm(forms.Form):
    """The cycle's evaluation: for each computed criterion, confirm (empty) or override with
    a reason; for each criterion the figures leave open (judged ones, a restore test still
    due), yes or no with a note."""

    def __init__(self, *args: Any, items: Sequence[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            cid = item["criterion"]
            judged = item.get("computed") is None
            self.fields[f"answer_{cid}"] = forms.ChoiceField(
                label=_("Achieved?") if judged else _("Override"),
                choices=YES_NO,
                required=False,
                help_text="" if judged else _("Empty: the computed result stands."),
            )
            self.fields[f"note_{cid}"] = forms.CharField(
                label=_("Note") if judged else _("Reason for the override"),
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[dict[str, Any], Any, Any]]:
        return [
            (i, self[f"answer_{i['criterion']}"], self[f"note_{i['criterion']}"])
            for i in self.items
        ]

    def for_service(self) -> tuple[dict[int, tuple[bool, str]], dict[int, tuple[bool, str]]]:
        """(judged, overrides) for :func:`laksana.maintenance.cycles.evaluate_cycle`."""
        judged: dict[int, tuple[bool, str]] = {}
        overrides: dict[int, tuple[bool, str]] = {}
        for item in self.items:
            cid = int(item["criterion"])
            answer = self.cleaned_data.get(f"answer_{cid}") or ""
            note = self.cleaned_data.get(f"note_{cid}") or ""
            if not answer:
                continue
            target = judged if item.get("computed") is None else overrides
            target[cid] = (answer == "yes", note)
        return judged, overrides

    def add_errors_of(self, exc: ServiceError) -> None:
        """A refusal naming ``judged.<id>`` / ``overrides.<id>`` lands at that criterion:
        at its answer when none was given, else at its note (the reason or evidence)."""
        for name, messages in _errors_of(exc).items():
            found = re.match(r"^\w+\.(\d+)", name)
            field = None
            if found:
                cid = found.group(1)
                answered = bool(self.cleaned_data.get(f"answer_{cid}"))
                key = f"{'note' if answered else 'answer'}_{cid}"
                field = key if key in self.fields else None
            for message in messages:
                self.add_error(field, message)


def decimal_text(value: Decimal | float | str | None) -> str:
    """A criterion's value or target as shown (two decimals at most, localised): exact
    figures are kept as text in the evaluation and rounded only here."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return number_format(number.quantize(Decimal(1)), 0)
    return shown(number)
