"""Cases (running procedures), their steps, dispositions, attachments, journal and
notifications. Only the services in :mod:`laksana.cases.services` write these rows."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class Case(models.Model):
    """One running instance of a published procedure (permohonan, pengaduan, tiket)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey(
        "procedures.ProcedureVersion", on_delete=models.PROTECT, related_name="cases"
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    requesting_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("requesting unit"),
    )
    application = models.ForeignKey(
        "catalog.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("application"),
    )
    opened_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RUNNING
    )
    end_key = models.CharField(_("end"), max_length=100, blank=True)
    # The engine's state snapshot; the journal holds every event that led to it.
    state = models.JSONField(_("state"))
    opened_at = models.DateTimeField(_("opened at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The procedure's overall service time (its service-level block) from the opening, in
    # working time; None when the procedure states none.
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    # Head of the journal chain, kept on the row that is locked for every write.
    journal_seq = models.PositiveIntegerField(default=0)
    journal_hash = models.CharField(max_length=64, blank=True)
    # Lower-cased reference, title, description and requester, for search on every database.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        indexes = [
            # Per-unit case lists, newest first, filtered by status.
            models.Index(
                fields=["requesting_unit", "status", "-opened_at"], name="case_unit_status_idx"
            ),
            models.Index(fields=["agency", "status", "-opened_at"], name="case_agency_status_idx"),
            # The case list in its order (newest first), walked until a page is full: whole,
            # by status, and an application's cases (its record page).
            models.Index(fields=["-opened_at", "-id"], name="case_opened_idx"),
            models.Index(fields=["status", "-opened_at", "-id"], name="case_status_opened_idx"),
            models.Index(
                fields=["application", "-opened_at", "-id"], name="case_application_opened_idx"
            ),
            models.Index(
                fields=["requesting_unit", "-opened_at", "-id"], name="case_unit_opened_idx"
            ),
            # The overdue filter (running cases past their own due time): only running cases
            # with a due time, by it. The status stays the first column, as in the indexes of
            # active steps: without statistics the planners then prefer it to the status's.
            models.Index(
                fields=["status", "due_at"],
                condition=Q(status="running", due_at__isnull=False),
                name="case_overdue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class StepStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class CaseStep(models.Model):
    """One activation of a procedure step in a case (a step done twice in a loop has two)."""

    # Not indexed on its own: the unique (case, step_key, visit) index serves every lookup by
    # case, and each index is written on every step activation (docs/performance.md).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps", db_index=False)
    step_key = models.CharField(_("step"), max_length=100)
    visit = models.PositiveSmallIntegerField(default=1)
    actor_key = models.CharField(_("actor"), max_length=100)
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.ACTIVE
    )
    activated_at = models.DateTimeField(_("activated at"))
    claimed_by = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by"),
        db_index=False,  # see Meta.indexes: only steps that were claimed
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
        db_index=False,  # see Meta.indexes: only completed steps
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=100, blank=True)
    # Working time. due_at is computed when the step is activated, from its time standard and
    # the agency's working calendar (no standard: no due time), and moved only by a resume
    # after a hold; claiming and disposition never change it. Indexed for the overdue
    # dashboard, among the active steps only (see Meta.indexes): open steps whose due_at has
    # passed (status = active AND due_at < now).
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    # Set while the step is on hold (waiting on the requester): its clock is stopped.
    on_hold_since = models.DateTimeField(_("on hold since"), null=True, blank=True)
    hold_reason = models.CharField(_("reason for the hold"), max_length=300, blank=True)
    # Working minutes spent on hold so far (finished holds): not counted as time taken.
    held_minutes = models.FloatField(_("working minutes on hold"), default=0)
    # Set by the background sweeps, once each: the near-due notice, the overdue notice and
    # the escalation to the holder's superior.
    near_due_notified_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # A step of this case given to one person by the holder's superior: only they may do it.
    assigned_to = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case", "activated_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step_key", "visit"], name="case_step_visit_unique"
            )
        ]
        # The indexes hold only the rows their queries look for. Completing a step then takes
        # it out of the three indexes of active steps (small, and read and written where the
        # newest entries are) instead of moving it to the far end of three indexes of every
        # step, and a new step enters none of the indexes of people: fewer pages written on
        # every action (docs/performance.md, "How the step path is built"). The status stays
        # the first column of the indexes of active steps: without statistics SQLite's planner
        # judges an index by the columns its query fixes, and so keeps choosing them as it did.
        indexes = [
            # The inbox: active steps claimed by a person.
            models.Index(
                fields=["status", "claimed_by"],
                condition=Q(status="active", claimed_by__isnull=False),
                name="case_step_inbox_idx",
            ),
            # Active steps of an actor (the holders' inboxes, the visibility of bound actors).
            models.Index(
                fields=["status", "actor_key"],
                condition=Q(status="active"),
                name="case_step_actor_idx",
            ),
            # Open steps by due time: the sweeps (near due, overdue) and the overdue list.
            models.Index(
                fields=["status", "due_at"], condition=Q(status="active"), name="case_step_due_idx"
            ),
            # Steps a person claimed or completed (the visibility gate, the person's history).
            models.Index(
                fields=["claimed_by"],
                condition=Q(claimed_by__isnull=False),
                name="case_step_claimed_by_idx",
            ),
            models.Index(
                fields=["completed_by"],
                condition=Q(completed_by__isnull=False),
                name="case_step_completed_by_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.step_key}#{self.visit}"


class Urgency(models.TextChoices):
    BIASA = "biasa", _("Normal")
    SEGERA = "segera", _("Urgent")
    SANGAT_SEGERA = "sangat_segera", _("Very urgent")


class DispositionStatus(models.TextChoices):
    UNREAD = "unread", _("Unread")
    READ = "read", _("Read")
    FORWARDED = "forwarded", _("Forwarded")
    DONE = "done", _("Done")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_DISPOSITION = (DispositionStatus.UNREAD, DispositionStatus.READ)


class Disposition(models.Model):
    """A superior forwards a case or an active step to a subordinate with an instruction."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dispositions")
    step = models.ForeignKey(
        CaseStep, on_delete=models.CASCADE, null=True, blank=True, related_name="dispositions"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    sender = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    recipient = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    instruction = models.CharField(_("instruction"), max_length=300)
    urgency = models.CharField(
        _("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.BIASA
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DispositionStatus.choices,
        default=DispositionStatus.UNREAD,
    )
    created_at = models.DateTimeField(_("sent at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set by the SLA sweep, once, when the deadline of the open disposition has passed and its
    # recipient and sender were told.
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")
        ordering = ["created_at", "id"]
        indexes = [
            # The inbox: open dispositions to a person, and the unread badge.
            models.Index(fields=["recipient", "status"], name="disposition_inbox_idx"),
            # The sweep: open dispositions with a deadline not yet told, by deadline.
            models.Index(
                fields=["deadline"],
                condition=Q(
                    deadline__isnull=False,
                    overdue_notified_at__isnull=True,
                    status__in=["unread", "read"],
                ),
                name="disposition_deadline_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.instruction}"


class Participation(models.Model):
    """That a person took part in at least one case of a procedure requested by a unit:
    opened it, claimed or completed one of its steps, sent or received a disposition on it.
    One row per (person, procedure, requesting unit), written by the services in the same
    transaction as the action (``laksana.cases.participation``), never removed.

    The visibility gate reads it to rule out, before reading any case, the parts of its rule
    that cannot match a list filtered by procedure or requesting unit (a Kepala Dinas
    filtering by a procedure none of his people ever worked on). Every case has its opener's
    row, so the (procedure, requesting unit) pairs of all cases are here too."""

    # The row is its key (no id, no sequence to draw from on every action). Both foreign
    # keys are looked up through the key and the index below, which lead with them.
    pk = models.CompositePrimaryKey("person_id", "procedure_key", "requesting_unit_id")
    person = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    procedure_key = models.CharField(max_length=100)
    requesting_unit = models.ForeignKey(
        "org.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        indexes = [
            # "Has this unit requested cases of this procedure": the requesting-unit part.
            models.Index(fields=["requesting_unit", "procedure_key"], name="participation_unit_idx")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.procedure_key} / {self.requesting_unit_id}"


def _upload_to(instance: Attachment, filename: str) -> str:
    # A generated name: the original name is kept in a field, never used on disk.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """An uploaded file of a case, checked by content and stored under a generated name."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    step = models.ForeignKey(
        CaseStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    artifact_key = models.CharField(_("artifact"), max_length=100, blank=True)
    file = models.FileField(upload_to=_upload_to)
    thumbnail = models.FileField(upload_to=_upload_to, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def as_artifact_file(self) -> dict[str, object]:
        """The engine's file reference for this attachment."""
        return {
            "id": str(self.pk),
            "name": self.original_name,
            "content_type": self.content_type,
            "size": self.size,
        }


class JournalKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    STEP_ACTIVATED = "step_activated", _("Step activated")
    CLAIMED = "claimed", _("Claimed")
    DISPOSITIONED = "dispositioned", _("Dispositioned")
    READ = "read", _("Read")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMPLETED = "completed", _("Completed")
    COMMENT = "comment", _("Comment")
    FILE_ADDED = "file_added", _("File added")
    CLOSED = "closed", _("Closed")
    REMARK = "remark", _("Journal remark")
    HELD = "held", pgettext_lazy("journal event", "Put on hold")
    RESUMED = "resumed", _("Resumed")
    RELEASED = "released", _("Released")
    TAKEN_OVER = "taken_over", _("Taken over")
    # An official document of the case (laksana.documents): drafted, sent for initials and
    # signatures, initialled, signed, returned to its author, final.
    DOCUMENT_DRAFTED = "document_drafted", _("Document drafted")
    DOCUMENT_SUBMITTED = "document_submitted", _("Document sent for signature")
    INITIALLED = "initialled", _("Initialled")
    SIGNED = "signed", _("Signed")
    DOCUMENT_RETURNED = "document_returned", _("Document returned to its author")
    DOCUMENT_FINAL = "document_final", _("Document final")
    # A test of the case (laksana.quality): a SIT, UAT or security run begun, closed with its
    # result, reopened before its minutes were signed; a finding recorded.
    TEST_RUN_STARTED = "test_run_started", _("Test run started")
    TEST_RUN_CLOSED = "test_run_closed", _("Test run closed")
    TEST_RUN_REOPENED = "test_run_reopened", _("Test run reopened")
    FINDING_RECORDED = "finding_recorded", _("Finding recorded")
    # A monitored application of the case (laksana.monitoring): back up by itself, or down
    # again while the case it opened is still open.
    RECOVERED = "recovered", _("Recovered by itself")
    DOWN_AGAIN = "down_again", _("Down again")
    # The maintenance plan of the case (laksana.maintenance): a scheduled activity recorded
    # as done (or not done), a cycle's criteria evaluated, a computed criterion overridden.
    ACTIVITY_RECORDED = "activity_recorded", _("Maintenance activity recorded")
    CYCLE_EVALUATED = "cycle_evaluated", _("Maintenance cycle evaluated")
    CRITERION_OVERRIDDEN = "criterion_overridden", _("Criterion overridden")
    # Who does a step: one of a joint step's actors confirmed its part; a step reassigned to
    # another person by the holder's superior; a copy (tembusan) sent to its actors.
    JOINT_CONFIRMED = "joint_confirmed", _("Joint step confirmed")
    REASSIGNED = "reassigned", _("Reassigned")
    COPY_SENT = "copy_sent", _("Copy sent")


class JournalEntry(models.Model):
    """An append-only record of one event of a case, hash-chained to the one before it.

    ``hash`` covers the case reference, the sequence number, the kind, who, when, the data and
    the previous entry's hash, so changing or removing any entry breaks the chain from there on
    (``laksana journal verify``).
    """

    # Looked up by case through the unique (case, seq) index.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="journal", db_index=False)
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=JournalKind.choices)
    # Indexed only where there is one (see Meta.indexes): the engine's own entries (a step
    # activated) have none.
    actor = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    actor_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="journal_case_seq_unique")
        ]
        indexes = [
            models.Index(
                fields=["actor"], condition=Q(actor__isnull=False), name="journal_actor_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"


class Notification(models.Model):
    """An in-app notice that a step or disposition reached someone (the inbox badge)."""

    # Looked up by person through the (person, read_at) index.
    person = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.message


class Counter(models.Model):
    """Per agency and year, the last case number given out (for references)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.value}"


class JournalSeal(models.Model):
    """The daily seal of an agency's journal: a keyed digest (HMAC-SHA-256, with the key kept
    outside the database) over the hashes of every entry of the agency's cases dated on that
    day (in the agency's time zone), chained to the seal of the day before. Written once, by
    ``laksana journal seal`` or the worker's daily task, never changed (laksana.cases.seals)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField()
    first_entry_id = models.BigIntegerField(null=True, blank=True)
    last_entry_id = models.BigIntegerField(null=True, blank=True)
    digest = models.CharField(max_length=64)
    prev_digest = models.CharField(max_length=64, blank=True)
    # Which key made it (a digest of the key, not the key): a seal made with another key is
    # named as such instead of as a changed day.
    key_id = models.CharField(max_length=16)
    sealed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("journal seal")
        verbose_name_plural = _("journal seals")
        ordering = ["agency", "day"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="journal_seal_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.digest[:16]}"


class CaseActor(models.Model):
    """Who plays an actor chosen when the case opens (kind ``chosen``: the owner of the
    affected system, which differs per case)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="chosen_actors")
    actor_key = models.CharField(_("actor"), max_length=100)
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    chosen_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "actor_key"], name="case_actor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.actor_key}: {self.person_id}"


class JointConfirmation(models.Model):
    """One actor's part of a joint step (bersama) confirmed; the step completes once every
    actor of it has confirmed."""

    step = models.ForeignKey(CaseStep, on_delete=models.CASCADE, related_name="confirmations")
    actor_key = models.CharField(_("actor"), max_length=100)
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "actor_key"], name="joint_confirmation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.step_id}/{self.actor_key}"
