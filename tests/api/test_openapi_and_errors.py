"""The OpenAPI document, the docs page (no CDN), and JSON errors for every kind of failure."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.django_db

ROUTES = {
    ("get", "/api/procedures"),
    ("get", "/api/procedures/{key}/versions/{number}"),
    ("get", "/api/procedure-drafts"),
    ("post", "/api/procedure-drafts"),
    ("get", "/api/procedure-drafts/{draft_id}"),
    ("put", "/api/procedure-drafts/{draft_id}/source"),
    ("put", "/api/procedure-drafts/{draft_id}/sections/{section}"),
    ("get", "/api/procedure-drafts/{draft_id}/check"),
    ("get", "/api/procedure-drafts/{draft_id}/yaml"),
    ("post", "/api/procedure-drafts/{draft_id}/submit"),
    ("post", "/api/procedure-drafts/{draft_id}/return"),
    ("post", "/api/procedure-drafts/{draft_id}/approve"),
    ("post", "/api/procedure-drafts/{draft_id}/withdraw"),
    ("get", "/api/procedure-drafts/{draft_id}/journal"),
    ("get", "/api/cases"),
    ("post", "/api/cases"),
    ("get", "/api/cases/{reference}"),
    ("post", "/api/cases/{reference}/steps/{step_id}/claim"),
    ("post", "/api/cases/{reference}/steps/{step_id}/complete"),
    ("post", "/api/cases/{reference}/steps/{step_id}/confirm"),
    ("post", "/api/cases/{reference}/steps/{step_id}/release"),
    ("post", "/api/cases/{reference}/steps/{step_id}/take-over"),
    ("post", "/api/cases/{reference}/steps/{step_id}/reassign"),
    ("get", "/api/cases/{reference}/steps/{step_id}/actions"),
    ("post", "/api/cases/{reference}/dispositions"),
    ("post", "/api/dispositions/{disposition_id}/read"),
    ("post", "/api/dispositions/{disposition_id}/withdraw"),
    ("post", "/api/cases/{reference}/comments"),
    ("post", "/api/cases/{reference}/attachments"),
    ("get", "/api/cases/{reference}/attachments/{attachment_id}"),
    ("get", "/api/cases/{reference}/journal"),
    ("get", "/api/me"),
    ("get", "/api/applications"),
    ("get", "/api/applications/export"),
    ("get", "/api/applications/{application_id}"),
    ("get", "/api/applications/{application_id}/documents/{document_id}"),
    ("get", "/api/documents"),
    ("post", "/api/documents"),
    ("get", "/api/documents/{document_id}"),
    ("patch", "/api/documents/{document_id}"),
    ("post", "/api/documents/{document_id}/submit"),
    ("post", "/api/documents/{document_id}/initial"),
    ("post", "/api/documents/{document_id}/sign"),
    ("post", "/api/documents/{document_id}/refuse"),
    ("get", "/api/documents/{document_id}/pdf"),
    # The testing module's scenario sets (laksana.quality.api_sets).
    ("get", "/api/scenario-sets"),
    ("post", "/api/scenario-sets"),
    ("post", "/api/scenario-sets/import"),
    ("get", "/api/scenario-sets/{set_id}"),
    ("patch", "/api/scenario-sets/{set_id}"),
    ("get", "/api/scenario-sets/{set_id}/export"),
    ("post", "/api/scenario-sets/{set_id}/import"),
    ("get", "/api/scenario-sets/{set_id}/revisions"),
    ("get", "/api/scenario-sets/{set_id}/revisions/{number}"),
    ("post", "/api/scenario-sets/{set_id}/scenarios"),
    ("patch", "/api/scenario-sets/{set_id}/scenarios/{scenario_id}"),
    ("delete", "/api/scenario-sets/{set_id}/scenarios/{scenario_id}"),
    # Its reports and the security checklist (laksana.quality.api_reports).
    ("get", "/api/quality-reports"),
    ("get", "/api/quality-reports/{application_id}"),
    ("get", "/api/security-checklist"),
    ("post", "/api/security-checklist"),
    # The testing module's runs (laksana.quality.api_runs).
    ("get", "/api/test-runs"),
    ("post", "/api/test-runs"),
    ("get", "/api/test-runs/{run_id}"),
    ("post", "/api/test-runs/{run_id}/items/{item_id}/verdict"),
    ("post", "/api/test-runs/{run_id}/items/{item_id}/evidence"),
    ("get", "/api/test-runs/{run_id}/evidence/{evidence_id}"),
    ("post", "/api/test-runs/{run_id}/close"),
    ("post", "/api/test-runs/{run_id}/reopen"),
    ("post", "/api/test-runs/{run_id}/findings"),
    ("patch", "/api/test-runs/{run_id}/findings/{finding_id}"),
    ("post", "/api/test-runs/{run_id}/findings/{finding_id}/fixed"),
    ("post", "/api/test-runs/{run_id}/findings/{finding_id}/retest"),
    ("post", "/api/test-runs/{run_id}/findings/{finding_id}/accept-risk"),
    ("post", "/api/test-runs/{run_id}/findings/{finding_id}/problem-case"),
    ("post", "/api/test-runs/{run_id}/zap"),
    # The monitoring module (laksana.monitoring.api).
    ("get", "/api/monitors"),
    ("post", "/api/monitors"),
    ("get", "/api/monitors/{monitor_id}"),
    ("patch", "/api/monitors/{monitor_id}"),
    ("delete", "/api/monitors/{monitor_id}"),
    ("get", "/api/monitors/{monitor_id}/changes"),
    ("get", "/api/monitors/{monitor_id}/uptime"),
    ("get", "/api/applications/{application_id}/uptime"),
    ("get", "/api/incidents"),
    ("get", "/api/applications/{application_id}/maintenance-windows"),
    ("post", "/api/applications/{application_id}/maintenance-windows"),
    ("delete", "/api/maintenance-windows/{window_id}"),
    # The maintenance module (laksana.maintenance.api, api_occurrences).
    ("get", "/api/maintenance/plans"),
    ("post", "/api/maintenance/plans"),
    ("get", "/api/maintenance/plans/{plan_id}"),
    ("patch", "/api/maintenance/plans/{plan_id}"),
    ("put", "/api/maintenance/plans/{plan_id}/activities"),
    ("put", "/api/maintenance/plans/{plan_id}/criteria"),
    ("post", "/api/maintenance/plans/{plan_id}/submit"),
    ("post", "/api/maintenance/plans/{plan_id}/withdraw"),
    ("get", "/api/maintenance/plans/{plan_id}/cycles"),
    ("get", "/api/maintenance/plans/{plan_id}/report"),
    ("get", "/api/maintenance/plans/{plan_id}/report/xlsx"),
    ("get", "/api/maintenance/cycles/{cycle_id}/evaluation"),
    ("post", "/api/maintenance/cycles/{cycle_id}/evaluate"),
    ("get", "/api/maintenance/occurrences"),
    ("get", "/api/maintenance/occurrences/{occurrence_id}"),
    ("post", "/api/maintenance/occurrences/{occurrence_id}/record"),
    ("post", "/api/maintenance/occurrences/{occurrence_id}/files"),
    ("get", "/api/maintenance/occurrences/{occurrence_id}/files/{file_id}"),
    ("post", "/api/maintenance/occurrences/{occurrence_id}/not-done"),
    # The catalogue's contracts and risks, the agency's risk register (catalog.api_records).
    ("get", "/api/applications/{application_id}/contracts"),
    ("post", "/api/applications/{application_id}/contracts"),
    ("patch", "/api/contracts/{contract_id}"),
    ("get", "/api/applications/{application_id}/risks"),
    ("post", "/api/applications/{application_id}/risks"),
    ("patch", "/api/risks/{risk_id}"),
    ("get", "/api/risks"),
    # The satisfaction survey (laksana.survey.api).
    ("get", "/api/surveys"),
    ("post", "/api/surveys"),
    ("get", "/api/surveys/{survey_id}"),
    ("patch", "/api/surveys/{survey_id}"),
    ("delete", "/api/surveys/{survey_id}"),
    ("post", "/api/surveys/{survey_id}/open"),
    ("post", "/api/surveys/{survey_id}/close"),
    ("put", "/api/surveys/{survey_id}/follow-up"),
    ("get", "/api/surveys/{survey_id}/index"),
    ("get", "/api/surveys/{survey_id}/answers"),
    ("get", "/api/surveys/{survey_id}/imports"),
    ("post", "/api/surveys/{survey_id}/imports"),
    ("get", "/api/survey-settings"),
    ("put", "/api/survey-settings"),
    # Periodic evaluation of applications (SOP 001 f).
    ("get", "/api/evaluations"),
    ("post", "/api/evaluations"),
    ("get", "/api/evaluations/{evaluation_id}"),
    ("delete", "/api/evaluations/{evaluation_id}"),
    ("post", "/api/evaluations/{evaluation_id}/refresh"),
    ("post", "/api/evaluations/{evaluation_id}/conclude"),
}


def test_the_openapi_document_lists_every_route(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    routes = {
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert routes == ROUTES
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["TokenAuth"].items()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("security"), f"{method} {path} is not authenticated"
            assert "401" in operation["responses"], f"{method} {path} documents no 401"
    assert "ErrorOut" in document["components"]["schemas"]


def test_the_docs_page_loads_nothing_from_outside(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assets = re.findall(r"(?:src|href)=\"(/api/docs/assets/[^\"]+)\"", html)
    assert len(assets) == 4
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content)
    assert client.get("/api/docs/assets/../../settings.py").status_code == 404
    assert client.get("/api/docs/assets/redoc.standalone.js.map").status_code == 404


def test_an_unknown_path_is_a_json_404(api_as, bali):
    response = api_as(bali["dinkes_staf"]).get("/tidak/ada")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": response.json()["message"],
        "field": None,
        "items": [],
    }


def test_a_wrong_method_is_a_json_405(client, bali):
    response = client.delete("/api/cases")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_a_validation_error_names_the_first_field(api_as, bali):
    response = api_as(bali["dinkes_staf"]).post("/cases", {"title": 5})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == "procedure"
    assert len(body["items"]) == 2


def test_a_path_parameter_of_the_wrong_type_is_a_json_error(api_as, bali):
    response = api_as(bali["dinkes_staf"]).get("/procedures/x/versions/satu")
    assert response.status_code in (404, 422)
    assert set(response.json()) == {"code", "message", "field", "items"}


def test_the_api_root_points_to_the_documents(client):
    assert client.get("/api/").json() == {"openapi": "/api/openapi.json", "docs": "/api/docs"}
