"""The follow link's page (no sign-in: the secret in the address is the right to see one
case), the requester's steps and their answers to a hold through it.

A wrong, made-up or spam-closed link answers 404, as a missing page does. Every answer
carries ``Referrer-Policy: same-origin`` (the secret never leaves in a Referer to another site),
``Cache-Control: no-store`` and ``X-Robots-Tag: noindex``; the refusals are not logged with
their address (it holds the secret). The writes are the services' (:mod:`laksana.intake.follow`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from laksana.cases import stepform
from laksana.cases.services import ServiceError
from laksana.intake import follow as services
from laksana.intake.desk import request_by_link
from laksana.intake.follow_page import FollowPage, page
from laksana.intake.models import OutsideRequest


def _private(response: HttpResponse) -> HttpResponse:
    # Same origin only: the secret never leaves in a Referer to another site, and the page's
    # own forms still carry an Origin (with no-referrer, browsers send "Origin: null" and
    # the CSRF check refuses every post).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    # Django logs a 4xx with its path, which holds the secret: not this one.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "intake/follow_missing.html", status=404))


def _follow_url(secret: str, anchor: str = "") -> str:
    url = reverse("intake:follow", args=[secret])
    return f"{url}#{anchor}" if anchor else url


def _render(
    request: HttpRequest,
    secret: str,
    view: FollowPage,
    *,
    step_states: Mapping[int, tuple[dict[str, str], dict[str, list[str]], list[str]]] | None = None,
    reply_states: Mapping[int, tuple[str, str]] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    spec = view.case.version.spec
    on_case = view.case.state.get("artifacts", {})
    forms = []
    for row in view.mine:
        step = spec.step(row.step_key)
        entered, per_key, general = (step_states or {}).get(row.pk, ({}, {}, []))
        # No case or row: the staff's screens a produced record links to are not offered.
        inputs = stepform.build_inputs(spec, step, on_case, [], entered, per_key)
        forms.append(
            {
                "row": row,
                "step": step,
                "inputs": inputs,
                "errors": general,
                "note": entered.get("note", ""),
            }
        )
    holds = [
        {
            "row": row,
            "step": spec.step(row.step_key),
            "text": (reply_states or {}).get(row.pk, ("", ""))[0],
            "error": (reply_states or {}).get(row.pk, ("", ""))[1],
        }
        for row in view.holds
    ]
    context: dict[str, Any] = {
        "view": view,
        "case": view.case,
        "secret": secret,
        "forms": forms,
        "holds": holds,
        "reply_max": services.REPLY_MAX_CHARS,
        "reply_files": services.REPLY_MAX_FILES,
        "refusal": refusal,
    }
    return _private(render(request, "intake/follow.html", context, status=status))


def _found(secret: str) -> OutsideRequest | None:
    return request_by_link(secret)


@require_GET
def follow(request: HttpRequest, secret: str) -> HttpResponse:
    """The case of the link, as its requester sees it."""
    outside = _found(secret)
    if outside is None:
        return _not_found(request)
    return _render(request, secret, page(outside))


@require_POST
def complete(request: HttpRequest, secret: str, step_id: int) -> HttpResponse:
    """The requester completes their own step with what its form holds."""
    outside = _found(secret)
    if outside is None:
        return _not_found(request)
    try:
        case, row = services.requester_step(outside, step_id)
    except ServiceError as exc:
        if exc.code == "not_found":
            return _not_found(request)
        return _render(request, secret, page(outside), refusal=exc.message, status=403)
    spec = case.version.spec
    step = spec.step(row.step_key)
    on_case = case.state.get("artifacts", {})
    sub = stepform.read_submission(spec, step, on_case, request.POST, request.FILES)
    try:
        services.complete(
            outside, row.pk, values=sub.values, files=sub.files, outcome=sub.outcome, note=sub.note
        )
    except ServiceError as exc:
        keys = stepform.pending_artifacts(spec, step, on_case)
        per_key, general = stepform.map_errors(exc, spec, keys)
        if sub.has_files:
            general.append(_("Files are not kept when a step is refused: choose them again."))
        fresh = request_by_link(secret) or outside
        return _render(
            request,
            secret,
            page(fresh),
            step_states={row.pk: (sub.entered, per_key, general)},
            status=422,
        )
    messages.success(request, _("Step %(no)s is done. Thank you.") % {"no": step.number})
    return _private(HttpResponseRedirect(_follow_url(secret)))


@require_POST
def reply(request: HttpRequest, secret: str, step_id: int) -> HttpResponse:
    """The requester's answer to a step on hold waiting on them (text and up to three
    files); the step's staff are told and resume it."""
    outside = _found(secret)
    if outside is None:
        return _not_found(request)
    text = request.POST.get("text", "")
    files = [f for f in request.FILES.getlist("files") if f is not None]
    try:
        services.reply(outside, step_id, text, files)
    except ServiceError as exc:
        if exc.code == "not_found":
            return _not_found(request)
        view = page(outside)
        if all(r.pk != step_id for r in view.holds):
            return _render(request, secret, view, refusal=exc.message, status=403)
        return _render(
            request, secret, view, reply_states={step_id: (text, exc.message)}, status=422
        )
    messages.success(request, _("Your answer was sent to the staff working on your request."))
    return _private(HttpResponseRedirect(_follow_url(secret)))
