"""The monitoring module's records: monitors of an application's environments, the recent
check results, every change of a monitor's state, incidents of an application (each with at
most one recovery case), declared maintenance windows and each agency's settings.

Uptime and downtime are computed from :class:`StateChange` rows (intervals between changes),
never from sampling the results: results are kept only for the latency charts and pruned
after ``LAKSANA_MONITOR_RESULT_DAYS`` days.

Writers are the services (:mod:`laksana.monitoring.services` for monitors, windows and
settings; :mod:`laksana.monitoring.state` for what the checks find); nothing else writes
these tables.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    HTTP = "http", _("HTTP(S)")
    TCP = "tcp", _("TCP port")
    TLS = "tls", _("TLS certificate")
    DNS = "dns", _("DNS name")


class State(models.TextChoices):
    """A monitor's state: unknown until its first check has been counted."""

    UNKNOWN = "unknown", _("Unknown")
    UP = "up", _("Up")
    DOWN = "down", _("Down")


class Monitor(models.Model):
    """One check of one application (optionally of one of its catalogue environments).

    ``target`` is what is checked: a URL (``http``), ``host:port`` (``tcp``, ``tls``; TLS
    without a port means 443) or a host name (``dns``). The fields below ``active`` are the
    monitor's running state, written only by :mod:`laksana.monitoring.state` and the
    scheduler's claim."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        "catalog.Application", on_delete=models.CASCADE, related_name="monitors"
    )
    environment = models.ForeignKey(
        "catalog.Environment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitors",
        verbose_name=_("environment"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HTTP)
    target = models.CharField(_("address"), max_length=2000)
    # HTTP(S): the method, the status codes counted as up ("200-299,301"), a keyword that
    # must (or, with keyword_absent, must not) appear in the body, the slowest answer still
    # up, whether redirects are followed, request headers.
    method = models.CharField(_("method"), max_length=7, default="GET")
    expected_statuses = models.CharField(
        _("expected status codes"), max_length=200, default="200-399"
    )
    keyword = models.CharField(_("keyword"), max_length=200, blank=True)
    keyword_absent = models.BooleanField(_("keyword must not appear"), default=False)
    max_latency_ms = models.PositiveIntegerField(_("maximum latency (ms)"), null=True, blank=True)
    follow_redirects = models.BooleanField(_("follow redirects"), default=True)
    headers = models.JSONField(_("request headers"), default=dict, blank=True)
    # TLS (and HTTPS): down when the certificate expires within this many days.
    tls_min_days = models.PositiveSmallIntegerField(
        _("certificate valid for at least (days)"), default=7
    )
    # DNS: an address that must be among the answers (blank: any answer).
    dns_expected = models.CharField(_("expected address"), max_length=100, blank=True)
    interval_seconds = models.PositiveIntegerField(_("check every (seconds)"), default=60)
    timeout_seconds = models.PositiveSmallIntegerField(_("timeout (seconds)"), default=10)
    fail_after = models.PositiveSmallIntegerField(_("failures to open an incident"), default=3)
    recover_after = models.PositiveSmallIntegerField(_("successes to close it"), default=2)
    # Whether the monitor's state is the application's (a staging check usually is not).
    counts_for_application = models.BooleanField(_("counts for the application"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    # Running state.
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.UNKNOWN
    )
    state_since = models.DateTimeField(_("since"), null=True, blank=True)
    fails_in_row = models.PositiveIntegerField(default=0)
    oks_in_row = models.PositiveIntegerField(default=0)
    # The first check of the current streak (the time a change is dated with).
    streak_since = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_ok = models.BooleanField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=30, blank=True)
    last_reason = models.CharField(max_length=300, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    # A scheduler that took the monitor holds it until this time (never twice at once).
    running_until = models.DateTimeField(null=True, blank=True)
    cert_expires_at = models.DateTimeField(_("certificate expires"), null=True, blank=True)
    # The expiry a notice was raised for (one notice per certificate).
    cert_noticed_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("monitor")
        verbose_name_plural = _("monitors")
        ordering = ["application", "name", "pk"]
        indexes = [
            models.Index(fields=["active", "next_due_at"], name="monitor_due"),
            models.Index(fields=["agency", "state"], name="monitor_agency_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(fail_after__gte=1), name="monitor_fail_after_min"),
            models.CheckConstraint(
                condition=Q(recover_after__gte=1), name="monitor_recover_after_min"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CheckResult(models.Model):
    """One check's result, kept for the latency charts (pruned after a few days)."""

    monitor = models.ForeignKey(
        Monitor, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    at = models.DateTimeField()
    ok = models.BooleanField()
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # What failed (a code of laksana.monitoring.probes.Error; blank when up) and its detail
    # (language-neutral: "500", "10", "2026-01-31", an address); shown through probes.describe.
    error = models.CharField(max_length=30, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["monitor", "at"], name="result_monitor_at")]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.at:%Y-%m-%d %H:%M:%S} {'up' if self.ok else 'down'}"


