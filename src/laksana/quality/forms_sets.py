"""Forms of the scenario set screens. They only shape input: the rules (required fields,
lengths, unique numbers) are the services' (:mod:`laksana.quality.scenarios`), whose refusals
:func:`add_service_errors` puts next to the fields they concern."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from laksana.catalog.models import Application
from laksana.errors import ServiceError
from laksana.quality.models import Priority, Scenario, SetKind
from laksana.quality.scenarios import MAX_LENGTH, SET_MAX_LENGTH

_TEXTAREA = {"rows": 4}


def add_service_errors(form: forms.Form, exc: ServiceError) -> None:
    """Put a service's refusal onto the form: each problem on its field, or on the form."""
    errors = getattr(exc, "errors", None) or {exc.field or "": [exc.message]}
    for name, messages in errors.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class ApplicationChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class SetDetailsForm(forms.Form):
    """A set's name, application version and description."""

    name = forms.CharField(label=_("Name"), max_length=SET_MAX_LENGTH["name"])
    app_version = forms.CharField(
        label=_("Application version"),
        max_length=SET_MAX_LENGTH["app_version"],
        required=False,
        help_text=_("The version the scenarios were written for, e.g. 2.1; empty: any version."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=SET_MAX_LENGTH["description"],
        required=False,
        widget=forms.Textarea(attrs=_TEXTAREA),
    )


class NewSetForm(SetDetailsForm):
    """A new set: of which application, and of which kind."""

    application = ApplicationChoice(queryset=Application.objects.none(), label=_("Application"))
    kind = forms.ChoiceField(label=_("Kind"), choices=SetKind.choices, initial=SetKind.FUNCTIONAL)
    field_order = ["application", "name", "app_version", "kind", "description"]

    def __init__(self, *args: Any, applications: QuerySet[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["application"]
        assert isinstance(field, ApplicationChoice)
        field.queryset = applications


class ScenarioForm(forms.Form):
    """One scenario, in the columns of the agencies' spreadsheets."""

    number = forms.CharField(label=_("Scenario number"), max_length=MAX_LENGTH["number"])
    title = forms.CharField(label=_("Scenario title"), max_length=MAX_LENGTH["title"])
    requirement = forms.CharField(
        label=_("Requirement or function tested"),
        max_length=MAX_LENGTH["requirement"],
        required=False,
    )
    preconditions = forms.CharField(
        label=_("Preconditions"),
        max_length=MAX_LENGTH["preconditions"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    steps = forms.CharField(
        label=_("Test steps"),
        max_length=MAX_LENGTH["steps"],
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text=_("One step per line."),
    )
    input_data = forms.CharField(
        label=_("Input data"),
        max_length=MAX_LENGTH["input_data"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    expected = forms.CharField(
        label=_("Expected result"),
        max_length=MAX_LENGTH["expected"],
        widget=forms.Textarea(attrs=_TEXTAREA),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.MEDIUM
    )

    @staticmethod
    def initial_of(scenario: Scenario) -> dict[str, Any]:
        return {
            f: getattr(scenario, f)
            for f in (
                "number",
                "title",
                "requirement",
                "preconditions",
                "steps",
                "input_data",
                "expected",
                "priority",
            )
        }


class ImportForm(forms.Form):
    """A workbook to import in place of a set's scenarios."""

    file = forms.FileField(
        label=_("XLSX file"),
        help_text=_("One row per scenario, the header row first (see the template)."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class ImportNewForm(ImportForm):
    """A workbook imported as a new set of an application."""

    application = ApplicationChoice(queryset=Application.objects.none(), label=_("Application"))
    name = forms.CharField(label=_("Name of the new set"), max_length=SET_MAX_LENGTH["name"])
    field_order = ["application", "name", "file"]

    def __init__(self, *args: Any, applications: QuerySet[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["application"]
        assert isinstance(field, ApplicationChoice)
        field.queryset = applications
