"""The evaluation API: create, read with sections, list a page at a time, refresh,
conclude, delete; bad input answered 422 naming the field and writing nothing; another
agency's evaluation 404 as a missing one; a reader or a vendor's staff refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from laksana.accounts.services import issue_token
from laksana.catalog.models import Vendor
from laksana.evaluation.models import Evaluation

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, person: Any) -> None:
        self.client = Client()
        _token, secret = issue_token(person, "tests")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api{path}", params, **self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"/api{path}", body or {}, content_type="application/json", **self.headers
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api{path}", **self.headers)


def body(skm: Any, **extra: Any) -> dict[str, Any]:
    return {
        "application_id": skm.applications["retribusi"].pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        **extra,
    }


def test_the_life_of_an_evaluation(skm) -> None:
    api = Api(skm["skm_ti1"])
    made = api.post("/evaluations", body(skm))
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["status"] == "draft" and data["conclusion"] is None
    assert [s["key"] for s in data["sections"]][:2] == ["ikm", "cases"]
    pk = data["id"]
    assert api.get(f"/evaluations/{pk}").json()["id"] == pk
    listed = api.get("/evaluations", limit=1)
    assert [e["id"] for e in listed.json()["items"]] == [pk] and listed.json()["next"] is None
    assert api.post(f"/evaluations/{pk}/refresh").status_code == 200
    bad = api.post(f"/evaluations/{pk}/conclude", {"conclusion": "keep", "reasoning": " "})
    assert bad.status_code == 422 and bad.json()["field"] == "reasoning"
    bad = api.post(f"/evaluations/{pk}/conclude", {"conclusion": "drop", "reasoning": "x"})
    assert bad.status_code == 422
    done = api.post(f"/evaluations/{pk}/conclude", {"conclusion": "keep", "reasoning": "Baik."})
    assert done.status_code == 200 and done.json()["conclusion"] == "keep"
    again = api.post(f"/evaluations/{pk}/conclude", {"conclusion": "retire", "reasoning": "x"})
    assert again.status_code == 400 and again.json()["code"] == "concluded"
    assert api.delete(f"/evaluations/{pk}").status_code == 400
    second = api.post("/evaluations", body(skm)).json()["id"]
    assert api.delete(f"/evaluations/{second}").status_code == 204
    assert list(Evaluation.objects.values_list("pk", flat=True)) == [pk]


@pytest.mark.parametrize(
    ("extra", "status", "field"),
    [
        ({"period_end": "2025-01-01"}, 422, "period_end"),
        ({"period_start": "kemarin"}, 422, None),
        ({"application_id": 999999}, 404, "application"),
        ({"application_id": 0}, 422, None),
        ({"case_id": 999999}, 404, "case"),
    ],
)
def test_bad_input_writes_nothing(skm, extra, status, field) -> None:
    answer = Api(skm["skm_ti1"]).post("/evaluations", body(skm, **extra))
    assert answer.status_code == status, answer.content
    if field is not None:
        assert answer.json()["field"] == field
    assert not Evaluation.objects.exists()


def test_other_agencies_readers_and_vendors(skm, bali) -> None:
    pk = Api(skm["skm_ti1"]).post("/evaluations", body(skm)).json()["id"]
    outsider = Api(bali["kadis"])
    assert outsider.get(f"/evaluations/{pk}").status_code == 404
    assert outsider.post(f"/evaluations/{pk}/refresh").status_code == 404
    assert outsider.get("/evaluations").json()["items"] == []
    assert outsider.post("/evaluations", body(skm)).status_code == 404
    reader = Api(skm["skm_bpkad_staf"])
    assert reader.get(f"/evaluations/{pk}").status_code == 200
    assert reader.post(f"/evaluations/{pk}/refresh").status_code == 403
    assert reader.post("/evaluations", body(skm)).status_code == 403
    dev = skm["skm_dev2"]
    dev.vendor = Vendor.objects.create(agency=skm.agency, name="PT Penyedia")
    dev.save(update_fields=["vendor"])
    vendor = Api(dev)
    assert vendor.get(f"/evaluations/{pk}").status_code == 404
    assert vendor.post("/evaluations", body(skm)).status_code == 403
    assert Evaluation.objects.count() == 1
    assert Evaluation.objects.get().status == "draft"


def evaluation_ids(bali: Any) -> dict[str, int]:
    """The id of a draft evaluation of SIKESDA made by the Kepala Dinas: the path parameter
    of the evaluation API's operations for the API's fuzzing (tests/security/test_api_fuzz.py,
    whose caller is the Kepala Dinas)."""
    from laksana.evaluation import services

    made = services.create_evaluation(
        bali["kadis"],
        {
            "application": bali.applications["sikesda"].pk,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    return {"evaluation_id": made.pk}


def test_the_fuzz_ids_name_real_objects(bali) -> None:
    ids = evaluation_ids(bali)
    answer = Api(bali["kadis"]).get(f"/evaluations/{ids['evaluation_id']}")
    assert answer.status_code == 200 and answer.json()["status"] == "draft"
