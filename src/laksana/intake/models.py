"""Requesters from outside the agency: citizens, students, civil servants as individuals,
other agencies. An agency opens chosen procedures to them (:class:`PublicService`); a request
filed on the public form (:class:`OutsideRequest`) opens a case once its e-mail address is
confirmed, and the requester follows the case and does its requester's steps through a secret
link. The agency's public desk (:class:`PublicDesk`) is the unit such cases are requested by
and the system account (no sign-in) that opens them and acts for the requester through the
link; its unit has no other member, so no staff member is offered a requester's step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicDesk(models.Model):
    """An agency's desk for outside requesters: its unit (kind ``public``) and its system
    account, made when the agency first opens a procedure to the public."""

    agency = models.OneToOneField(
        "org.Agency", on_delete=models.CASCADE, related_name="public_desk"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    robot = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("public desk")
        verbose_name_plural = _("public desks")

    def __str__(self) -> str:
        return f"public desk of agency {self.agency_id}"


class PublicService(models.Model):
    """A procedure an agency has opened to outside requesters, with its public page."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    procedure_key = models.CharField(_("procedure"), max_length=100)
    slug = models.SlugField(_("address"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    accepts_files = models.BooleanField(_("accepts files"), default=True)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("public service")
        verbose_name_plural = _("public services")
        ordering = ["agency", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure_key"], name="public_service_procedure_unique"
            ),
            models.UniqueConstraint(fields=["agency", "slug"], name="public_service_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class RequestStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting e-mail confirmation")
    OPENED = "opened", _("Opened as a case")
    SPAM = "spam", _("Marked as spam")
    EXPIRED = "expired", _("Not confirmed in time")


class OutsideRequest(models.Model):
    """A request filed on the public form. Its secrets (the confirmation token and the
    follow link's token) are kept only as SHA-256 hashes."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(PublicService, on_delete=models.PROTECT, related_name="requests")
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    # A requester who filed while signed in (their e-mail needs no confirmation).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.AWAITING
    )
    confirm_hash = models.CharField(max_length=64, blank=True, db_index=True)
    link_hash = models.CharField(max_length=64, blank=True, db_index=True)
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outside_request",
    )
    created_at = models.DateTimeField(_("filed at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Hashes of the client address and the e-mail address (rate limits, spam review).
    address_hash = models.CharField(max_length=64, blank=True)
    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    spam_at = models.DateTimeField(_("marked as spam at"), null=True, blank=True)
    spam_by = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    spam_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("request from outside")
        verbose_name_plural = _("requests from outside")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status", "-created_at"], name="outside_agency_idx")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.name})"


class RequestFile(models.Model):
    """A file sent with a request on the public form, attached to its case when it opens."""

    request = models.ForeignKey(OutsideRequest, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="intake/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return self.name


class IntakeCounter(models.Model):
    """How many requests a key (a hashed client address or e-mail, per service or agency)
    filed in one hour of the clock: the public form's rate limits."""

    key = models.CharField(max_length=64)
    slot = models.PositiveIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "slot"], name="intake_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]}@{self.slot}: {self.count}"


class FormToken(models.Model):
    """A single-use token of the public form, issued with the form and redeemed by the
    filing (hash only): a replayed or forged form is refused, and a form sent back too soon
    after it was issued is a script's."""

    token_hash = models.CharField(max_length=64, unique=True)
    service = models.ForeignKey(PublicService, on_delete=models.CASCADE, related_name="+")
    issued_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"form token {self.token_hash[:8]}"
