"""The maintenance module's records (SOP 000): maintenance plans per application and budget
year or per maintenance contract, their activities with schedules and executors, the dates
each activity falls due (occurrences, recorded with what was done), acceptance criteria with
targets per period, and the plan's cycles with each criterion's evaluation.

Writers are the services (:mod:`laksana.maintenance.plans` for plans, activities and criteria;
:mod:`laksana.maintenance.schedule` and :mod:`laksana.maintenance.activities` for occurrences;
:mod:`laksana.maintenance.cycles` for cycles and evaluations); nothing else writes these
tables.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # Its approval document is circulating for initials and signatures.
    SUBMITTED = "submitted", _("Awaiting approval")
    IN_FORCE = "in_force", _("In force")
    CLOSED = "closed", _("Closed")


class CycleLength(models.TextChoices):
    """How long one cycle of SOP 000 (maintain, evaluate, repeat) lasts."""

    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")


class Executor(models.TextChoices):
    """Who carries an activity out: this decides SOP 000's branch (row 3)."""

    VENDOR = "vendor", _("Vendor")
    INTERNAL = "internal", _("Internal team")


class ActivityKind(models.TextChoices):
    PREVENTIVE = "preventive", _("Preventive")
    CORRECTIVE = "corrective", _("Corrective")
    ADAPTIVE = "adaptive", _("Adaptive")
    PERFECTIVE = "perfective", _("Perfective")
    SECURITY_UPDATE = "security_update", _("Security update")
    BACKUP_RESTORE_TEST = "backup_restore_test", _("Backup and restore test")


class Schedule(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    DATES = "dates", _("On dates")


class Plan(models.Model):
    """A maintenance plan of one application: for a budget year, or for the period of one of
    its maintenance contracts (vendor, period and value from the catalogue)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        "catalog.Application", on_delete=models.CASCADE, related_name="maintenance_plans"
    )
    contract = models.ForeignKey(
        "catalog.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maintenance_plans",
        verbose_name=_("contract"),
    )
    budget_year = models.PositiveSmallIntegerField(_("budget year"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    objective = models.TextField(_("objective"))
    scope = models.TextField(_("scope"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    cycle_length = models.CharField(
        _("cycle"), max_length=10, choices=CycleLength.choices, default=CycleLength.MONTH
    )
    # Activities open this many working days before they fall due.
    lead_days = models.PositiveSmallIntegerField(_("open ahead (working days)"), default=5)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    # The SOP 000 case the plan runs in (row 1 produces it), and its approval document.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # Row 2 (penetapan kriteria penerimaan) fixes the criteria: none change after it.
    criteria_fixed_at = models.DateTimeField(_("criteria fixed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["agency", "status"], name="plan_agency_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="plan_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(contract__isnull=False) | Q(budget_year__isnull=False),
                name="plan_year_or_contract",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    """A planned activity: its kind, schedule (monthly or quarterly on the Nth working day of
    the month or quarter, or on given dates), executor, expected documentation and budget."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    title = models.CharField(_("activity"), max_length=300)
    executor = models.CharField(_("executor"), max_length=10, choices=Executor.choices)
    schedule = models.CharField(_("schedule"), max_length=10, choices=Schedule.choices)
    # monthly/quarterly: the Nth working day of the month (or of the quarter's first month).
    working_day = models.PositiveSmallIntegerField(_("working day of the period"), default=1)
    # dates: ISO dates ("2027-03-15"), each moved to the next working day if it is not one.
    dates = models.JSONField(_("dates"), default=list, blank=True)
    documentation = models.CharField(_("expected documentation"), max_length=300, blank=True)
    budget = models.DecimalField(
        _("budget (Rp)"), max_digits=15, decimal_places=0, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class OccurrenceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Not done")


class Occurrence(models.Model):
    """One time an activity falls due: the working day it is due (moved off holidays and cuti
    bersama), when it was opened to its executor, when and by whom it was done, what was done
    and its documentation (files in :class:`OccurrenceFile`). Late = not done by its due day."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="occurrences")
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="occurrences", db_index=False
    )
    cycle_number = models.PositiveSmallIntegerField()
    scheduled_on = models.DateField(_("scheduled on"))  # the date the schedule names
    due_on = models.DateField(_("due on"))  # that date moved to a working day
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OccurrenceStatus.choices,
        default=OccurrenceStatus.PLANNED,
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report = models.TextField(_("what was done"), blank=True)
    cost = models.DecimalField(
        _("cost (Rp)"), max_digits=15, decimal_places=0, null=True, blank=True
    )
    late_noticed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled activity")
        verbose_name_plural = _("scheduled activities")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["plan", "due_on"], name="occurrence_plan_due"),
            models.Index(fields=["status", "due_on"], name="occurrence_status_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["activity", "scheduled_on"], name="occurrence_once")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.due_on}"


def _occurrence_file_to(instance: OccurrenceFile, filename: str) -> str:
    return f"maintenance/{instance.occurrence.plan_id}/{instance.occurrence_id}/{filename}"


class OccurrenceFile(models.Model):
    """A documentation file of a done activity (checked as a case attachment is)."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_occurrence_file_to)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.original_name


class CriterionKind(models.TextChoices):
    AVAILABILITY = "availability", _("Availability (monitoring)")
    CASES_ON_TIME = "cases_on_time", _("Problem cases finished within their time standard")
    ACTIVITIES_ON_TIME = "activities_on_time", _("Scheduled activities done on time")
    OPEN_FINDINGS = "open_findings", _("Open test findings")
    RESTORE_TEST = "restore_test", _("Restore test done")
    JUDGED = "judged", _("Judged by the evaluator")


class CriterionPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    CYCLE = "cycle", _("Cycle")
    PLAN = "plan", _("Whole plan")


class Criterion(models.Model):
    """An acceptance criterion (kriteria penerimaan): a measurable indicator with its target
    and the period it is measured over, or a criterion a person judges with evidence.

    ``target``: availability and shares are percentages (achieved when the figure is at least
    the target); open findings is a count (achieved when at most the target, of ``severity``
    or worse); restore test is met by at least one done restore test in the period."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("indicator"), max_length=30, choices=CriterionKind.choices)
    label = models.CharField(_("criterion"), max_length=300)
    target = models.DecimalField(_("target"), max_digits=7, decimal_places=3, null=True, blank=True)
    period = models.CharField(
        _("period"), max_length=10, choices=CriterionPeriod.choices, default=CriterionPeriod.MONTH
    )
    severity = models.CharField(_("severity"), max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("acceptance criterion")
        verbose_name_plural = _("acceptance criteria")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.label


class Cycle(models.Model):
    """One cycle of the plan (a month or a quarter, the last one cut at the plan's end): the
    executor branch taken (row 3), its evaluation (row 6) and whether it was the last (row 7).
    ``evaluation``: one item per criterion — {criterion, label, kind, period_start,
    period_end, value, target, figures: {...}, computed: bool|None, achieved: bool,
    overridden: bool, reason, evidence}."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    executor = models.CharField(max_length=10, choices=Executor.choices, blank=True)
    evaluation = models.JSONField(default=list, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    evaluated_by = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="cycle_once")]

    def __str__(self) -> str:
        return f"{self.plan_id} #{self.number}"
