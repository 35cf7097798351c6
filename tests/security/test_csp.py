"""The Content-Security-Policy and the other security headers on every main screen, and pages
that need nothing the policy forbids: no inline script or style, no event-handler attributes,
no hx-on, no javascript: URLs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import laksana
from laksana.cases import services
from laksana.cases.models import Case
from laksana.demo.orgs import SOP_002, DemoOrg
from laksana.org import roles
from laksana.org.models import RoleKind
from laksana.procedures import drafts
from laksana.procedures.models import ProcedureVersion

from ..cases.helpers import active, png, work

pytestmark = pytest.mark.django_db

PACKAGE = Path(laksana.__file__).parent
# The official SOP document is laid out by the engine with a scoped <style> and style
# attributes; these pages allow inline styles (never scripts): the template, a version, and the
# draft editor that shows the draft's document beside its forms.
DOCUMENT_PAGES = {"procedures:detail", "procedures:version", "procedures:draft"}


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    assert header, f"{response.wsgi_request.path}: no Content-Security-Policy"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class InlineCode(HTMLParser):
    """Collects what a strict policy would block in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script":
            kind = names.get("type") or "text/javascript"
            if "src" not in names and kind not in ("application/json", "application/ld+json"):
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            elif name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"<{tag} {name}>")
            elif (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f'<{tag} {name}="{value}">')
            elif name == "hx-vals" and (value or "").strip().startswith("js:"):
                self.found.append(f"<{tag} hx-vals=js:>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def case(bali: DemoOrg, sop002: ProcedureVersion) -> Case:
    """A Bali SOP 002 case at step 3 with an image, a comment and a disposition."""
    requester = bali["dinkes_staf"]
    case = services.open_case(
        requester, sop002, "SIKESDA lambat", application=bali.applications["sikesda"]
    )
    case = work(requester, work(requester, case))
    services.add_attachment(requester, case.pk, png("layar.png"))
    services.add_comment(requester, case.pk, "Mohon dibantu.")
    services.dispose(
        bali["kadis"], case.pk, [bali["kabid"]], "Proses lebih lanjut", step_id=active(case).pk
    )
    return case


Page = Callable[[Case, DemoOrg], str]
# The signed-in walkthrough of the Kepala Dinas (made staff and agency administrator for the
# agency screens).
WALKTHROUGH: dict[str, Page] = {
    "cases:inbox": lambda c, b: reverse("cases:inbox"),
    "cases:list": lambda c, b: reverse("cases:list"),
    "cases:detail": lambda c, b: reverse("cases:detail", args=[c.reference]),
    "cases:open": lambda c, b: reverse("cases:open"),
    "cases:notifications": lambda c, b: reverse("cases:notifications"),
    "catalog:list": lambda c, b: reverse("catalog:list"),
    "catalog:detail": lambda c, b: reverse("catalog:detail", args=[b.applications["sikesda"].pk]),
    "reports:compliance": lambda c, b: reverse("reports:compliance"),
    "reports:overdue": lambda c, b: reverse("reports:overdue"),
    "procedures:list": lambda c, b: reverse("procedures:list"),
    "procedures:detail": lambda c, b: reverse("procedures:detail", args=[SOP_002]),
    "procedures:version": lambda c, b: reverse(
        "procedures:version", args=[b.agency.slug, SOP_002, c.version.number]
    ),
    "procedures:draft": lambda c, b: reverse(
        "procedures:draft", args=[drafts.create_from_version(b["kadis"], c.version).pk]
    ),
    "org:index": lambda c, b: reverse("org:index"),
    "org:bindings": lambda c, b: reverse("org:bindings", args=[b.agency.slug, SOP_002]),
    "org:calendar": lambda c, b: reverse("org:calendar", args=[b.agency.slug]),
    "org:admin_home": lambda c, b: reverse("org:admin_home", args=[b.agency.slug]),
    "org:admin_vendors": lambda c, b: reverse("org:admin_vendors", args=[b.agency.slug]),
    "org:admin_instructions": lambda c, b: reverse("org:admin_instructions", args=[b.agency.slug]),
    "org:admin_history": lambda c, b: reverse("org:admin_history", args=[b.agency.slug]),
}


@pytest.fixture
def kadis(client: Client, bali: DemoOrg) -> Client:
    user = bali["kadis"].user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    roles.grant(bali["kadis"], RoleKind.AGENCY_ADMIN)  # the bindings screens are the admins'
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", list(WALKTHROUGH))
def test_every_main_screen_carries_the_policy(
    name: str, kadis: Client, case: Case, bali: DemoOrg
) -> None:
    response = kadis.get(WALKTHROUGH[name](case, bali))
    assert response.status_code == 200, name
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    html = response.content.decode()
    if name in DOCUMENT_PAGES:
        assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
        assert not [f for f in inline_code(html) if "style" not in f], name
    else:
        assert csp["style-src"] == ["'self'"]
        assert inline_code(html) == [], name
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_anonymous_pages_carry_the_policy_too(client: Client, versions) -> None:
    for url in (reverse("login"), reverse("procedures:list")):
        response = client.get(url)
        assert (
            policy(response)["script-src"] == ["'self'"]
            and inline_code(response.content.decode()) == []
        ), url


def test_htmx_is_told_not_to_need_inline_style_or_eval(client: Client) -> None:
    html = client.get(reverse("login")).content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert match, "no htmx-config meta element"
    config = json.loads(match.group(1))
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert "web/laksana.js" in html


def test_the_step_form_scrolls_to_its_errors_without_inline_code(kadis: Client, case) -> None:
    html = kadis.get(reverse("cases:detail", args=[case.reference])).content.decode()
    step = active(case)
    assert f'data-scroll-errors="#step-{step.pk}-errors"' in html
    assert f'id="step-{step.pk}-errors"' in html
    script = (PACKAGE / "web" / "static" / "web" / "laksana.js").read_text()
    assert "htmx:afterRequest" in script and "data-scroll-errors" in script


def test_the_chain_depth_has_a_class_for_every_depth_shown() -> None:
    # laksana.cases.display bounds the depth at 6; the stylesheet indents each depth.
    css = (PACKAGE / "web" / "static" / "web" / "laksana.css").read_text()
    for depth in range(1, 7):
        assert re.search(rf"\.chain__node--depth-{depth} \{{\s*margin-left: {depth}rem;", css)
    assert "var(--depth" not in css


# Templates that are never served as a page: the compliance report's PDF is rendered by
# WeasyPrint, which applies its <style> itself.
# The official documents' print frame and its partials are served only as the HTML of a
# document inside a sandboxed frame, with a policy of their own that runs no script
# (laksana.documents.draft_views._framed).
NOT_SERVED = {
    "reports/compliance_pdf.html",
    "documents/print/frame.html",
    "documents/print/verifikasi.html",
}


def test_no_template_has_inline_script_style_or_handlers() -> None:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.glob("*/templates/**/*.html")):
        relative = "/".join(path.parts[path.parts.index("templates") + 1 :])
        if relative in NOT_SERVED:
            continue
        # Template tags and comments are not HTML: replace them with something inert first.
        text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", "x", path.read_text(), flags=re.S)
        problems = inline_code(text)
        if problems:
            found[str(path.relative_to(PACKAGE))] = problems
    assert not found, found


