"""The testing module's records: scenario sets and their revisions, test runs with the exact
text each tested, verdicts with evidence, and findings (temuan).

A scenario set belongs to one application of one agency. Its scenarios are edited in place;
every change to the set makes a new :class:`ScenarioSetRevision` holding the whole set as it
then was, and a run copies the scenarios of the revision it tests into its own
:class:`RunItem` rows: editing a scenario never changes what an earlier run recorded.

Writers are the services (:mod:`laksana.quality.scenarios`, :mod:`laksana.quality.runs`,
:mod:`laksana.quality.findings`); nothing else writes these tables.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    HIGH = "tinggi", _("High")
    MEDIUM = "sedang", _("Medium")
    LOW = "rendah", _("Low")


class SetKind(models.TextChoices):
    """What a set tests: the application's functions, or security (a checklist)."""

    FUNCTIONAL = "fungsional", _("Functional")
    SECURITY = "keamanan", _("Security")


class ScenarioSet(models.Model):
    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        "catalog.Application", on_delete=models.CASCADE, related_name="scenario_sets"
    )
    name = models.CharField(_("name"), max_length=200)
    # The version of the application the set was written for ("2.1"); empty: any version.
    app_version = models.CharField(_("application version"), max_length=60, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=SetKind.choices, default=SetKind.FUNCTIONAL
    )
    description = models.TextField(_("description"), blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=0)  # the latest revision
    archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("scenario set")
        verbose_name_plural = _("scenario sets")
        ordering = ["application", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class Scenario(models.Model):
    """A scenario as it is now (the editable text). Runs keep their own copy."""

    set = models.ForeignKey(ScenarioSet, on_delete=models.CASCADE, related_name="scenarios")
    position = models.PositiveIntegerField(_("position"))
    number = models.CharField(_("scenario number"), max_length=30)
    title = models.CharField(_("title"), max_length=300)
    requirement = models.CharField(_("requirement or function"), max_length=300, blank=True)
    preconditions = models.TextField(_("preconditions"), blank=True)
    steps = models.TextField(_("steps"))
    input_data = models.TextField(_("input data"), blank=True)
    expected = models.TextField(_("expected result"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["set", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["set", "number"], name="scenario_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


# The texts of a scenario, in the order of the spreadsheet's columns and of a run's copy.
SCENARIO_FIELDS = (
    "number",
    "title",
    "requirement",
    "preconditions",
    "steps",
    "input_data",
    "expected",
    "priority",
)


class ScenarioSetRevision(models.Model):
    """The whole set as it was after one change: ``scenarios`` is a list of mappings with
    :data:`SCENARIO_FIELDS`. Append-only."""

    set = models.ForeignKey(ScenarioSet, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    scenarios = models.JSONField(_("scenarios"), default=list)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("scenario set revision")
        verbose_name_plural = _("scenario set revisions")
        ordering = ["set", "number"]
        constraints = [
            models.UniqueConstraint(fields=["set", "number"], name="scenario_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.set} r{self.number}"


class RunKind(models.TextChoices):
    SIT = "sit", _("System Internal Test (SIT)")
    UAT = "uat", _("User Acceptance Test (UAT)")
    SECURITY = "keamanan", _("Security test")


class RunStatus(models.TextChoices):
    OPEN = "terbuka", _("In progress")
    CLOSED = "ditutup", _("Closed, minutes being signed")
    SIGNED = "final", _("Signed")


class RunResult(models.TextChoices):
    """The run's result, derived by :func:`laksana.quality.rule.result_of`."""

    ACCEPTED = "diterima", _("Accepted")
    ACCEPTED_WITH_NOTES = "diterima_dengan_catatan", _("Accepted with notes")
    REJECTED = "ditolak", _("Rejected")


class Verdict(models.TextChoices):
    PASSED = "lulus", _("Passed")
    FAILED = "gagal", _("Failed")
    BLOCKED = "diblokir", _("Blocked")
    NOT_RUN = "tidak_dijalankan", _("Not run")


class TestRun(models.Model):
    """One SIT, UAT or security test of one application version in one environment, for one
    step of one case (the step whose output is the run's minutes or report)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="test_runs")
    step = models.ForeignKey("cases.CaseStep", on_delete=models.CASCADE, related_name="+")
    artifact_key = models.CharField(_("artifact"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=RunKind.choices)
    application = models.ForeignKey(
        "catalog.Application", on_delete=models.CASCADE, related_name="test_runs"
    )
    app_version = models.CharField(_("application version"), max_length=60)
    environment = models.ForeignKey(
        "catalog.Environment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("environment"),
    )
    url = models.CharField(_("URL tested"), max_length=500, blank=True)
    scenario_set = models.ForeignKey(
        ScenarioSet, on_delete=models.PROTECT, related_name="runs", verbose_name=_("scenario set")
    )
    set_revision = models.PositiveIntegerField(_("scenario set revision"))
    # A retest refers to the run it repeats.
    retest_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="retests"
    )
    number = models.PositiveIntegerField(_("run number"))  # per case and kind: "UAT 1, 2, ..."
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.OPEN
    )
    result = models.CharField(_("result"), max_length=30, choices=RunResult.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Who else took part (name, position) besides the testers, for the minutes.
    participants = models.JSONField(_("participants"), default=list, blank=True)
    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("minutes"),
    )
    opened_by = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_by = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("test run")
        verbose_name_plural = _("test runs")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["application", "-opened_at"], name="testrun_application_idx"),
            models.Index(fields=["case", "number"], name="testrun_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == RunStatus.OPEN


class RunItem(models.Model):
    """A scenario as the run tested it (copied when the run began), and its verdict."""

    run = models.ForeignKey(TestRun, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"))
    number = models.CharField(_("scenario number"), max_length=30)
    title = models.CharField(_("title"), max_length=300)
    requirement = models.CharField(_("requirement or function"), max_length=300, blank=True)
    preconditions = models.TextField(_("preconditions"), blank=True)
    steps = models.TextField(_("steps"))
    input_data = models.TextField(_("input data"), blank=True)
    expected = models.TextField(_("expected result"))
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, blank=True)
    actual = models.TextField(_("actual result"), blank=True)
    tested_by = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tested_at = models.DateTimeField(_("tested at"), null=True, blank=True)

    class Meta:
        verbose_name = _("tested scenario")
        verbose_name_plural = _("tested scenarios")
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="runitem_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


def _evidence_upload_to(instance: Evidence, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"quality/{instance.item.run_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file (a photo, a screenshot) that shows what a tester saw. Checked on upload as
    case attachments are (:func:`laksana.cases.uploads.check_upload`)."""

    item = models.ForeignKey(RunItem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=_evidence_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["item", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Severity(models.TextChoices):
    CRITICAL = "kritis", _("Critical")
    HIGH = "tinggi", _("High")
    MEDIUM = "sedang", _("Medium")
    LOW = "rendah", _("Low")
    INFO = "info", _("Informational")


class FindingStatus(models.TextChoices):
    OPEN = "terbuka", _("Open")
    FIXED = "diperbaiki", _("Fixed, to be retested")
    CLOSED = "selesai", _("Closed")
    ACCEPTED = "diterima", _("Accepted risk")


class RetestResult(models.TextChoices):
    PASSED = "lulus", _("Passed")
    FAILED = "gagal", _("Failed")


class FindingSource(models.TextChoices):
    TESTER = "penguji", _("Tester")
    ZAP = "zap", _("OWASP ZAP report")


class Finding(models.Model):
    """A temuan: what is wrong, how bad, who follows it up by when, and its retest."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(TestRun, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(
        RunItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    number = models.PositiveIntegerField(_("number"))  # per run: T-1, T-2, ...
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    title = models.CharField(_("finding"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        "org.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due = models.DateField(_("follow-up date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    retest_result = models.CharField(
        _("retest result"), max_length=10, choices=RetestResult.choices, blank=True
    )
    retest_note = models.TextField(_("retest note"), blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=FindingSource.choices, default=FindingSource.TESTER
    )
    # For a scanner's alert: its rule (ZAP plugin id), CWE, and where it was seen.
    rule = models.CharField(_("rule"), max_length=60, blank=True)
    cwe = models.CharField("CWE", max_length=20, blank=True)
    location = models.TextField(_("location"), blank=True)
    # The problem case opened for it, if any.
    problem_case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="finding_unique_number")
        ]
        indexes = [models.Index(fields=["agency", "status"], name="finding_status_idx")]

    def __str__(self) -> str:
        return f"T-{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in (FindingStatus.OPEN, FindingStatus.FIXED)
