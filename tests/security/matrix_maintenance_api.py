"""The permission matrix's rows for the maintenance module's API operations (see
test_permission_matrix's docstring for the personas, outcomes and checks).

Every entry is static (no case): SIKESDA of Bali gets, made by the operator first, a draft
plan for 2027 with one activity and one criterion, and a plan in force for 2026 (an internal
monthly activity, its occurrences, the first one recorded with a file, an availability and a
judged criterion, its first cycle). Members of Bali read them (the other unit and the
requester are requesting units' staff); only the catalogue keeper (the step holder, the
Kepala Dinas) writes; the DJKI vendors get 404, as for a plan that does not exist. Bali has
not adopted SOP 000, so the keeper's submit is refused by the rule (400, nothing written),
and a cycle of a plan without its SOP 000 case is not evaluated (403 for those who may not
evaluate, 400 for the keeper: there is no case to evaluate in). The maintenance tables are not
in the matrix's fingerprint: every cell checks them itself (a refused or reading cell changed
nothing).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from django.test import Client

D = dt.date


def _matrix() -> Any:
    return sys.modules["tests.security.test_permission_matrix"]


def _state() -> dict[str, Any]:
    from laksana.maintenance.models import Activity, Criterion, Cycle, Occurrence, OccurrenceFile
    from laksana.maintenance.models import Plan as PlanRow

    return {
        "plans": sorted(PlanRow.objects.values_list("pk", "title", "status", "updated_at")),
        "activities": sorted(Activity.objects.values_list("pk", "plan_id", "title")),
        "criteria": sorted(Criterion.objects.values_list("pk", "plan_id", "label")),
        "occurrences": sorted(Occurrence.objects.values_list("pk", "status", "report", "cost")),
        "files": sorted(OccurrenceFile.objects.values_list("pk", "occurrence_id")),
        "cycles": sorted(Cycle.objects.values_list("pk", "evaluated_at")),
    }


def prepare(s: Any) -> None:
    from laksana.maintenance import activities, schedule
    from laksana.maintenance.models import (
        CriterionKind,
        Cycle,
        Executor,
        Occurrence,
        OccurrenceFile,
        PlanStatus,
    )
    from tests.cases.helpers import png
    from tests.maintenance import factories

    app = s.bali.applications["sikesda"]
    draft = factories.plan(
        app, budget_year=2027, status=PlanStatus.DRAFT, title="SIKESDA matriks 2027"
    )
    factories.activity(draft, executor=Executor.INTERNAL)
    factories.criterion(draft)
    plan = factories.plan(app, budget_year=2026, title="SIKESDA matriks 2026")
    job = factories.activity(plan, executor=Executor.INTERNAL, title="Cek cadangan")
    factories.criterion(plan)
    factories.criterion(plan, kind=CriterionKind.JUDGED, label="Dokumentasi", target=None)
    schedule.generate(plan)
    done, due = Occurrence.objects.filter(activity=job).order_by("due_on")[:2]
    activities.record(s.bali["kadis"], done.pk, report="Selesai", files=[png()])
    cycle = Cycle.objects.create(
        plan=plan, number=1, starts_on=D(2026, 1, 1), ends_on=D(2026, 1, 31)
    )
    s.__dict__["mnt"] = {
        "draft": draft.pk,
        "plan": plan.pk,
        "done": done.pk,
        "due": due.pk,
        "file": OccurrenceFile.objects.get(occurrence=done).pk,
        "cycle": cycle.pk,
        "criterion": plan.criteria.get(kind=CriterionKind.JUDGED).pk,
    }
    s.__dict__["mnt_before"] = _state()


def ids(s: Any) -> dict[str, int]:
    return dict(s.__dict__["mnt"])


def _ok(c: Any) -> bool:
    m = _matrix()
    return bool(m.outcome(c.response, web=not m.is_api(c.route)) == "ok")


def judged(*parts: str) -> Callable[[Any], None]:
    """The maintenance tables unchanged unless the cell is an "ok" write; then only
    ``parts`` changed (and at least one of them)."""

    def check(c: Any) -> None:
        before, after = c.s.__dict__["mnt_before"], _state()
        if not parts or not _ok(c):
            assert after == before, f"{c.route} as {c.persona} changed the maintenance tables"
            return
        changed = {k for k in before if before[k] != after[k]}
        assert changed and changed <= set(parts), f"{c.route} changed {sorted(changed)}"

    return check


def lists_own(key: str) -> Callable[[Any], None]:
    """A list shows the Bali rows to Bali's members, nothing to the DJKI vendors."""

    def check(c: Any) -> None:
        judged()(c)
        if c.persona == "anonymous":
            return
        items = c.json()["items"]
        if c.persona in _matrix().NOT_OF_BALI:
            assert items == []
        else:
            assert ids(c.s)[key] in [i["id"] for i in items]

    return check


def _put(self: Client, path: str, data: Any = None, **extra: Any) -> Any:
    """The matrix sends any method but GET and PATCH as a POST: this entry's is a PUT."""
    return Client.put(self, path, data, **extra)


