"""An agency's working calendar as rows: its weekly schedule, special schedule periods
(Ramadan), local day changes, and the append-only journal of every change made to them.

Only :mod:`laksana.worktime.services` writes these rows; :func:`laksana.worktime.services.
calendar_for` turns them into the engine's :class:`~laksana.engine.worktime.Calendar` (the
national holidays and cuti bersama come from the ``holidays`` package, not from here). The
agency's time zone is :attr:`laksana.org.models.Agency.time_zone`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from laksana.engine.worktime import DEFAULT_SCHEDULE


def _default_schedule() -> str:
    return DEFAULT_SCHEDULE.to_text()


class WorkCalendar(models.Model):
    """One agency's calendar settings. An agency without a row works the national calendar
    (the default schedule, no periods, no local changes) in its time zone."""

    agency = models.OneToOneField(
        "org.Agency", on_delete=models.CASCADE, related_name="work_calendar"
    )
    # The weekly schedule in the text form of WeeklySchedule.parse.
    schedule = models.TextField(_("weekly schedule"), default=_default_schedule)
    # Raised by every change (in the same transaction): the per-process calendar cache keys
    # on it, so a change made in one process is seen by every other on its next use.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("last changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")

    def __str__(self) -> str:
        return f"{self.agency}: {self.schedule}"


class CalendarPeriod(models.Model):
    """A date range (both ends included) that follows another weekly schedule: Ramadan, or
    a one-day period that makes a Saturday a working day."""

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(_("name"), max_length=200)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    schedule = models.TextField(_("weekly schedule"))

    class Meta:
        verbose_name = _("schedule period")
        verbose_name_plural = _("schedule periods")
        ordering = ["calendar", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="calendar_period_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start}..{self.end}"


class DayChangeKind(models.TextChoices):
    CLOSURE = "closure", _("Day off added")
    REMOVED = "removed", _("Day off worked")
    MOVED = "moved", _("Day off moved")


class CalendarDayChange(models.Model):
    """A local change to the non-working days, applied in order (by id) after the national
    list: a closure (``day`` is off, named ``name``), a removed day off (``day`` is worked),
    or a moved day off (``day`` is worked and ``target`` is off, named ``name``)."""

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="day_changes")
    kind = models.CharField(_("kind"), max_length=20, choices=DayChangeKind.choices)
    day = models.DateField(_("day"))
    target = models.DateField(_("moved to"), null=True, blank=True)
    # A closure's or moved day's name; for a removed day, the name the day had.
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("day change")
        verbose_name_plural = _("day changes")
        ordering = ["calendar", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="moved", target__isnull=False)
                | (~models.Q(kind="moved") & models.Q(target__isnull=True)),
                name="calendar_day_change_target",
            )
        ]

    def __str__(self) -> str:
        if self.target is not None:
            return f"{self.day} → {self.target} {self.name}"
        return f"{self.get_kind_display()} {self.day} {self.name}"


class CalendarAction(models.TextChoices):
    TIME_ZONE = "time_zone", _("Time zone changed")
    SCHEDULE = "schedule", _("Weekly schedule changed")
    PERIOD_ADDED = "period_added", _("Schedule period added")
    PERIOD_REMOVED = "period_removed", _("Schedule period removed")
    DAY_CHANGE_ADDED = "day_change_added", _("Day change added")
    DAY_CHANGE_REMOVED = "day_change_removed", _("Day change removed")


class CalendarChange(models.Model):
    """An append-only record of one change to an agency's calendar: who, when, what, and the
    value before and after. Rows are never changed or deleted."""

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("change"), max_length=30, choices=CalendarAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text too: the journal must still say who after an account is removed.
    actor_name = models.CharField(_("by"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))
    # What the changed thing was and became (a schedule text, a period, a day change), as
    # JSON; null where there was nothing before (an addition) or after (a removal).
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar change")
        verbose_name_plural = _("calendar changes")
        ordering = ["calendar", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("calendar changes are append-only; record a new change instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("calendar changes are append-only and are never deleted")
