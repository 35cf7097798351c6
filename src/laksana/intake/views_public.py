"""The public desk's pages (no sign-in), under /layanan/:

- ``intake:agency`` /layanan/<agency>/: the agency's services open to the public;
- ``intake:file`` /layanan/<agency>/<service>/: a service's page and form (GET issues a
  single-use token; POST files through :func:`laksana.intake.filing.file_request`);
- ``intake:filed``: "check your e-mail" (or "your request was opened" when signed in);
- ``intake:confirm`` /layanan/konfirmasi/<secret>/: GET shows a button and writes nothing
  (mail scanners follow links), POST confirms (:func:`laksana.intake.filing.confirm`);
- ``intake:track`` /layanan/lacak/: reference and e-mail; the same answer whether they match;
- ``intake:mine`` /layanan/saya/ (signed in): the requester's own requests.

A closed service, a missing one, or one of another agency named under this agency: 404.
Every refusal is a page saying what happened, and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from laksana.errors import ServiceError
from laksana.intake import filing, guard
from laksana.intake.models import OutsideRequest, PublicService
from laksana.org.models import Agency
from laksana.org.services import latest_version
from laksana.web.proxies import client_address

# Refusals of the form shown as a page of their own (code -> HTTP status).
_REFUSAL_STATUS = {
    "honeypot": 400,
    "token_missing": 400,
    "token_invalid": 400,
    "too_fast": 400,
    "token_used": 409,
    "rate_limited": 429,
}


def _agency(slug: str) -> Agency:
    return get_object_or_404(Agency, slug=slug)


def _service(agency: Agency, slug: str) -> PublicService:
    found = PublicService.objects.filter(agency=agency, slug=slug, is_open=True).first()
    if found is None:
        raise Http404
    return found


def service_level(service: PublicService) -> dict[str, Any]:
    """The service-level facts of the service's published procedure (requirements, time,
    cost, product), those it states."""
    version = latest_version(service.agency, service.procedure_key)
    if version is None:
        return {}
    try:
        identity = version.spec.identity
    except Exception:  # a version that no longer reads is shown without its facts
        return {}
    time = getattr(identity, "service_time", None)
    return {
        "requirements": list(getattr(identity, "service_requirements", ()) or ()),
        "time": time.text if time is not None else "",
        "cost": getattr(identity, "cost", "") or "",
        "product": getattr(identity, "product", "") or "",
    }


@require_safe
def agency(request: HttpRequest, agency: str) -> HttpResponse:
    """The agency's services open to the public."""
    found = _agency(agency)
    services = PublicService.objects.filter(agency=found, is_open=True).order_by("title")
    return render(request, "intake/agency.html", {"agency": found, "services": services})


def _refused(
    request: HttpRequest, service: PublicService | None, exc: ServiceError
) -> HttpResponse:
    status = _REFUSAL_STATUS.get(exc.code, 400)
    response = render(
        request,
        "intake/refused.html",
        {"service": service, "message": exc.message, "code": exc.code},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(guard.seconds_to_next_hour())
    return response


def _form(
    request: HttpRequest,
    service: PublicService,
    *,
    token: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user if request.user.is_authenticated and request.user.email else None
    context = {
        "agency": service.agency,
        "service": service,
        "level": service_level(service),
        "token": token,
        "token_field": guard.TOKEN_FIELD,
        "honeypot": guard.HONEYPOT,
        "values": values or {},
        "errors": errors or {},
        "notice": notice,
        "signed_in_email": user.email if user is not None else "",
        "max_files": filing.MAX_FILES,
        "max_mb": filing.MAX_FILE_BYTES // (1024 * 1024),
    }
    return render(request, "intake/form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def file(request: HttpRequest, agency: str, service: str) -> HttpResponse:
    """A service's page and form (GET), and the filing (POST)."""
    found = _service(_agency(agency), service)
    address = client_address(request)
    if request.method != "POST":
        try:
            guard.check_rate(address, "")
        except ServiceError as exc:
            return _refused(request, found, exc)
        return _form(request, found, token=guard.issue(found))
    values = {name: str(request.POST.get(name) or "").strip() for name in filing.FIELDS}
    token = str(request.POST.get(guard.TOKEN_FIELD) or "")
    try:
        filed = filing.file_request(
            found,
            request.POST,
            request.FILES.getlist(filing.FILE_FIELD),
            address=address,
            user=request.user,
        )
    except filing.FormErrors as exc:
        return _form(
            request,
            found,
            token=token,
            values=values,
            errors=exc.errors,
            notice=exc.message if len(exc.errors) == 1 else "",
            status=422,
        )
    except ServiceError as exc:
        if exc.code == "service_closed":
            raise Http404 from exc
        if exc.code == "token_expired":
            return _form(
                request,
                found,
                token=guard.issue(found),
                values=values,
                notice=exc.message,
                status=400,
            )
        return _refused(request, found, exc)
    return redirect(reverse("intake:filed") + ("?dibuka=1" if filed.opened else ""))


@require_safe
def filed(request: HttpRequest) -> HttpResponse:
    """After filing: check your e-mail (or: your request was opened)."""
    return render(request, "intake/filed.html", {"opened": request.GET.get("dibuka") == "1"})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, secret: str) -> HttpResponse:
    """GET: the request awaiting confirmation and a button (nothing written); POST: confirm."""
    if request.method != "POST":
        found = filing.awaiting(secret)
        if found is None:
            return render(request, "intake/confirm_gone.html", status=404)
        return render(request, "intake/confirm.html", {"found": found})
    try:
        confirmed = filing.confirm(secret)
    except ServiceError as exc:
        return render(request, "intake/confirm_gone.html", {"message": exc.message}, status=404)
    return render(
        request,
        "intake/confirmed.html",
        {"reference": confirmed.case.reference if confirmed.case else ""},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """The tracking form: the follow link e-mailed again when reference and e-mail match; the
    answer never says whether they did."""
    if request.method != "POST":
        return render(request, "intake/track.html", {})
    try:
        filing.resend_link(
            str(request.POST.get("reference") or ""),
            str(request.POST.get("email") or ""),
            address=client_address(request),
        )
    except ServiceError as exc:
        return _refused(request, None, exc)
    return render(request, "intake/track.html", {"sent": True})


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in requester's own requests."""
    rows = (
        OutsideRequest.objects.filter(user_id=request.user.pk or 0)
        .select_related("service", "agency", "case")
        .order_by("-created_at", "-id")[:200]
    )
    return render(request, "intake/mine.html", {"rows": rows})