# --- the header built once per process (laksana.web.middleware) ------------------------------


def _library_header(path: str, report_only: bool = False) -> str:
    """What django-csp's own middleware writes for a plain response."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    request = RequestFactory().get(path)
    response = CSPMiddleware(lambda r: HttpResponse("x"))(request)
    return response.get(
        "Content-Security-Policy-Report-Only" if report_only else "Content-Security-Policy", ""
    )


def test_plain_responses_carry_the_header_django_csp_builds(client, settings):
    assert client.get("/api/cases").headers["Content-Security-Policy"] == _library_header("/")
    assert client.get(reverse("login")).headers["Content-Security-Policy"] == _library_header("/")
    # A changed setting is seen at once (the built header is dropped with it), and a
    # report-only policy is written beside the enforced one.
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-report"},
        "EXCLUDE_URL_PREFIXES": ["/api/"],
    }
    page = client.get(reverse("login"))
    assert page.headers["Content-Security-Policy"] == "default-src 'none'"
    assert page.headers["Content-Security-Policy-Report-Only"] == _library_header("/", True)
    assert "report-uri /csp-report" in page.headers["Content-Security-Policy-Report-Only"]
    api = client.get("/api/cases")
    assert api.headers["Content-Security-Policy"] == "default-src 'none'"
    assert "Content-Security-Policy-Report-Only" not in api.headers  # excluded prefix


def test_a_nonce_or_a_views_own_policy_still_goes_through_django_csp(rf, settings):
    from csp.decorators import csp_exempt, csp_update
    from django.http import HttpResponse

    from laksana.web.middleware import ContentSecurityPolicyMiddleware

    def run(view):
        request = rf.get("/x/")
        middleware = ContentSecurityPolicyMiddleware(view)
        return request, middleware(request)

    _request, updated = run(
        csp_update({"img-src": ["https://peta.example"]})(lambda r: HttpResponse())
    )
    assert "https://peta.example" in updated.headers["Content-Security-Policy"]
    _request, exempt = run(csp_exempt()(lambda r: HttpResponse()))
    assert "Content-Security-Policy" not in exempt.headers

    def with_nonce(request):
        str(request.csp_nonce)  # a template asking for the nonce
        return HttpResponse()

    from csp.constants import NONCE, SELF

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}
    request, response = run(with_nonce)
    assert policy(response)["script-src"] == ["'self'", f"'nonce-{request._csp_nonce}'"]
    # After the header is written a nonce can no longer be asked for (as django-csp does).
    request, _response = run(lambda r: HttpResponse())
    with pytest.raises(Exception, match="nonce"):
        str(request.csp_nonce)
