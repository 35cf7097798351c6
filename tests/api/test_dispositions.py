"""Dispositions through the API: sending, reading, withdrawing, forwarding."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from laksana.cases import services
from tests.cases.helpers import active, work

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_step_3(bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    case = work(bali["dinkes_staf"], case)
    return work(bali["dinkes_staf"], case)


def test_the_head_dispositions_the_step_and_it_completes_with_it(api_as, bali, at_step_3):
    case, kadis = at_step_3, api_as(bali["kadis"])
    step = active(case)
    deadline = timezone.now() + dt.timedelta(days=2)
    response = kadis.post(
        f"/cases/{case.reference}/dispositions",
        {
            "recipients": [bali["kabid"].pk],
            "instruction": "Proses lebih lanjut",
            "urgency": "segera",
            "deadline": deadline.isoformat(),
            "note": "Mohon segera",
            "step_id": step.pk,
        },
    )
    assert response.status_code == 201, response.content
    (d,) = response.json()
    assert d["recipient"] == {"id": bali["kabid"].pk, "name": bali["kabid"].name}
    assert (d["urgency"], d["status"], d["step_id"], d["note"]) == (
        "segera",
        "unread",
        step.pk,
        "Mohon segera",
    )
    done = kadis.post(f"/cases/{case.reference}/steps/{step.pk}/complete", {})
    assert done.status_code == 200, done.content
    assert done.json()["dispositions"][0]["status"] == "done"


def test_the_recipient_reads_and_the_sender_can_then_not_withdraw(api_as, bali, at_step_3):
    case = at_step_3
    kadis, kabid = api_as(bali["kadis"]), api_as(bali["kabid"])
    (d,) = kadis.post(
        f"/cases/{case.reference}/dispositions",
        {"recipients": [bali["kabid"].pk], "instruction": "Untuk diketahui"},
    ).json()
    # Only the recipient reads it; someone else who sees the case is refused.
    assert kadis.post(f"/dispositions/{d['id']}/read").status_code == 403
    read = kabid.post(f"/dispositions/{d['id']}/read")
    assert read.status_code == 200 and read.json()["status"] == "read" and read.json()["read_at"]
    late = kadis.post(f"/dispositions/{d['id']}/withdraw")
    assert late.status_code == 409 and late.json()["code"] == "already_read"


def test_the_sender_withdraws_an_unread_disposition(api_as, bali, at_step_3):
    kadis = api_as(bali["kadis"])
    (d,) = kadis.post(
        f"/cases/{at_step_3.reference}/dispositions",
        {"recipients": [bali["kabid"].pk], "instruction": "Untuk diketahui"},
    ).json()
    response = kadis.post(f"/dispositions/{d['id']}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_a_received_disposition_is_forwarded_down(api_as, bali, at_step_3):
    (d,) = (
        api_as(bali["kadis"])
        .post(
            f"/cases/{at_step_3.reference}/dispositions",
            {"recipients": [bali["kabid"].pk], "instruction": "Proses lebih lanjut"},
        )
        .json()
    )
    response = api_as(bali["kabid"]).post(
        f"/cases/{at_step_3.reference}/dispositions",
        {"recipients": [bali["ketuatim"].pk], "instruction": "Koordinasikan", "parent_id": d["id"]},
    )
    assert response.status_code == 201
    assert response.json()[0]["parent_id"] == d["id"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"recipients": [999999], "instruction": "x"}, 400, "recipients"),
        ({"recipients": [], "instruction": "x"}, 400, "recipients"),
        ({"recipients": ["dinkes_staf"], "instruction": "x"}, 422, "recipients.0"),
        ({"recipients": [1], "instruction": "x", "urgency": "kilat"}, 422, "urgency"),
        ({"recipients": [1]}, 422, "instruction"),
    ],
)
def test_bad_dispositions_are_refused_naming_the_field(
    api_as, bali, at_step_3, body, status, field
):
    response = api_as(bali["kadis"]).post(f"/cases/{at_step_3.reference}/dispositions", body)
    assert response.status_code == status
    assert response.json()["field"] == field


def test_a_disposition_to_someone_not_below_is_refused(api_as, bali, at_step_3):
    response = api_as(bali["kadis"]).post(
        f"/cases/{at_step_3.reference}/dispositions",
        {"recipients": [bali["dinkes_staf"].pk], "instruction": "x"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "recipients"
    assert bali["dinkes_staf"].name in response.json()["message"]


def test_people_of_another_agency_are_unknown_recipients(api_as, bali, djki, at_step_3):
    response = api_as(bali["kadis"]).post(
        f"/cases/{at_step_3.reference}/dispositions",
        {"recipients": [djki["direktur"].pk], "instruction": "x"},
    )
    assert response.status_code == 400
    assert response.json()["items"] == [str(djki["direktur"].pk)]
    assert djki["direktur"].name not in response.json()["message"]


def test_a_disposition_of_an_invisible_case_is_not_found(api_as, bali, at_step_3):
    (d,) = services.dispose(bali["kadis"], at_step_3.pk, [bali["kabid"]], "Untuk diketahui")
    assert api_as(bali["bkd"]).post(f"/dispositions/{d.pk}/read").status_code == 404
    assert api_as(bali["bkd"]).post("/dispositions/999999/withdraw").status_code == 404


def test_a_forward_cannot_reach_the_requesting_units_uat_step(api_as, bali, sop002):
    # The reproduction of issue 16 (item 2): kadis -> kabid about the whole case, forwarded
    # to the Ketua Tim with the UAT step named; the IT official then completed the UAT.
    case = services.open_case(
        bali["dinkes_staf"], sop002, "NIK ditolak", application=bali.applications["sikesda"]
    )
    who = {"s1": "dinkes_staf", "s2": "dinkes_staf", "s3": "kadis", "s4": "kabid"}
    who.update({"s5": "ketuatim", "s6": "dev1", "s7": "qa1", "s8": "dev1"})
    while active(case).step_key != "s9":
        case = work(bali[who[active(case).step_key]], case)
    uat = active(case)
    (whole,) = (
        api_as(bali["kadis"])
        .post(
            f"/cases/{case.reference}/dispositions",
            {"recipients": [bali["kabid"].pk], "instruction": "Proses lebih lanjut"},
        )
        .json()
    )
    response = api_as(bali["kabid"]).post(
        f"/cases/{case.reference}/dispositions",
        {
            "recipients": [bali["ketuatim"].pk],
            "instruction": "Koordinasikan",
            "parent_id": whole["id"],
            "step_id": uat.pk,
        },
    )
    assert response.status_code == 400 and response.json()["field"] == "step", response.content
    ketuatim = api_as(bali["ketuatim"])
    answer = ketuatim.get(f"/cases/{case.reference}/steps/{uat.pk}/actions").json()
    assert answer["complete"]["allowed"] is False
    response = ketuatim.post_form(
        f"/cases/{case.reference}/steps/{uat.pk}/complete", {"data": "{}"}
    )
    assert response.status_code in (403, 404), response.content
    uat.refresh_from_db()
    assert uat.status == "active"
