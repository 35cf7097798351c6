"""Periodic evaluations of applications (SOP 001 f): one page per application and period that
brings together what the modules know of it (the sections of :mod:`laksana.evaluation.sections`:
satisfaction index, problem cases and their SOP times, availability, open test findings,
maintenance criteria), and the unit's conclusion: keep, improve or retire.

The writer is :mod:`laksana.evaluation.services`; nothing else writes this table.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Conclusion(models.TextChoices):
    KEEP = "keep", _("Keep")
    IMPROVE = "improve", _("Improve")
    RETIRE = "retire", _("Retire")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONCLUDED = "concluded", _("Concluded")


class Evaluation(models.Model):
    """One evaluation of one application over one period. While a draft its figures are
    computed when shown; concluding keeps them (``figures``) as they were then."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        "catalog.Application",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("application"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.DRAFT,
    )
    conclusion = models.CharField(
        _("conclusion"), max_length=10, choices=Conclusion.choices, blank=True
    )
    reasoning = models.TextField(_("reasoning"), blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    # The SOP 001 case whose row f.1 it serves (optional): concluding "retire" there leads the
    # case's row f.3 to the decommissioning rows (g).
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    concluded_by = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("application evaluation")
        verbose_name_plural = _("application evaluations")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="evaluation_period_order",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(conclusion=""),
                name="evaluation_concluded_has_conclusion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.period_start}..{self.period_end}"
