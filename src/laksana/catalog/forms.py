"""Forms of the catalogue screens: they read what a person entered into the inputs of
:mod:`laksana.catalog.services`; the services judge it, and their problems are put back
onto the fields (:func:`add_service_errors`)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from laksana.catalog import services
from laksana.catalog.models import (
    Application,
    DataClassification,
    DeveloperKind,
    DocumentKind,
    EnvironmentKind,
    Platform,
    RiskStatus,
    Scope,
    ServiceKind,
    Stage,
    SupportKind,
)
from laksana.errors import ServiceError
from laksana.org.models import Agency, Unit

BLANK: list[tuple[str, Any]] = [("", "—")]
SCALE = [(str(i), str(i)) for i in range(1, 6)]


def add_service_errors(form: forms.Form, exc: ServiceError) -> None:
    """Put a service's refusal onto the form: each problem on its field, or the form."""
    errors = getattr(exc, "errors", None) or {exc.field or "": [exc.message]}
    for name, messages in errors.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class MoneyField(forms.CharField):
    """Rupiah as people write it: ``1.250.000``, ``Rp 1.250.000,00`` or ``1250000``."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        from laksana.catalog.spreadsheet import parse_money

        text = super().to_python(value)
        if not text:
            return None
        amount = parse_money(text)
        if amount is None:
            raise forms.ValidationError(_("Write an amount in rupiah, e.g. 150.000.000."))
        return amount


class UnitChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        unit: Unit = obj
        return f"{unit.name} ({unit.short_name})" if unit.short_name else unit.name


class UnitsChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        unit: Unit = obj
        return unit.short_name or unit.name


class ApplicationForm(forms.Form):
    """An application's fields; with ``with_stage`` also the stage it is entered at."""

    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scope = forms.ChoiceField(label=_("Category"), choices=BLANK + Scope.choices, required=False)
    service_kind = forms.ChoiceField(
        label=_("Service type"), choices=BLANK + ServiceKind.choices, required=False
    )
    function = forms.CharField(
        label=_("Function"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    platforms = forms.MultipleChoiceField(
        label=_("Platforms"),
        choices=Platform.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urls = forms.CharField(
        label=_("Web addresses"),
        help_text=_("One per line, starting with https://"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner_unit = UnitChoice(queryset=Unit.objects.none(), label=_("Owner unit"), required=False)
    managing_unit = UnitChoice(
        queryset=Unit.objects.none(), label=_("Managing unit"), required=False
    )
    user_units = UnitsChoice(
        queryset=Unit.objects.none(),
        label=_("User units"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    developer_kind = forms.ChoiceField(
        label=_("Developer"), choices=BLANK + DeveloperKind.choices, required=False
    )
    developer_unit = UnitChoice(
        queryset=Unit.objects.none(), label=_("Developing team"), required=False
    )
    developer_vendor = forms.CharField(label=_("Developing vendor"), max_length=200, required=False)
    year_built = forms.IntegerField(label=_("Year built"), required=False, min_value=1000)
    data_classification = forms.ChoiceField(
        label=_("Data classification"),
        choices=BLANK + DataClassification.choices,
        required=False,
    )
    source_code_location = forms.CharField(
        label=_("Source-code location"), max_length=500, required=False
    )
    stage = forms.ChoiceField(
        label=_("Lifecycle stage"),
        choices=[c for c in Stage.choices if c[0] != Stage.RETIRED],
        initial=Stage.IN_PRODUCTION,
    )

    def __init__(self, *args: Any, agency: Agency, with_stage: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        units = Unit.objects.filter(agency=agency).order_by("name")
        for name in ("owner_unit", "managing_unit", "user_units", "developer_unit"):
            self.fields[name].queryset = units  # type: ignore[attr-defined]
        if not with_stage:
            del self.fields["stage"]

    @staticmethod
    def initial_of(app: Application) -> dict[str, Any]:
        return {
            "name": app.name,
            "short_name": app.short_name,
            "description": app.description,
            "scope": app.scope,
            "service_kind": app.service_kind,
            "function": app.function,
            "legal_basis": app.legal_basis,
            "platforms": app.platforms,
            "urls": "\n".join(app.urls),
            "owner_unit": app.owner_unit_id,
            "managing_unit": app.managing_unit_id,
            "user_units": [u.pk for u in app.user_units.all()],
            "developer_kind": app.developer_kind,
            "developer_unit": app.developer_unit_id,
            "developer_vendor": app.developer_vendor.name if app.developer_vendor else "",
            "year_built": app.year_built,
            "data_classification": app.data_classification,
            "source_code_location": app.source_code_location,
        }

    def to_input(self) -> services.ApplicationInput:
        d = self.cleaned_data
        return services.ApplicationInput(
            name=d["name"],
            short_name=d.get("short_name", ""),
            description=d.get("description", ""),
            scope=d.get("scope", ""),
            service_kind=d.get("service_kind", ""),
            function=d.get("function", ""),
            legal_basis=d.get("legal_basis", ""),
            platforms=d.get("platforms") or [],
            urls=[u for u in re.split(r"\s+", d.get("urls") or "") if u],
            owner_unit=d.get("owner_unit"),
            managing_unit=d.get("managing_unit"),
            user_units=list(d.get("user_units") or []),
            developer_kind=d.get("developer_kind", ""),
            developer_unit=d.get("developer_unit"),
            developer_vendor_name=d.get("developer_vendor", ""),
            year_built=d.get("year_built"),
            data_classification=d.get("data_classification", ""),
            source_code_location=d.get("source_code_location", ""),
        )


class StageForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("New stage"), choices=[c for c in Stage.choices if c[0] != Stage.RETIRED]
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class EnvironmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Environment"), choices=EnvironmentKind.choices)
    server = forms.CharField(label=_("Server"), max_length=200, required=False)
    domain = forms.CharField(label=_("Domain"), max_length=253, required=False)
    database = forms.CharField(label=_("Database"), max_length=200, required=False)
    hosting = forms.CharField(label=_("Hosting"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def to_input(self) -> services.EnvironmentInput:
        d = self.cleaned_data
        return services.EnvironmentInput(
            server=d["server"],
            domain=d["domain"],
            database=d["database"],
            hosting=d["hosting"],
            notes=d["notes"],
        )


class DateInput(forms.DateInput):
    input_type = "date"


class ContractForm(forms.Form):
    vendor = forms.CharField(label=_("Vendor"), max_length=200)
    number = forms.CharField(label=_("Contract number"), max_length=100)
    signed_on = forms.DateField(label=_("Contract date"), required=False, widget=DateInput)
    value = MoneyField(label=_("Value (rupiah)"), required=False)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput)
    support_kind = forms.ChoiceField(
        label=_("Warranty or maintenance"), choices=BLANK + SupportKind.choices, required=False
    )
    support_ends_on = forms.DateField(
        label=_("Warranty or maintenance until"), required=False, widget=DateInput
    )
    scope = forms.CharField(
        label=_("Scope of work"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def to_input(self) -> services.ContractInput:
        d = self.cleaned_data
        return services.ContractInput(
            vendor_name=d["vendor"],
            number=d["number"],
            signed_on=d.get("signed_on"),
            value=d.get("value"),
            starts_on=d.get("starts_on"),
            ends_on=d.get("ends_on"),
            support_kind=d.get("support_kind", ""),
            support_ends_on=d.get("support_ends_on"),
            scope=d.get("scope", ""),
        )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    contract = forms.TypedChoiceField(
        label=_("Contract"), coerce=int, required=False, empty_value=None, choices=BLANK
    )
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, contracts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].choices = BLANK + [(str(pk), n) for pk, n in contracts]  # type: ignore[attr-defined]


class RiskForm(forms.Form):
    description = forms.CharField(label=_("Risk"), widget=forms.Textarea(attrs={"rows": 2}))
    likelihood = forms.TypedChoiceField(label=_("Likelihood (1–5)"), choices=SCALE, coerce=int)
    impact = forms.TypedChoiceField(label=_("Impact (1–5)"), choices=SCALE, coerce=int)
    mitigation = forms.CharField(
        label=_("Mitigation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.CharField(label=_("Risk owner"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=RiskStatus.choices)

    def to_input(self) -> services.RiskInput:
        d = self.cleaned_data
        return services.RiskInput(
            description=d["description"],
            likelihood=d["likelihood"],
            impact=d["impact"],
            mitigation=d["mitigation"],
            owner=d["owner"],
            status=d["status"],
        )


class ProgrammeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    activity = forms.CharField(label=_("Activity"), max_length=300, required=False)
    budget = MoneyField(label=_("Budget (rupiah)"), required=False)
    funding_source = forms.CharField(label=_("Funding source"), max_length=100, required=False)

    def to_input(self) -> services.ProgrammeInput:
        d = self.cleaned_data
        return services.ProgrammeInput(
            year=d["year"],
            activity=d.get("activity", ""),
            budget=d.get("budget"),
            funding_source=d.get("funding_source", ""),
        )


class DecommissionForm(forms.Form):
    """The decision with its reason and the data deletion minutes (up to three lines)."""

    reason = forms.CharField(
        label=_("Reason for the decision"), widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes_number = forms.CharField(label=_("Minutes number"), max_length=100, required=False)
    executed_by = forms.CharField(label=_("Deleted by"), max_length=200)
    executed_on = forms.DateField(label=_("Deleted on"), widget=DateInput)
    witness = forms.CharField(label=_("Witness"), max_length=200)
    data_1 = forms.CharField(label=_("Data deleted"), max_length=1000)
    location_1 = forms.CharField(label=_("Where"), max_length=300)
    method_1 = forms.CharField(label=_("Method"), max_length=300)
    data_2 = forms.CharField(label=_("Data deleted"), max_length=1000, required=False)
    location_2 = forms.CharField(label=_("Where"), max_length=300, required=False)
    method_2 = forms.CharField(label=_("Method"), max_length=300, required=False)
    data_3 = forms.CharField(label=_("Data deleted"), max_length=1000, required=False)
    location_3 = forms.CharField(label=_("Where"), max_length=300, required=False)
    method_3 = forms.CharField(label=_("Method"), max_length=300, required=False)

    def deletions(self) -> list[services.DeletionInput]:
        d = self.cleaned_data
        out = []
        for i in (1, 2, 3):
            if not any(d.get(f"{k}_{i}") for k in ("data", "location", "method")):
                continue
            out.append(
                services.DeletionInput(
                    data=d.get(f"data_{i}", ""),
                    location=d.get(f"location_{i}", ""),
                    method=d.get(f"method_{i}", ""),
                    executed_by=d["executed_by"],
                    executed_on=d["executed_on"],
                    witness=d["witness"],
                    minutes_number=d.get("minutes_number", ""),
                )
            )
        return out

    def lines(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(self[f"data_{i}"], self[f"location_{i}"], self[f"method_{i}"]) for i in (1, 2, 3)]
