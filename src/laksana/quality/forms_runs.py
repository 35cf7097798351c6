"""Forms of the run and finding screens. They only read and shape the input; every rule is
the services' (:mod:`laksana.quality.runs`, :mod:`laksana.quality.findings`), whose refusals
the views put back on these forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from laksana.catalog.models import Environment
from laksana.org.models import Person
from laksana.quality.models import RetestResult, ScenarioSet, Severity, TestRun, Verdict

# How many participant rows the close form offers (empty ones are ignored).
PARTICIPANT_ROWS = 3
# The rows read back (the form shows the saved ones and empty ones after them).
MAX_PARTICIPANT_ROWS = 60


class StartForm(forms.Form):
    """Start a run for a step's artifact: what is tested, where, and what it repeats."""

    scenario_set = forms.ModelChoiceField(
        queryset=ScenarioSet.objects.none(),
        label=pgettext_lazy("test run", "Scenario set"),
        empty_label=None,
    )
    app_version = forms.CharField(
        label=pgettext_lazy("test run", "Application version"), max_length=60
    )
    environment = forms.ModelChoiceField(
        queryset=Environment.objects.none(),
        label=_("Environment"),
        required=False,
        empty_label=_("(not in the catalogue)"),
    )
    url = forms.CharField(
        label=pgettext_lazy("test run", "URL tested"),
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}),
    )
    place = forms.CharField(
        label=pgettext_lazy("test run", "Place"), max_length=200, required=False
    )
    retest_of = forms.ModelChoiceField(
        queryset=TestRun.objects.none(),
        label=pgettext_lazy("test run", "Retest of"),
        required=False,
        empty_label=_("(a first test)"),
    )

    def __init__(
        self,
        *args: Any,
        sets: QuerySet[ScenarioSet],
        environments: QuerySet[Environment],
        earlier: QuerySet[TestRun],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scenario_set"].queryset = sets  # type: ignore[attr-defined]
        self.fields["environment"].queryset = environments  # type: ignore[attr-defined]
        self.fields["retest_of"].queryset = earlier  # type: ignore[attr-defined]
        self.fields["environment"].label_from_instance = _environment_label  # type: ignore[attr-defined]
        self.fields["retest_of"].label_from_instance = _run_label  # type: ignore[attr-defined]


def _environment_label(env: Environment) -> str:
    where = env.domain or env.server
    return f"{env.get_kind_display()} · {where}" if where else str(env.get_kind_display())


def _run_label(run: TestRun) -> str:
    result = f" · {run.get_result_display()}" if run.result else ""
    return f"{run} · {run.app_version}{result}"


class VerdictForm(forms.Form):
    """A verdict on one scenario, with what the tester saw (the photos come as files)."""

    verdict = forms.ChoiceField(choices=Verdict.choices, label=pgettext_lazy("test run", "Verdict"))
    actual = forms.CharField(
        label=pgettext_lazy("test run", "Actual result"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(forms.Form):
    """Close a run: where it was held and notes for the minutes (participants are rows)."""

    place = forms.CharField(
        label=pgettext_lazy("test run", "Place"), max_length=200, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def participants_of(data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The participant rows of the close form (``participants-N-name``/``-position``), the
    empty ones left out."""
    rows: list[dict[str, str]] = []
    for i in range(MAX_PARTICIPANT_ROWS):
        name = str(data.get(f"participants-{i}-name", "")).strip()
        position = str(data.get(f"participants-{i}-position", "")).strip()
        if name or position:
            rows.append({"name": name, "position": position})
    return rows


def participant_rows(saved: list[Any]) -> list[dict[str, str]]:
    """The rows the close form shows: the saved participants, then empty ones."""
    rows = [
        {"name": str(p.get("name", "")), "position": str(p.get("position", ""))}
        for p in saved
        if isinstance(p, Mapping)
    ]
    rows += [{"name": "", "position": ""}] * max(PARTICIPANT_ROWS - len(rows), 1)
    return rows


class FindingForm(forms.Form):
    """A finding's facts: how bad, what, who follows it up by when."""

    severity = forms.ChoiceField(
        choices=Severity.choices,
        label=pgettext_lazy("test run", "Severity"),
        initial=Severity.MEDIUM,
    )
    title = forms.CharField(label=pgettext_lazy("test run", "Finding"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label=pgettext_lazy("test run", "Owner"),
        required=False,
        empty_label=_("(nobody yet)"),
    )
    due = forms.DateField(
        label=pgettext_lazy("test run", "Follow-up date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self, *args: Any, people: QuerySet[Person], facts: bool = True, **kwargs: Any
    ) -> None:
        """``facts``: whether severity, title and description may be changed (by a tester
        of the open run); otherwise they are shown as they are and only owner and date
        change."""
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]
        if not facts:
            for name in ("severity", "title", "description"):
                self.fields[name].disabled = True


class RetestForm(forms.Form):
    """The retest of a fixed finding."""

    result = forms.ChoiceField(
        choices=RetestResult.choices, label=pgettext_lazy("test run", "Retest result")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    """A note: to a fix, or the reason a risk is accepted."""

    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