def entries() -> dict[str, Any]:
    m = _matrix()
    Entry, row = m.Entry, m.row
    api_signed_in = row("401", "ok", "ok", "ok", "ok")
    api_read = row("401", "ok", "ok", "ok", "404")
    api_keeper = row("401", "403", "403", "ok", "404")
    common: dict[str, Any] = {"static": True, "prepare": prepare}
    put = {"stubs": (("django.test.client.Client.post", _put),), "json": True}

    def path(template: str) -> Callable[[Any], str]:
        return lambda s: "/api/maintenance" + template.format(**ids(s))

    activity = {
        "kind": "preventive",
        "title": "Baru",
        "executor": "internal",
        "schedule": "monthly",
    }
    return {
        "GET /api/maintenance/plans": Entry(
            path("/plans"), api_signed_in, check=lists_own("plan"), **common
        ),
        "POST /api/maintenance/plans": Entry(
            path("/plans"),
            api_keeper,
            method="POST",
            json=True,
            data=lambda s: {
                "application_id": s.bali.applications["sikesda"].pk,
                "title": "Rencana baru",
                "objective": "Tersedia",
                "budget_year": 2028,
            },
            check=judged("plans"),
            **common,
        ),
        "GET /api/maintenance/plans/{plan_id}": Entry(
            path("/plans/{plan}"), api_read, check=judged(), **common
        ),
        "PATCH /api/maintenance/plans/{plan_id}": Entry(
            path("/plans/{draft}"),
            api_keeper,
            method="PATCH",
            data=lambda s: {"title": "Diubah"},
            check=judged("plans"),
            **common,
        ),
        "PUT /api/maintenance/plans/{plan_id}/activities": Entry(
            path("/plans/{draft}/activities"),
            api_keeper,
            method="PUT",
            data=lambda s: {"activities": [activity]},
            check=judged("plans", "activities"),
            **put,
            **common,
        ),
        "PUT /api/maintenance/plans/{plan_id}/criteria": Entry(
            path("/plans/{draft}/criteria"),
            api_keeper,
            method="PUT",
            data=lambda s: {"criteria": [{"kind": "judged", "label": "Baru"}]},
            check=judged("plans", "criteria"),
            **put,
            **common,
        ),
        "POST /api/maintenance/plans/{plan_id}/submit": Entry(
            path("/plans/{draft}/submit"),
            row("401", "403", "403", "400", "404"),
            method="POST",
            json=True,
            check=judged(),
            **common,
        ),
        "POST /api/maintenance/plans/{plan_id}/withdraw": Entry(
            path("/plans/{draft}/withdraw"),
            row("401", "403", "403", "400", "404"),
            method="POST",
            json=True,
            check=judged(),
            **common,
        ),
        "GET /api/maintenance/occurrences": Entry(
            path("/occurrences"), api_signed_in, check=lists_own("done"), **common
        ),
        "GET /api/maintenance/occurrences/{occurrence_id}": Entry(
            path("/occurrences/{done}"), api_read, check=judged(), **common
        ),
        "POST /api/maintenance/occurrences/{occurrence_id}/record": Entry(
            path("/occurrences/{due}/record"),
            api_keeper,
            method="POST",
            json=True,
            data=lambda s: {"report": "Cadangan diperiksa", "cost": 0},
            check=judged("occurrences"),
            **common,
        ),
        "POST /api/maintenance/occurrences/{occurrence_id}/files": Entry(
            path("/occurrences/{due}/files"),
            api_keeper,
            method="POST",
            data=lambda s: {"report": "Cadangan diperiksa", "files": [_png()]},
            check=judged("occurrences", "files"),
            **common,
        ),
        "GET /api/maintenance/occurrences/{occurrence_id}/files/{file_id}": Entry(
            path("/occurrences/{done}/files/{file}"), api_read, check=judged(), **common
        ),
        "POST /api/maintenance/occurrences/{occurrence_id}/not-done": Entry(
            path("/occurrences/{due}/not-done"),
            api_keeper,
            method="POST",
            json=True,
            data=lambda s: {"reason": "Server dipindahkan"},
            check=judged("occurrences"),
            **common,
        ),
        "GET /api/maintenance/plans/{plan_id}/cycles": Entry(
            path("/plans/{plan}/cycles"), api_read, check=judged(), **common
        ),
        "GET /api/maintenance/cycles/{cycle_id}/evaluation": Entry(
            path("/cycles/{cycle}/evaluation"), api_read, check=judged(), **common
        ),
        "POST /api/maintenance/cycles/{cycle_id}/evaluate": Entry(
            path("/cycles/{cycle}/evaluate"),
            row("401", "403", "403", "400", "404"),
            method="POST",
            json=True,
            data=lambda s: {
                "judged": {str(ids(s)["criterion"]): {"achieved": True, "note": "Lengkap"}}
            },
            check=judged(),
            **common,
        ),
        "GET /api/maintenance/plans/{plan_id}/report": Entry(
            path("/plans/{plan}/report"), api_read, check=judged(), **common
        ),
        "GET /api/maintenance/plans/{plan_id}/report/xlsx": Entry(
            path("/plans/{plan}/report/xlsx"), api_read, check=judged(), **common
        ),
    }


def _png() -> Any:
    from tests.cases.helpers import png

    return png("cadangan.png")
