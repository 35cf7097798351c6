"""The permission matrix's rows for the survey module's web routes (see
test_permission_matrix's docstring for the personas, outcomes and checks).

Every entry is static (no case) and set up by :func:`prepare`: an open survey of Bali's with
three answers, its public link on, and a draft survey without answers. Members of Bali who are
not vendors' staff read surveys and results (the other unit and the requester are requesting
units' staff); only the keeper (the step holder, the Kepala Dinas) makes, changes, opens,
closes and deletes surveys, writes the follow-up plan, imports answers and sets the
questionnaire. The DJKI vendor reads its own (empty) list and gets 404 for Bali's surveys, as
for ones that do not exist, and 403 where no survey is named (a new survey, the settings).
The respondents' routes need no sign-in: the public form of an open survey opens for everyone,
an invitation that does not exist is a 404 for everyone. Every cell checks the survey tables
itself (a refused or reading cell changed nothing).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from django.urls import NoReverseMatch, reverse


def _matrix() -> Any:
    return sys.modules["tests.security.test_permission_matrix"]


def _state() -> dict[str, Any]:
    from laksana.survey.models import Answer, ImportBatch, Survey, SurveySettings

    return {
        "surveys": sorted(
            Survey.objects.values_list(
                "pk", "title", "status", "population", "public_enabled", "follow_up"
            )
        ),
        "answers": Answer.objects.count(),
        "imports": ImportBatch.objects.count(),
        "settings": sorted(
            SurveySettings.objects.values_list(
                "pk", "elements", "invite_share", "invite_delay_hours"
            )
        ),
    }


def prepare(s: Any) -> None:
    from django.utils import timezone

    from laksana.survey.elements import default_elements
    from laksana.survey.models import Answer, Channel, ServiceKind, Survey, SurveyStatus

    agency = s.bali["kadis"].agency
    today = timezone.localdate()
    common: dict[str, Any] = {
        "agency": agency,
        "service_kind": ServiceKind.UNIT_SERVICE,
        "unit": agency.units.order_by("pk").first(),
        "service_name": "Helpdesk",
        "period_start": dt.date(today.year, 1, 1),
        "period_end": dt.date(today.year, 12, 31),
        "elements": default_elements(),
        "created_by": s.bali["kadis"],
        "created_at": timezone.now(),
        "population": 500,
    }
    survey = Survey.objects.create(
        title="SKM Helpdesk matriks",
        status=SurveyStatus.OPEN,
        public_code="kode-matriks-survei",
        public_enabled=True,
        **common,
    )
    for score in (4, 3, 3):
        Answer.objects.create(
            survey=survey,
            submitted_on=today,
            channel=Channel.PUBLIC,
            **{f"u{i}": score for i in range(1, 10)},
        )
    draft = Survey.objects.create(
        title="Draf SKM matriks",
        status=SurveyStatus.DRAFT,
        public_code="kode-matriks-draf",
        **common,
    )
    s.__dict__.update(sv_survey=survey, sv_draft=draft, sv_before=_state())


def _ok(c: Any) -> bool:
    return bool(_matrix().outcome(c.response, web=True) == "ok")


def judged(kind: str) -> Callable[[Any], None]:
    """The survey tables unchanged unless the cell is an "ok" write of ``kind`` (``new``: one
    more survey; ``gone``: one survey fewer; ``answers``: more answers and an import;
    ``changed``: as many surveys, something changed)."""

    def check(c: Any) -> None:
        before, after = c.s.__dict__["sv_before"], _state()
        if kind == "read" or not _ok(c):
            assert after == before, f"{c.route} as {c.persona} changed the survey tables"
            return
        if kind == "new":
            assert len(after["surveys"]) == len(before["surveys"]) + 1, c.route
        elif kind == "gone":
            assert len(after["surveys"]) == len(before["surveys"]) - 1, c.route
        elif kind == "answers":
            assert after["answers"] > before["answers"], c.route
            assert after["imports"] == before["imports"] + 1, c.route
        else:
            assert after != before and len(after["surveys"]) == len(before["surveys"]), c.route

    return check


def vendor_sees_no_bali_survey(c: Any) -> None:
    judged("read")(c)
    if c.persona in _matrix().NOT_OF_BALI:
        assert "SKM Helpdesk matriks" not in c.response.content.decode()


def survey_form(s: Any) -> dict[str, Any]:
    year = dt.date.today().year + 1
    return {
        "title": "SKM baru matriks",
        "service_kind": "unit_service",
        "unit": str(s.bali["kadis"].agency.units.order_by("pk").first().pk),
        "service_name": "Helpdesk",
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-12-31",
        "population": "300",
    }


def edit_form(s: Any) -> dict[str, Any]:
    return {**survey_form(s), "title": "Draf SKM matriks (ubah)"}


def follow_up_form(s: Any) -> dict[str, Any]:
    return {
        "row-TOTAL_FORMS": "1",
        "row-INITIAL_FORMS": "0",
        "row-MIN_NUM_FORMS": "0",
        "row-MAX_NUM_FORMS": "20",
        "row-0-unsur": "waktu",
        "row-0-action": "Tambah petugas loket",
        "row-0-due": f"{dt.date.today().year}-12-31",
        "row-0-responsible": "Kabid Layanan",
    }


def import_form(s: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    header = ",".join(f"U{i}" for i in range(1, 10))
    body = f"{header}\n4,4,4,4,4,4,4,4,4\n3,3,3,3,3,3,3,3,3\n".encode()
    return {
        "file": SimpleUploadedFile("skm.csv", body, content_type="text/csv"),
        "submitted_on": dt.date.today().isoformat(),
    }


def settings_form(s: Any) -> dict[str, Any]:
    from laksana.survey.elements import default_elements

    data: dict[str, Any] = {
        "unsur-TOTAL_FORMS": "9",
        "unsur-INITIAL_FORMS": "9",
        "unsur-MIN_NUM_FORMS": "9",
        "unsur-MAX_NUM_FORMS": "9",
        "invite_requesters": "on",
        "invite_delay_hours": "48",
        "invite_share": "50",
        "invite_expiry_days": "14",
        "public_per_hour": "5",
    }
    for i, e in enumerate(default_elements()):
        data.update(
            {
                f"unsur-{i}-key": e["key"],
                f"unsur-{i}-position": str(i + 1),
                f"unsur-{i}-name": e["name"],
                f"unsur-{i}-question": e["question"],
            }
        )
        data.update({f"unsur-{i}-label{n}": e["labels"][n - 1] for n in range(1, 5)})
    return data


def _exists(name: str, *args: Any) -> bool:
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


def entries() -> dict[str, Any]:
    m = _matrix()
    Entry, row = m.Entry, m.row
    signed_in = row("login", "ok", "ok", "ok", "ok")
    read = row("login", "ok", "ok", "ok", "404")
    keeper = row("login", "403", "403", "ok", "404")
    agency_keeper = row("login", "403", "403", "ok", "403")
    common: dict[str, Any] = {"static": True, "prepare": prepare}

    def web(name: str, key: str | None = None) -> Callable[[Any], str]:
        if key is None:
            return lambda s: reverse(f"survey:{name}")
        return lambda s: reverse(f"survey:{name}", args=[s.__dict__[key].pk])

    out: dict[str, Any] = {
        "survey:list": Entry(web("list"), signed_in, check=vendor_sees_no_bali_survey, **common),
        "survey:new": Entry(web("new"), agency_keeper, check=judged("read"), **common),
        "POST survey:new": Entry(
            web("new"),
            {**agency_keeper, "other_admin": "422"},
            method="POST",
            data=survey_form,
            check=judged("new"),
            **common,
        ),
        "survey:detail": Entry(web("detail", "sv_survey"), read, check=judged("read"), **common),
        "survey:edit": Entry(web("edit", "sv_draft"), keeper, check=judged("read"), **common),
        "POST survey:edit": Entry(
            web("edit", "sv_draft"),
            keeper,
            method="POST",
            data=edit_form,
            check=judged("changed"),
            **common,
        ),
        "POST survey:open": Entry(
            web("open", "sv_draft"), keeper, method="POST", check=judged("changed"), **common
        ),
        "POST survey:close": Entry(
            web("close", "sv_survey"), keeper, method="POST", check=judged("changed"), **common
        ),
        "POST survey:delete": Entry(
            web("delete", "sv_draft"), keeper, method="POST", check=judged("gone"), **common
        ),
        "survey:results": Entry(web("results", "sv_survey"), read, check=judged("read"), **common),
        "survey:follow_up": Entry(
            web("follow_up", "sv_survey"), keeper, check=judged("read"), **common
        ),
        "POST survey:follow_up": Entry(
            web("follow_up", "sv_survey"),
            keeper,
            method="POST",
            data=follow_up_form,
            check=judged("changed"),
            **common,
        ),
        "survey:import": Entry(web("import", "sv_survey"), keeper, check=judged("read"), **common),
        "POST survey:import": Entry(
            web("import", "sv_survey"),
            keeper,
            method="POST",
            data=import_form,
            check=judged("answers"),
            **common,
        ),
        "survey:settings": Entry(web("settings"), agency_keeper, check=judged("read"), **common),
        "POST survey:settings": Entry(
            web("settings"),
            agency_keeper,
            method="POST",
            data=settings_form,
            check=judged("changed"),
            **common,
        ),
    }
    # The respondents' forms, the QR poster and the report (their builders' routes), when
    # they are there.
    everyone = row("ok", "ok", "ok", "ok", "ok")
    if _exists("survey:public", "x"):
        out["survey:public"] = Entry(
            lambda s: reverse("survey:public", args=[s.__dict__["sv_survey"].public_code]),
            everyone,
            check=judged("read"),
            **common,
        )
    if _exists("survey:invitation", "x"):
        out["survey:invitation"] = Entry(
            lambda s: reverse("survey:invitation", args=["tidak-ada-undangan-ini"]),
            row("404", "404", "404", "404", "404"),
            check=judged("read"),
            **common,
        )
    if _exists("survey:thanks"):
        out["survey:thanks"] = Entry(web("thanks"), everyone, check=judged("read"), **common)
    for name in ("qr", "qr_svg", "report_pdf"):
        if _exists(f"survey:{name}", 1):
            out[f"survey:{name}"] = Entry(
                web(name, "sv_survey"), read, check=judged("read"), **common
            )
    if _exists("survey:make_report", 1):
        out["POST survey:make_report"] = Entry(
            web("make_report", "sv_survey"),
            row("login", "403", "403", "refused", "404"),
            method="POST",
            check=judged("read"),
            **common,
        )
    return out
