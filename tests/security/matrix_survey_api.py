"""The permission matrix's rows for the survey API's operations (see test_permission_matrix's
docstring for the personas, outcomes and checks).

Every entry is static (no case): Bali gets, made by the Kepala Dinas (a keeper) first, a draft
survey of SIKESDA and an open one with an answer. Members of Bali who are not vendors' staff
read them (the other unit and the requester are requesting units' staff); only the keeper
writes; the DJKI vendors get 404, as for a survey that does not exist, and are refused the
questionnaire (403: vendors' staff keep no surveys). The survey tables are not in the matrix's
fingerprint: every cell checks them itself (a refused or reading cell changed nothing, an
"ok" write only what it names).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client


def _matrix() -> Any:
    return sys.modules["tests.security.test_permission_matrix"]


def _state() -> dict[str, Any]:
    from laksana.survey.models import Answer, ImportBatch, Survey, SurveySettings

    return {
        "surveys": sorted(
            Survey.objects.values_list("pk", "title", "status", "population", "follow_up")
        ),
        "answers": Answer.objects.count(),
        "imports": sorted(ImportBatch.objects.values_list("pk", "rows")),
        "settings": sorted(SurveySettings.objects.values_list("pk", "elements", "invite_share")),
    }


def prepare(s: Any) -> None:
    from laksana.survey import services
    from laksana.survey.models import Answer

    keeper = s.bali["kadis"]
    base = {
        "service_kind": "application",
        "application": s.bali.applications["sikesda"].pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    }
    draft = services.create_survey(keeper, {**base, "title": "SKM matriks draf"})
    live = services.create_survey(keeper, {**base, "title": "SKM matriks 2026"})
    services.open_survey(keeper, live.pk)
    Answer.objects.create(
        survey=live,
        submitted_on=live.period_start,
        channel="public",
        **{f"u{i}": 3 for i in range(1, 10)},
    )
    services.settings_of(s.bali.agency.pk)
    s.__dict__["srv"] = {"draft": draft.pk, "live": live.pk}
    s.__dict__["srv_before"] = _state()


def ids(s: Any) -> dict[str, int]:
    return dict(s.__dict__["srv"])


def _ok(c: Any) -> bool:
    m = _matrix()
    return bool(m.outcome(c.response, web=not m.is_api(c.route)) == "ok")


def judged(*parts: str) -> Callable[[Any], None]:
    """The survey tables unchanged unless the cell is an "ok" write; then only ``parts``
    changed (and at least one of them)."""

    def check(c: Any) -> None:
        before, after = c.s.__dict__["srv_before"], _state()
        if not parts or not _ok(c):
            assert after == before, f"{c.route} as {c.persona} changed the survey tables"
            return
        changed = {k for k in before if before[k] != after[k]}
        assert changed and changed <= set(parts), f"{c.route} changed {sorted(changed)}"

    return check


def lists_own(c: Any) -> None:
    """The list shows Bali's surveys to Bali's members, nothing to the DJKI vendors."""
    judged()(c)
    if c.persona == "anonymous":
        return
    items = c.json()["items"]
    if c.persona in _matrix().NOT_OF_BALI:
        assert items == []
    else:
        assert ids(c.s)["live"] in [i["id"] for i in items]


def _put(self: Client, path: str, data: Any = None, **extra: Any) -> Any:
    """The matrix sends any method but GET and PATCH as a POST: this entry's is a PUT."""
    return Client.put(self, path, data, **extra)


def _delete(self: Client, path: str, data: Any = None, **extra: Any) -> Any:
    """The matrix sends any method but GET and PATCH as a POST: this entry's is a DELETE."""
    return Client.delete(self, path, **extra)


def _sheet() -> SimpleUploadedFile:
    rows = "U1,U2,U3,U4,U5,U6,U7,U8,U9\n4,4,3,4,3,4,4,3,4\n3,3,3,3,3,3,3,3,3\n"
    return SimpleUploadedFile("skm.csv", rows.encode(), content_type="text/csv")


