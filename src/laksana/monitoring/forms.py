"""Forms of the monitoring screens. They only shape input (numbers, checkboxes, the header
lines): the rules (limits, addresses the monitors may reach, the environment of the same
application) are the services' (:mod:`laksana.monitoring.services`), whose refusals
:func:`add_service_errors` puts next to the fields they concern."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from laksana.catalog.models import Environment
from laksana.errors import ServiceError
from laksana.monitoring import inputs
from laksana.monitoring.models import Kind, Monitor
from laksana.org.models import Unit

METHODS = [(m, m) for m in inputs.METHODS]

# The service's field names that differ from the form's.
_FIELD_OF = {"environment_id": "environment", "reporting_unit_id": "reporting_unit"}

# The monitor form's groups: (legend, fields), in order.
MONITOR_GROUPS: list[tuple[Any, list[str]]] = [
    (_("Address and kind"), ["name", "kind", "target", "environment"]),
    (
        _("HTTP options"),
        [
            "method",
            "expected_statuses",
            "keyword",
            "keyword_absent",
            "max_latency_ms",
            "follow_redirects",
            "headers",
        ],
    ),
    (_("TLS certificate"), ["tls_min_days"]),
    (_("DNS"), ["dns_expected"]),
    (
        _("Timing and thresholds"),
        [
            "interval_seconds",
            "timeout_seconds",
            "fail_after",
            "recover_after",
            "counts_for_application",
            "active",
        ],
    ),
]


def add_service_errors(form: forms.Form, exc: ServiceError) -> None:
    """Put a service's refusal onto the form: each problem on its field, or on the form."""
    errors = getattr(exc, "errors", None) or {exc.field or "": [exc.message]}
    for name, messages in errors.items():
        name = _FIELD_OF.get(name, name)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class EnvironmentChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        kind = str(obj.get_kind_display())
        return f"{kind} · {obj.domain}" if obj.domain else kind


def _number(label: Any, help_text: Any = "", *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=0,
        max_value=2_000_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def headers_text(headers: dict[str, str]) -> str:
    """Request headers as the form shows them: one ``Name: value`` per line."""
    return "\n".join(f"{k}: {v}" for k, v in headers.items())


class MonitorForm(forms.Form):
    """Every field of :class:`laksana.monitoring.services.MonitorInput`."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Empty: the application's name and the environment's."),
    )
    kind = forms.ChoiceField(label=_("Kind of check"), choices=Kind.choices, initial=Kind.HTTP)
    target = forms.CharField(
        label=_("Address"),
        max_length=2000,
        help_text=_(
            "HTTP(S): the full URL (https://…); TCP and TLS: host:port (TLS without a port "
            "checks 443); DNS: the host name."
        ),
    )
    environment = EnvironmentChoice(
        queryset=Environment.objects.none(),
        label=_("Environment"),
        required=False,
        help_text=_("The application's environment in the catalogue this address belongs to."),
    )
    method = forms.ChoiceField(label=_("HTTP method"), choices=METHODS, initial="GET")
    expected_statuses = forms.CharField(
        label=_("Expected status codes"),
        max_length=200,
        initial="200-399",
        help_text=_("Ranges and codes separated by commas, e.g. 200-299,301."),
    )
    keyword = forms.CharField(
        label=_("Keyword"),
        max_length=200,
        required=False,
        help_text=_("A text that must appear in the answer (empty: not checked)."),
    )
    keyword_absent = forms.BooleanField(label=_("The keyword must not appear"), required=False)
    max_latency_ms = _number(
        _("Maximum latency (ms)"),
        _("A slower answer counts as down (empty: no limit)."),
        required=False,
    )
    follow_redirects = forms.BooleanField(label=_("Follow redirects"), required=False, initial=True)
    headers = forms.CharField(
        label=_("Request headers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One header per line: Name: value."),
    )
    tls_min_days = _number(
        _("Certificate valid for at least (days)"),
        _("Down when the certificate expires sooner (TLS and HTTPS)."),
    )
    dns_expected = forms.CharField(
        label=_("Expected address"),
        max_length=100,
        required=False,
        help_text=_("An address that must be among the DNS answers (empty: any answer)."),
    )
    interval_seconds = _number(_("Check every (seconds)"), _("From 10 to 86400."))
    timeout_seconds = _number(_("Timeout (seconds)"), _("From 1 to 60, shorter than the interval."))
    fail_after = _number(
        _("Failures to open an incident"), _("Failed checks in a row before it is down.")
    )
    recover_after = _number(
        _("Successes to close it"), _("Good checks in a row before it is up again.")
    )
    counts_for_application = forms.BooleanField(
        label=_("Counts for the application's state"),
        required=False,
        initial=True,
        help_text=_("Leave unticked for a check of a test environment."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, environments: QuerySet[Environment], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        defaults = {
            "tls_min_days": 7,
            "interval_seconds": 60,
            "timeout_seconds": 10,
            "fail_after": 3,
            "recover_after": 2,
        }
        kwargs["initial"] = {**defaults, **kwargs["initial"]}
        super().__init__(*args, **kwargs)
        field = self.fields["environment"]
        assert isinstance(field, EnvironmentChoice)
        field.queryset = environments

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The fields in their groups, for the template."""
        return [(legend, [self[name] for name in names]) for legend, names in MONITOR_GROUPS]

    def clean_headers(self) -> dict[str, str]:
        text = self.cleaned_data.get("headers") or ""
        headers: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, value = line.partition(":")
            if not sep or not name.strip():
                raise forms.ValidationError(
                    _("Line %(number)s is not “Name: value”.") % {"number": number}
                )
            headers[name.strip()] = value.strip()
        return headers

    def data_for_service(self) -> dict[str, Any]:
        """The cleaned fields as :class:`MonitorInput`'s keyword arguments."""
        data = dict(self.cleaned_data)
        environment = data.pop("environment", None)
        data["environment_id"] = environment.pk if environment is not None else None
        return data

    @staticmethod
    def initial_of(monitor: Monitor) -> dict[str, Any]:
        names = [n for _legend, names in MONITOR_GROUPS for n in names]
        initial = {n: getattr(monitor, n) for n in names if n not in ("environment", "headers")}
        initial["environment"] = monitor.environment_id
        initial["headers"] = headers_text(monitor.headers or {})
        return initial


class WindowForm(forms.Form):
    """A maintenance window; the times are read in the agency's time zone."""

    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if isinstance(start, dt.datetime) and isinstance(end, dt.datetime) and end <= start:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class UnitChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class SettingsForm(forms.Form):
    """An agency's monitoring settings."""

    procedure_key = forms.ChoiceField(
        label=_("Recovery procedure"),
        help_text=_("The procedure a case is opened of when an application goes down."),
    )
    reporting_unit = UnitChoice(
        queryset=Unit.objects.none(),
        label=_("Reporting unit"),
        required=False,
        help_text=_(
            "The unit the cases are opened for when the application names no owner or "
            "managing unit."
        ),
    )
    status_public = forms.BooleanField(
        label=_("Public status page"),
        required=False,
        help_text=_(
            "Anyone may read the status page, without addresses, reasons or cases; "
            "otherwise only the agency's members."
        ),
    )
    cert_notice_days = forms.IntegerField(
        label=_("Announce certificate expiry (days before)"),
        min_value=0,
        max_value=32767,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(
        self,
        *args: Any,
        procedures: list[tuple[str, str]],
        units: QuerySet[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["procedure_key"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = procedures
        unit = self.fields["reporting_unit"]
        assert isinstance(unit, UnitChoice)
        unit.queryset = units
