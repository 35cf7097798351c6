"""The public routes (no sign-in: the outside requesters' desk under /layanan/, namespace
``intake``) fuzzed like the API (tests/security/test_api_fuzz.py) and the web pages
(test_web_fuzz.py): every route the URL configuration has there when the test runs is called,
GET and POST, signed out, with what an attacker sends: long strings, odd Unicode, NUL
characters, SQL-ish and path-traversal text, numbers beyond 64 bits, wrong types (lists for
single values), files of the wrong type or with a lying name, and forms posted without the
CSRF token. No answer may be a server error (5xx), and none of these requests files a request
or writes anything staff would see: no outside request, file, case, person, unit or account is
made (a garbage form never carries the form's single-use token).

The routes are found by walking the resolver, so the routes other parts add (the public form,
the confirmation link, the follow link's actions) are fuzzed as soon as they exist; the test
asserts it found every pattern of ``laksana.intake.urls``. ``LAKSANA_FUZZ_EXAMPLES`` raises
the number of generated examples per route for a longer run by hand.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from laksana.cases.models import Attachment, Case, JournalEntry
from laksana.demo.orgs import SOP_002
from laksana.intake.models import OutsideRequest, PublicService, RequestFile
from laksana.org.models import Person, Unit

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("LAKSANA_FUZZ_EXAMPLES", "4"))
PUBLIC_PREFIX = "layanan/"

# Names the public views read (the public form, the confirmation and the follow link's
# actions) and some they do not.
NAMES = [
    "name",
    "email",
    "phone",
    "title",
    "description",
    "token",
    "form_token",
    "website",
    "started",
    "secret",
    "service",
    "agency",
    "file",
    "files",
    "text",
    "note",
    "action",
    "step",
    "step_id",
    "outcome",
    "verdict",
    "answer",
    "next",
    "csrfmiddlewaretoken",
]

HOSTILE = [
    "x" * 20_000,
    "a\x00b",
    "\x00",
    "'; DROP TABLE intake_outsiderequest; --",
    "' OR '1'='1",
    "1 UNION SELECT password FROM auth_user",
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%00",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "\u202e\u0645\u0631\u062d\u0628\u0627 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \U0001f600",
    str(2**64),
    str(-(2**70)),
    "1e309",
    "NaN",
    "-0",
    "9999-12-31T23:59:59+14:00",
    "a@b",
    "@" * 300 + "example.org",
    "",
    " ",
]

values = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.lists(st.sampled_from(HOSTILE[:6]), min_size=2, max_size=3),  # a list for one value
)
names = st.one_of(st.sampled_from(NAMES), st.text(alphabet="abcdefghij_-", min_size=1, max_size=8))
params = st.dictionaries(names, values, max_size=6)

# Path parameters: nothing real but the service's public address (secrets are made up).
PATH_VALUES = {
    "int": [str(2**64), "0", "-1"],
    "slug": ["tidak-ada", "a" * 200, "laporan-gangguan"],
    "str": ["x", "A" * 43, "' OR 1=1 --", "..", "%2e%2e", "\u202e", "a" * 500],
    "path": ["x/y", "../../etc/passwd"],
    "uuid": ["00000000-0000-0000-0000-000000000000"],
}


def _files() -> list[dict[str, Any]]:
    """Uploads of the wrong type: a program named .pdf, a script, a huge name, an empty file,
    an image that is not one, a zip bomb's header."""
    return [
        {"file": SimpleUploadedFile("surat.pdf", b"MZ\x90\x00" + b"\x00" * 64, "application/pdf")},
        {"file": SimpleUploadedFile("shell.php", b"<?php system($_GET['c']); ?>", "text/x-php")},
        {"files": SimpleUploadedFile("a" * 300 + ".png", b"not an image", "image/png")},
        {"file": SimpleUploadedFile("kosong.pdf", b"", "application/pdf")},
        {"file": SimpleUploadedFile("../../x.pdf", b"%PDF-1.4\n", "application/pdf")},
        {"files": SimpleUploadedFile("a.zip", b"PK\x03\x04" + b"\x00" * 26, "application/zip")},
    ]


def public_routes() -> list[tuple[str, str]]:
    """(route pattern, URL name) of every route under the ``intake`` namespace or /layanan/."""
    found: list[tuple[str, str]] = []

    def walk(resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]) -> None:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                walk(pattern, route, inner)
                continue
            assert isinstance(pattern, URLPattern)
            if "intake" in namespaces or route.startswith(PUBLIC_PREFIX):
                found.append((route, ":".join((*namespaces, pattern.name or route))))

    walk(get_resolver(), "", ())
    return sorted(set(found))


