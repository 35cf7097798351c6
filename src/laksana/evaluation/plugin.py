"""The evaluation module on the registries: the artifact type ``quality.evaluation_report``
(SOP 001 f.1's "Laporan evaluasi berkala aplikasi", required by f.3 and g.1), the
evaluation's sections and its panel on the application's record.

* resolver: ``{"ref": "evaluation:<id>"}``, a concluded evaluation of the case's application
  (not tied to another case);
* producer: the step's page is told where the application's latest evaluation stands (none,
  a draft to conclude, concluded) with a link to it;
* outcome: the conclusion it records, "keep", "improve" or "retire": f.3 is read from it
  (``decided_by``), "retire" leading to g.1, the decommissioning.

A report uploaded as files is still accepted: then no conclusion is read, the person chooses.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from laksana.cases import artifacts
from laksana.cases.artifacts import Context, Produced, Unresolved
from laksana.cases.models import Case, CaseStep
from laksana.documents.plugin import _url
from laksana.engine.spec import ArtifactSpec
from laksana.evaluation.models import Evaluation, EvaluationStatus
from laksana.evaluation.services import TYPE

PREFIX = "evaluation:"


def _pk(ref: object) -> int | None:
    text = str(ref).strip() if isinstance(ref, str | int) and not isinstance(ref, bool) else ""
    text = text.removeprefix(PREFIX)
    if not text.isdigit() or len(text) > 19:
        return None
    pk = int(text)
    return pk if 0 < pk <= artifacts.MAX_ID else None


def _of_case(case: Case, pk: int) -> Evaluation | None:
    """The concluded evaluation ``pk`` of the case's application, not another case's."""
    if case.application_id is None:
        return None
    found = Evaluation.objects.filter(
        pk=pk,
        agency_id=case.agency_id,
        application_id=case.application_id,
        status=EvaluationStatus.CONCLUDED,
    ).first()
    if found is None or (found.case_id is not None and found.case_id != case.pk):
        return None
    return found


def value_of(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "ref": f"{PREFIX}{evaluation.pk}",
        "conclusion": evaluation.conclusion,
        "period": f"{evaluation.period_start.isoformat()}..{evaluation.period_end.isoformat()}",
    }


def resolve(ctx: Context, ref: object) -> dict[str, Any]:
    """A concluded evaluation of the case's application."""
    pk = _pk(ref)
    if pk is None:
        raise Unresolved(
            _('"%(ref)s" names no evaluation; give {"ref": "evaluation:<id>"}')
            % {"ref": str(ref)[:40]}
        )
    found = _of_case(ctx.case, pk)
    if found is None:
        draft = (
            Evaluation.objects.filter(
                pk=pk, agency_id=ctx.case.agency_id, application_id=ctx.case.application_id
            ).first()
            if ctx.case.application_id is not None
            else None
        )
        if draft is not None and draft.status == EvaluationStatus.DRAFT:
            raise Unresolved(_("evaluation %(id)s is not concluded yet") % {"id": pk})
        raise Unresolved(_("this case's application has no evaluation %(id)s") % {"id": pk})
    return value_of(found)


def produced(case: Case, row: CaseStep, spec: ArtifactSpec) -> Produced:
    """Where the application's latest evaluation stands for this case."""
    new = _url(
        "evaluation:new",
        query={"aplikasi": case.application_id, "kasus": case.pk}
        if case.application_id is not None
        else None,
    )
    if case.application_id is None:
        return Produced(None, _("The case names no application"), new, _("Evaluate"))
    latest = (
        Evaluation.objects.filter(agency_id=case.agency_id, application_id=case.application_id)
        .filter(Q(case__isnull=True) | Q(case_id=case.pk))
        .order_by("-pk")
        .first()
    )
    if latest is None:
        return Produced(None, _("No evaluation of the application yet"), new, _("Evaluate"))
    url = _url("evaluation:detail", args=[latest.pk])
    period = {"start": latest.period_start.isoformat(), "end": latest.period_end.isoformat()}
    if latest.status == EvaluationStatus.DRAFT:
        return Produced(
            None,
            _("The evaluation of %(start)s to %(end)s is a draft: conclude it") % period,
            url,
            _("Open the evaluation"),
        )
    return Produced(
        value_of(latest),
        _("The evaluation of %(start)s to %(end)s is concluded: %(conclusion)s")
        % {**period, "conclusion": latest.get_conclusion_display()},
        url,
        _("Open the evaluation"),
    )


def conclusion_of(case: Case, value: Any) -> str | None:
    """f.3: the conclusion the evaluation the value names records ("keep", "improve",
    "retire"); None for a value that names none (files)."""
    ref = value.get("ref") if isinstance(value, dict) else None
    pk = _pk(ref) if ref is not None else None
    if pk is None:
        return None
    found = _of_case(case, pk)
    return found.conclusion if found is not None else None


def register() -> None:
    """Called from EvaluationConfig.ready()."""
    from laksana.evaluation import providers

    artifacts.register(TYPE, resolver=resolve, producer=produced, outcome=conclusion_of)
    providers.register()
    # The application's evaluations on its record in the catalogue.
    from laksana.catalog.panels import register_panel
    from laksana.evaluation import app_panel

    register_panel("evaluation", app_panel.application_panel)