class StateChange(models.Model):
    """A change of a monitor's state (unknown→up, up→down, down→up, ...): when it happened
    (the first check of the streak that made it), when it was counted (the check that reached
    the threshold) and why. Uptime is computed from these rows. Append-only."""

    monitor = models.ForeignKey(
        Monitor, on_delete=models.CASCADE, related_name="changes", db_index=False
    )
    application = models.ForeignKey(
        "catalog.Application", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    at = models.DateTimeField(_("at"))
    detected_at = models.DateTimeField(_("detected at"))
    old_state = models.CharField(max_length=10, choices=State.choices)
    new_state = models.CharField(max_length=10, choices=State.choices)
    # The check that made the change: its error code and detail (as on CheckResult).
    error = models.CharField(max_length=30, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    cert_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["monitor", "at"], name="change_monitor_at"),
            models.Index(fields=["application", "at"], name="change_application_at"),
        ]

    def __str__(self) -> str:
        return f"{self.monitor_id}: {self.old_state} → {self.new_state} at {self.at:%Y-%m-%d %H:%M}"


class Incident(models.Model):
    """An application down: from its first counted monitor going down to all its counted
    monitors up again. At most one open incident per application (a constraint); its recovery
    case is opened once, not while a maintenance window covers it, and not again while an
    earlier incident's case is still open (then ``case`` names that case)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        "catalog.Application", on_delete=models.CASCADE, related_name="incidents"
    )
    started_at = models.DateTimeField(_("started at"))
    detected_at = models.DateTimeField(_("detected at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    error = models.CharField(max_length=30, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The failed checks that opened it: [{monitor, name, at, reason, status, latency_ms}].
    evidence = models.JSONField(default=list)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # True when the case is an earlier incident's, still open when this one began.
    case_reused = models.BooleanField(default=False)
    # Began (or was still) inside a declared maintenance window: no case for it.
    in_maintenance = models.BooleanField(default=False)
    recovery_noted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["application", "started_at"], name="incident_app_started")]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(ended_at__isnull=True), name="incident_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} since {self.started_at:%Y-%m-%d %H:%M}"


class MaintenanceWindow(models.Model):
    """A declared maintenance window of an application: its incidents open no case."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        "catalog.Application", on_delete=models.CASCADE, related_name="maintenance_windows"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["application", "starts_at"], name="window_app_starts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="window_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        span = f"{self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"
        return f"{self.application_id}: {span}"


class MonitoringSettings(models.Model):
    """An agency's monitoring settings: the procedure its incidents open (SOP 004 by
    default), the unit its recovery cases are opened for when the application names none,
    whether its status page is public, how early a certificate's expiry is announced, and the
    system account (no sign-in) that opens the cases."""

    agency = models.OneToOneField("org.Agency", on_delete=models.CASCADE, related_name="+")
    procedure_key = models.CharField(
        _("recovery procedure"), max_length=100, default="sop-004-pemulihan-gagal-fungsi-ipas"
    )
    reporting_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporting unit"),
    )
    status_public = models.BooleanField(_("public status page"), default=False)
    cert_notice_days = models.PositiveSmallIntegerField(
        _("announce certificate expiry (days before)"), default=30
    )
    robot = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("monitoring settings")
        verbose_name_plural = _("monitoring settings")

    def __str__(self) -> str:
        return f"monitoring of agency {self.agency_id}"
