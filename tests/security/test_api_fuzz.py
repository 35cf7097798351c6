"""The API fuzzed from its own OpenAPI document (schemathesis), as part of the normal suite.

Every operation of the document served at /api/openapi.json is called in-process (WSGI) with
generated requests, valid ones and invalid ones, as a demo person holding a real API token,
and every answer must be:

- no server error (no 5xx);
- a status code the operation documents;
- the content type the operation documents for that status;
- a body that matches the documented schema (errors: ``{code, message, field, items}``).

Path parameters are drawn both at random and from the objects that exist (the case's
reference, its steps, dispositions, files, the application and its document), so the
operations are reached past their 404s. The run is bounded and deterministic (derandomized,
no shrinking); ``LAKSANA_FUZZ_EXAMPLES`` raises the number of examples per operation and
mode for a longer run by hand::

    LAKSANA_FUZZ_EXAMPLES=500 .venv/bin/pytest -p no:cacheprovider tests/security/test_api_fuzz.py
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from laksana.accounts.services import issue_token
from laksana.cases import services
from laksana.catalog import services as catalog_services
from tests.cases.helpers import active, pdf, png

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("LAKSANA_FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def same_connection() -> Iterator[None]:
    """The requests run in this thread, inside the test's transaction: like Django's test
    client, stop the request signals from closing the connection between requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(bali: Any, sop002: Any) -> dict[str, Any]:
    """A case with a claimed step, a disposition and a file, an application with a document,
    and the token of a person who sees them all."""
    staff, head = bali["dinkes_staf"], bali["kadis"]
    case = services.open_case(staff, sop002, "SIKESDA tidak bisa login", "Galat 500 sejak pagi")
    services.add_attachment(staff, case.pk, png())
    step = active(case)
    disposition = None
    if head.subordinates.exists():
        disposition = services.dispose(
            head, case.pk, [head.subordinates.order_by("pk")[0]], "Proses lebih lanjut"
        )[0]
    app = bali.applications["sikesda"]
    document = catalog_services.add_document(None, app.pk, pdf("kontrak.pdf"), title="Kontrak")
    _token, secret = issue_token(head, "fuzz")
    attachment = case.attachments.get()
    from tests.catalog.test_records_api import records_ids  # a contract and a risk
    from tests.evaluation.test_api import evaluation_ids  # a draft evaluation
    from tests.maintenance.test_api import maintenance_ids  # plans, occurrences, a cycle
    from tests.monitoring.test_api import monitoring_ids  # a monitor and a maintenance window
    from tests.procedures.test_drafts_api import drafts_ids  # a draft revising SOP 002
    from tests.quality.test_api_runs import quality_ids  # a UAT run: the runs' API ids
    from tests.quality.test_api_sets import sets_ids  # a scenario set and its scenario
    from tests.survey.test_api import survey_ids  # a survey with an answer

    return {
        "secret": secret,
        "path": {
            **quality_ids(bali, sop002),
            **sets_ids(bali),
            **monitoring_ids(bali),
            **maintenance_ids(bali),
            **records_ids(bali),
            **survey_ids(bali),
            **evaluation_ids(bali),
            **drafts_ids(bali),
            "reference": case.reference,
            "step_id": step.pk,
            "disposition_id": disposition.pk if disposition else 1,
            "attachment_id": attachment.pk,
            "application_id": app.pk,
            "document_id": document.pk,
            "key": sop002.procedure_key,
            "number": sop002.number,
        },
    }


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    real: dict[str, Any],
    secret: str,
    found: dict[tuple[str, str, str], str],
) -> None:
    """One bounded Hypothesis run of one operation in one mode; failures are collected in
    ``found`` (one per operation and kind of failure), so one run reports them all."""
    strategies = [operation.as_strategy(generation_mode=mode)]
    if real:
        strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=real))
    # Mostly the person's token; sometimes none or a wrong one (the documented 401).
    tokens = st.sampled_from([secret, secret, secret, secret, None, "not-a-token"])

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        # No shrinking: a failure is reported with the request that caused it (as curl).
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies), token=tokens)
    def run(case: Any, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = (operation.label, failure.title, str(failure)[:200])
                found.setdefault(key, f"{operation.label} [{mode.value}]: {group}")

    run()


def test_every_operation_answers_as_documented(world: dict[str, Any], same_connection: None):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    found: dict[tuple[str, str, str], str] = {}
    for operation in operations:
        real = {p.name: world["path"][p.name] for p in operation.path_parameters}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, real, world["secret"], found)
    assert not found, "\n\n".join(found.values())
