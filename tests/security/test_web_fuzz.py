"""The web pages fuzzed like the API (tests/security/test_api_fuzz.py), as part of the normal
suite: every route of the URL configuration outside /api/ and the admin is called with
generated query parameters (GET) and generated form fields (POST), as a signed-in official and
as an administrator, and no answer may be a server error (5xx).

The parameter names are those the views read (and a few random ones); the values are what an
attacker tries: numbers beyond 64 bits, negative and zero ids, dates at the ends of the calendar,
cursors, NUL characters, long and odd Unicode text. Path parameters are the objects that exist
(the case's reference, its steps, its file, the application and its document, the agency, the
procedure) or random values. The run is bounded and deterministic (derandomized, no shrinking);
``LAKSANA_FUZZ_EXAMPLES`` raises the number of examples per route and method for a longer run
by hand::

    LAKSANA_FUZZ_EXAMPLES=100 .venv/bin/pytest -p no:cacheprovider tests/security/test_web_fuzz.py
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from laksana.cases import services
from laksana.catalog import services as catalog_services
from laksana.procedures import drafts
from tests.cases.helpers import active, pdf, png

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("LAKSANA_FUZZ_EXAMPLES", "4"))
SKIPPED_PREFIXES = ("api/", "admin/", "i18n/", "static/", "akun/keluar/")

# The names the views read from query strings and forms (grep request.GET / request.POST).
NAMES = [
    "status",
    "procedure",
    "unit",
    "application",
    "agency",
    "q",
    "after",
    "from",
    "to",
    "format",
    "tahun",
    "teruskan",
    "action",
    "text",
    "kind",
    "reason",
    "note",
    "outcome",
    "target",
    "recipients",
    "chosen-1-pemilik",
    "instruction",
    "urgency",
    "deadline",
    "title",
    "description",
    "stage",
    "change",
    "date",
    "name",
    "value",
    "year",
    "day",
    "start",
    "end",
    "period",
    "schedule",
    "time_zone",
    "version",
    "artifacts",
    "instruction_text",
    "signed_on",
    "starts_on",
    "ends_on",
    "executed_on",
    # The monitoring module's forms.
    "environment",
    "method",
    "expected_statuses",
    "keyword",
    "keyword_absent",
    "max_latency_ms",
    "follow_redirects",
    "headers",
    "tls_min_days",
    "dns_expected",
    "interval_seconds",
    "timeout_seconds",
    "fail_after",
    "recover_after",
    "counts_for_application",
    "active",
    "starts_at",
    "ends_at",
    "procedure_key",
    # The public desk's staff screens (laksana.intake.views_staff).
    "slug",
    "intro",
    "is_open",
    "accepts_files",
    "service",
    "address",
    "reporting_unit",
    "status_public",
    "cert_notice_days",
    # The survey's forms: the questionnaire (public link, invitation), the survey, its
    # follow-up rows and the agency's questionnaire (formsets "row" and "unsur").
    *[f"u{i}" for i in range(1, 10)],
    "age",
    "sex",
    "education",
    "occupation",
    "suggestion",
    "token",
    # The staff import (org:admin_import): its upload sent as text.
    "file",
    "website",
    "service_kind",
    "service_name",
    # The public desk's filing and tracking forms (laksana.intake.views_public).
    "email",
    "phone",
    "reference",
    "files",
    "population",
    "public_enabled",
    "invite_requesters",
    "period_start",
    "period_end",
    "row-TOTAL_FORMS",
    "row-INITIAL_FORMS",
    "row-0-unsur",
    "row-0-action",
    "row-0-due",
    "row-0-responsible",
    "unsur-TOTAL_FORMS",
    "unsur-INITIAL_FORMS",
    "unsur-0-key",
    "unsur-0-position",
    "unsur-0-question",
    "unsur-0-label1",
    "invite_delay_hours",
    "invite_share",
    "invite_expiry_days",
    "public_per_hour",
    "submitted_on",
    # The evaluation's forms.
    "case",
    "conclusion",
    "reasoning",
    # The Word import: the upload and the review (items confirmed, corrections chosen).
    "document",
    "confirm",
    "fix-0",
    "fix-1",
    "overdue",  # the case list: running cases past their own due time
    # The administrator's units, positions, people and roles (laksana.org.forms_admin).
    "short_name",
    "parent",
    "superior",
    "nip",
    "email",
    "phone",
    "positions",
    "username",
    "password",
    "password_again",
    "person",
    # The procedure draft editor's forms (laksana.procedures.forms_drafts, forms_draft_steps).
    "revision",
    "sop_revision",
    "index",
    "langkah",
    "tab",
    "source",
    "id",
    "number",
    "approved_by_nip",
    "legal_basis",
    "purpose",
    "service_time",
    "service_time_unit",
    "cost",
    "actor-count",
    "actor-0-id",
    "actor-0-name",
    "actor-0-kind",
    "actor-0-was",
    "artifact-count",
    "artifact-0-id",
    "artifact-0-type",
    "artifact-0-accept",
    "artifact-0-multiple",
    "artifact-0-fields",
    "artifact-0-signed_by",
    "activity",
    "actor",
    "joint",
    "any_of",
    "copies",
    "requires",
    "produces",
    "requirements_text",
    "output_text",
    "time",
    "time_unit",
    "no",
    "next",
    "decision",
    "question",
    "decided_by",
    "outcome-count",
    "outcome-0-label",
    "outcome-0-to",
    "outcome-0-when",
    "also-count",
    "also-0-no",
    "also-0-activity",
    "also-0-requirements_text",
    "also-0-time",
    "also-0-output_text",
    "also-0-note",
    "start_label",
    "end-count",
    "end-0-id",
    "end-0-label",
    "notes",
    # The follow link's answer to a hold (laksana.intake.views_follow).
    "files",
    # The agency administrator's vendors, presets and change history (laksana.org.views_more).
    "email",
    "phone",
    "superior",
    "positions",
    "position",
    "username",
    "password",
    "password2",
    "person",
    "direction",
    "jenis",
    "orang",
    "halaman",
]

ODD_VALUES = [
    str(2**63),
    str(2**70),
    "-1",
    "0",
    "²",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "2026-01-01T00:00:00+00:00," + str(2**64),
    "9999-12-31T23:59:59+14:00,1",
    "0001-01-01T00:00:00-12:00,1",
    "step:" + str(2**64),
    "parent:99999999999999999999",
    "case",
    "a\x00b",
    "'\"<script>",
    "%00",
    "x" * 5_000,
    "xlsx",
    "csv",
    "upload",
    "check",
    "commit",
]

values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",)),
        max_size=40,
    ),
)
names = st.one_of(st.sampled_from(NAMES), st.text(alphabet="abcdefghij_-", min_size=1, max_size=8))
params = st.dictionaries(names, values, max_size=6)


def web_routes() -> list[str]:
    """The route patterns of the site outside the API and the admin."""
    found: list[str] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern, route)
            else:
                assert isinstance(pattern, URLPattern)
                found.append(route)

    walk(get_resolver(), "")
    return sorted(set(found))


@pytest.fixture
def world(bali: Any, sop002: Any) -> dict[str, str]:
    """Real values for the path parameters: a case with a step, a file and a disposition, an
    application with a document, the agency and the procedure."""
    staff = bali["dinkes_staf"]
    case = services.open_case(staff, sop002, "SIKESDA tidak bisa login", "Galat 500 sejak pagi")
    attachment = services.add_attachment(staff, case.pk, png())
    step = active(case)
    app = bali.applications["sikesda"]
    document = catalog_services.add_document(None, app.pk, pdf("kontrak.pdf"), title="Kontrak")
    draft = drafts.create_from_version(bali["kadis"], sop002)
    return {
        "draft": str(draft.pk),
        "section": "steps",
        "reference": case.reference,
        "step_id": str(step.pk),
        "pk": str(attachment.pk),
        "document_id": str(document.pk),
        "application": str(app.pk),
        "agency": bali.agency.slug,
        "procedure": sop002.procedure_key,
        "procedure_id": sop002.procedure_key,
        "number": str(sop002.number),
        "year": "2026",
    }


_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def concrete(route: str, real: dict[str, str], random: bool) -> str:
    """The route with its path parameters filled in (real objects, or odd values)."""

    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if random:
            return {"int": str(2**64), "slug": "tidak-ada", "path": "x/y"}.get(converter, "X")
        if name == "pk" and "katalog" in route:
            return real["application"]
        if name == "pk" and "draf/" in route:
            return real["draft"]
        return real.get(name, "1")

    return "/" + _PARAMETER.sub(fill, route)


# Every name the views read set to one of these at once: the values that broke pages before.
SWEEP_GET = [
    str(2**70),
    "0001-01-01",
    "9999-12-31",
    "2026-01-01T00:00:00+00:00," + str(2**64),
    "a\x00b",
    "step:" + str(2**64),
]
SWEEP_POST = [str(2**70), "a\x00b", "step:" + str(2**64), "0001-01-01", "9999-12-31"]


def _send(
    client: Client, url: str, data: dict[str, str], post: bool, found: dict[str, str], shown: str
) -> None:
    method = "POST" if post else "GET"
    response = (client.post if post else client.get)(url, data)
    if response.status_code >= 500:
        found.setdefault(f"{method} {url}", f"{method} {url} {shown}: {response.status_code}")


def _sweep(client: Client, url: str, values: list[str], post: bool, found: dict[str, str]) -> None:
    for value in values:
        shown = f"(every parameter {value!r})"
        _send(client, url, dict.fromkeys(NAMES, value), post, found, shown)


def _fuzz(client: Client, url: str, found: dict[str, str], examples: int) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=params, post=st.booleans())
    def run(data: dict[str, str], post: bool) -> None:
        _send(client, url, data, post, found, repr(data))

    run()


def test_no_web_route_answers_a_server_error(world, bali, django_user_model):
    routes = web_routes()
    assert len(routes) >= 30
    official = Client(raise_request_exception=False)
    official.force_login(bali["kadis"].user)
    admin = Client(raise_request_exception=False)
    admin.force_login(django_user_model.objects.create_superuser("admin", "a@b.c", "x"))
    found: dict[str, str] = {}
    for route in routes:
        real, odd = concrete(route, world, False), concrete(route, world, True)
        _sweep(official, real, SWEEP_GET, False, found)
        _sweep(official, real, SWEEP_POST, True, found)
        _sweep(admin, real, SWEEP_GET[:3], False, found)
        _fuzz(official, real, found, EXAMPLES)
        if odd != real:
            _fuzz(official, odd, found, max(2, EXAMPLES // 2))
    assert not found, "\n".join(found.values())
