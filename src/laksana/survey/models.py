"""The satisfaction survey's records (SKM, PermenPANRB No. 14/2017): the agency's questionnaire
(the nine unsur, their order and wording, and how requesters are invited), surveys per service
and period, their anonymous answers, the invitations sent to the requesters of closed cases,
the imports of past answers, and the single-use tokens of the public form.

Anonymity: :class:`Answer` has no column that names or points to a person, an invitation, a
case, a client address or a moment finer than the day; :class:`Invitation` records only
*whether* it was answered, never when or which answer. Nothing joins the two.

Writers are the services (:mod:`laksana.survey.services`, :mod:`laksana.survey.answers`,
:mod:`laksana.survey.invitations`, :mod:`laksana.survey.imports`); nothing else writes these
tables.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

UNSUR_COUNT = 9  # PermenPANRB 14/2017: nine elements, columns u1..u9 of an answer


class ServiceKind(models.TextChoices):
    """What a survey asks about."""

    PROCEDURE = "procedure", _("Procedure")
    APPLICATION = "application", _("Application")
    UNIT_SERVICE = "unit_service", _("Service of a unit")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("survey status", "Draft")
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", pgettext_lazy("survey status", "Closed")


class Channel(models.TextChoices):
    """How an answer came in (never who gave it)."""

    INVITATION = "invitation", _("Invitation")
    PUBLIC = "public", _("Public link")
    IMPORT = "import", _("Imported")


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class Education(models.TextChoices):
    SD = "sd", _("Primary school (SD) or lower")
    SMP = "smp", _("Junior high school (SMP)")
    SMA = "sma", _("Senior high school (SMA/SMK)")
    D1_D3 = "d1_d3", _("Diploma (D1–D3)")
    D4_S1 = "d4_s1", _("Bachelor (D4/S1)")
    S2 = "s2", _("Master (S2)")
    S3 = "s3", _("Doctorate (S3)")


class Occupation(models.TextChoices):
    PNS = "pns", _("Civil servant (PNS/PPPK)")
    TNI_POLRI = "tni_polri", _("TNI/POLRI")
    PRIVATE = "swasta", _("Private employee")
    ENTREPRENEUR = "wirausaha", _("Entrepreneur")
    STUDENT = "pelajar", _("Pupil or student")
    OTHER = "lainnya", _("Other")


class SurveySettings(models.Model):
    """An agency's questionnaire and invitation rules. ``elements`` is the ordered list of the
    nine unsur: ``{"key", "name", "question", "labels": [four answer labels, score 1..4]}``
    (:data:`laksana.survey.elements.DEFAULT_ELEMENTS` until the agency changes it)."""

    agency = models.OneToOneField("org.Agency", on_delete=models.CASCADE, related_name="+")
    elements = models.JSONField(_("elements"), default=list)
    invite_requesters = models.BooleanField(_("invite requesters of closed cases"), default=True)
    invite_delay_hours = models.PositiveIntegerField(_("invitation delay (hours)"), default=24)
    invite_share = models.PositiveSmallIntegerField(_("share of cases invited (%)"), default=100)
    invite_expiry_days = models.PositiveSmallIntegerField(
        _("invitation expires after (days)"), default=14
    )
    public_per_hour = models.PositiveSmallIntegerField(
        _("public answers per address per hour"), default=5
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")

    def __str__(self) -> str:
        return f"survey settings {self.agency_id}"


class Survey(models.Model):
    """One survey of one service over one period, with the questionnaire it asks (a copy of
    the agency's elements when it was made: later changes do not alter it)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    service_kind = models.CharField(_("service kind"), max_length=20, choices=ServiceKind.choices)
    # PROCEDURE: the procedure's key; APPLICATION: the application; UNIT_SERVICE: the unit
    # and the service's name.
    procedure_key = models.CharField(_("procedure"), max_length=100, blank=True)
    application = models.ForeignKey(
        "catalog.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("application"),
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    service_name = models.CharField(_("service"), max_length=200, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # The number of people served in the period (for the minimum sample); unknown: blank.
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    method = models.TextField(_("method"), blank=True)
    elements = models.JSONField(_("elements"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    # The public link /survei/<public_code>/ (walk-in respondents, QR code); off: no link.
    public_code = models.CharField(max_length=40, unique=True)
    public_enabled = models.BooleanField(_("public link open"), default=False)
    invite_requesters = models.BooleanField(_("invite requesters of closed cases"), default=True)
    # Rencana tindak lanjut: [{"unsur", "action", "due", "responsible"}], written by the unit.
    follow_up = models.JSONField(_("follow-up plan"), default=list, blank=True)
    created_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-period_start", "-id"]
        indexes = [
            models.Index(fields=["agency", "status", "-period_start"], name="survey_agency_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="survey_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


def _score(name: str) -> models.PositiveSmallIntegerField[int, int]:
    return models.PositiveSmallIntegerField(name)


class Answer(models.Model):
    """One respondent's answer: the score (1..4) of each of the survey's nine elements, in the
    survey's order, the profile the respondent chose to give, and a suggestion. No column
    names or points to a person (see the module's text)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    submitted_on = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    u1 = _score("U1")
    u2 = _score("U2")
    u3 = _score("U3")
    u4 = _score("U4")
    u5 = _score("U5")
    u6 = _score("U6")
    u7 = _score("U7")
    u8 = _score("U8")
    u9 = _score("U9")
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    education = models.CharField(
        _("education"), max_length=10, choices=Education.choices, blank=True
    )
    occupation = models.CharField(
        _("occupation"), max_length=12, choices=Occupation.choices, blank=True
    )
    suggestion = models.TextField(_("suggestion"), blank=True)
    # The import that brought it (past periods); never a person's answer link.
    batch = models.ForeignKey(
        "survey.ImportBatch", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["survey", "submitted_on"], name="answer_survey_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"u{i}__gte": 1}) & Q(**{f"u{i}__lte": 4}),
                name=f"answer_u{i}_range",
            )
            for i in range(1, UNSUR_COUNT + 1)
        ]

    def __str__(self) -> str:
        return f"answer {self.pk} ({self.submitted_on})"


class ImportBatch(models.Model):
    """Past answers read from a spreadsheet into a survey (all rows or none)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(max_length=255)
    rows = models.PositiveIntegerField()
    by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class InvitationStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")


class Invitation(models.Model):
    """The requester of a closed case invited to answer a survey, once. The link carries a
    secret whose SHA-256 is kept here; answering marks the invitation answered and records
    nothing else about the answer."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    token_sha256 = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.WAITING
    )
    created_at = models.DateTimeField()
    send_after = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "send_after"], name="invitation_due_idx")]

    def __str__(self) -> str:
        return f"invitation {self.pk}"


class PublicToken(models.Model):
    """A public form handed out: used once (its SHA-256 is kept until it expires), so a
    replayed or scripted submission of the same form is refused."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    token_sha256 = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"public token {self.pk}"