def entries() -> dict[str, Any]:
    m = _matrix()
    Entry, row = m.Entry, m.row
    api_signed_in = row("401", "ok", "ok", "ok", "ok")
    api_read = row("401", "ok", "ok", "ok", "404")
    api_keeper = row("401", "403", "403", "ok", "404")
    common: dict[str, Any] = {"static": True, "prepare": prepare}
    put = {"stubs": (("django.test.client.Client.post", _put),), "json": True}
    delete = {"stubs": (("django.test.client.Client.post", _delete),)}

    def path(template: str) -> Callable[[Any], str]:
        return lambda s: "/api" + template.format(**ids(s))

    return {
        "GET /api/surveys": Entry(path("/surveys"), api_signed_in, check=lists_own, **common),
        "POST /api/surveys": Entry(
            path("/surveys"),
            # The vendors keep no surveys of their own agency either.
            row("401", "403", "403", "ok", "403", other_admin="422"),
            method="POST",
            json=True,
            data=lambda s: {
                "title": "SKM baru",
                "service_kind": "application",
                "application": s.bali.applications["sikesda"].pk,
                "period_start": "2027-01-01",
                "period_end": "2027-12-31",
            },
            check=judged("surveys"),
            **common,
        ),
        "GET /api/surveys/{survey_id}": Entry(
            path("/surveys/{live}"), api_read, check=judged(), **common
        ),
        "PATCH /api/surveys/{survey_id}": Entry(
            path("/surveys/{draft}"),
            api_keeper,
            method="PATCH",
            data=lambda s: {"title": "Diubah", "population": 300},
            check=judged("surveys"),
            **common,
        ),
        "DELETE /api/surveys/{survey_id}": Entry(
            path("/surveys/{draft}"),
            api_keeper,
            method="DELETE",
            check=judged("surveys"),
            **delete,
            **common,
        ),
        "POST /api/surveys/{survey_id}/open": Entry(
            path("/surveys/{draft}/open"),
            api_keeper,
            method="POST",
            json=True,
            check=judged("surveys"),
            **common,
        ),
        "POST /api/surveys/{survey_id}/close": Entry(
            path("/surveys/{live}/close"),
            api_keeper,
            method="POST",
            json=True,
            check=judged("surveys"),
            **common,
        ),
        "PUT /api/surveys/{survey_id}/follow-up": Entry(
            path("/surveys/{live}/follow-up"),
            api_keeper,
            method="PUT",
            data=lambda s: {
                "rows": [{"unsur": "waktu", "action": "Percepat layanan", "due": "2026-09-30"}]
            },
            check=judged("surveys"),
            **put,
            **common,
        ),
        "GET /api/surveys/{survey_id}/index": Entry(
            path("/surveys/{live}/index"), api_read, check=judged(), **common
        ),
        "GET /api/surveys/{survey_id}/answers": Entry(
            path("/surveys/{live}/answers"), api_read, check=judged(), **common
        ),
        "GET /api/surveys/{survey_id}/imports": Entry(
            path("/surveys/{live}/imports"), api_read, check=judged(), **common
        ),
        "POST /api/surveys/{survey_id}/imports": Entry(
            path("/surveys/{live}/imports"),
            api_keeper,
            method="POST",
            data=lambda s: {"file": _sheet()},
            check=judged("answers", "imports"),
            **common,
        ),
        "GET /api/survey-settings": Entry(
            path("/survey-settings"),
            row("401", "ok", "ok", "ok", "403"),
            check=judged(),
            **common,
        ),
        "PUT /api/survey-settings": Entry(
            path("/survey-settings"),
            row("401", "403", "403", "ok", "403"),
            method="PUT",
            data=lambda s: {"invite_share": 40},
            check=judged("settings"),
            **put,
            **common,
        ),
    }