def _declared() -> int:
    """How many patterns laksana.intake.urls declares (all of them must be walked)."""
    from laksana.intake import urls

    def count(patterns: list[Any]) -> int:
        return sum(count(p.url_patterns) if isinstance(p, URLResolver) else 1 for p in patterns)

    return count(list(urls.urlpatterns))


_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def concrete(route: str) -> list[str]:
    """The route with its path parameters filled with each set of odd values."""
    converters = [m.group(1) or "str" for m in _PARAMETER.finditer(route)]
    width = max([len(PATH_VALUES.get(c, PATH_VALUES["str"])) for c in converters] or [1])
    urls = []
    for i in range(width):
        it = iter(range(len(converters)))

        def fill(match: re.Match[str], i: int = i, it: Any = it) -> str:
            next(it)
            options = PATH_VALUES.get(match.group(1) or "str", PATH_VALUES["str"])
            return options[i % len(options)]

        urls.append("/" + _PARAMETER.sub(fill, route))
    return sorted(set(urls))


def written() -> dict[str, int]:
    """What a filing or a requester's action would write, counted."""
    return {
        "requests": OutsideRequest.objects.count(),
        "files": RequestFile.objects.count(),
        "cases": Case.objects.count(),
        "journal": JournalEntry.objects.count(),
        "attachments": Attachment.objects.count(),
        "people": Person.objects.count(),
        "units": Unit.objects.count(),
        "accounts": get_user_model().objects.count(),
    }


@pytest.fixture
def service(bali: Any) -> PublicService:
    """An open public service of Bali, so the service's own address is among the fuzzed."""
    return PublicService.objects.create(
        agency=bali.agency,
        procedure_key=SOP_002,
        slug="laporan-gangguan",
        title="Laporan gangguan aplikasi",
        opened_at=timezone.now(),
        opened_by=bali["adminbali"],
    )


def _send(client: Client, url: str, data: Any, post: bool, found: dict[str, str]) -> None:
    method = "POST" if post else "GET"
    response = (client.post if post else client.get)(url, data)
    if response.status_code >= 500:
        found.setdefault(f"{method} {url}", f"{method} {url} {data!r:.200}: {response.status_code}")


def _fuzz(client: Client, url: str, found: dict[str, str]) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=params, post=st.booleans())
    def run(data: dict[str, Any], post: bool) -> None:
        _send(client, url, data, post, found)

    run()


def test_the_public_routes_are_found() -> None:
    routes = public_routes()
    assert len(routes) >= 1, "the public desk has at least the follow link"
    assert len(routes) >= _declared(), routes
    assert any(name == "intake:follow" for _route, name in routes)


def test_no_public_route_answers_a_server_error_or_writes(service: PublicService) -> None:
    routes = public_routes()
    assert len(routes) >= max(1, _declared())
    visitor = Client(raise_request_exception=False)
    # The same visitor without the CSRF token a browser would send with the form.
    forger = Client(enforce_csrf_checks=True, raise_request_exception=False)
    before = written()
    found: dict[str, str] = {}
    fuzzed = 0
    for route, _name in routes:
        for url in concrete(route):
            fuzzed += 1
            for value in HOSTILE:
                _send(visitor, url, {"q": value}, False, found)
                _send(visitor, url, dict.fromkeys(NAMES, value), True, found)
            for upload in _files():
                _send(visitor, url, {**dict.fromkeys(NAMES[:6], "Warga"), **upload}, True, found)
            _send(forger, url, dict.fromkeys(NAMES, "x"), True, found)
            _fuzz(visitor, url, found)
    assert fuzzed >= len(routes)
    assert not found, "\n".join(found.values())
    assert written() == before, "a refused public request wrote something"


def test_a_public_post_without_the_csrf_token_is_refused(service: PublicService) -> None:
    forger = Client(enforce_csrf_checks=True, raise_request_exception=False)
    before = written()
    for route, _name in public_routes():
        for url in concrete(route):
            response = forger.post(url, dict.fromkeys(NAMES, "x"))
            # Refused (403, or 429 when rate-limited), or not a route that takes a POST here (404,
            # 405); never accepted.
            assert response.status_code in (403, 404, 405, 429), (url, response.status_code)
    assert written() == before
