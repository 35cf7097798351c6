"""Catalogue screens for a contract and a risk after they are recorded (change a contract,
end it; reassess a risk, close it), reached from the application page, and the agency's risk
register with its heat map (likelihood × impact).

An application the user may not see, or a contract or risk not of that application, is a
404, the same as a missing one; the forms are the keepers' (others get 403); a retired
application's record is read-only (sent back to its page with the reason). Writes call
:mod:`laksana.catalog.records_services`.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from laksana.catalog import forms, records_services, views
from laksana.catalog.models import Application, Contract, Risk, RiskStatus
from laksana.catalog.risk import SCALE, risk_level
from laksana.errors import ServiceError
from laksana.web.middleware import current_person

HEAT_CELL = 44
"""The side of one heat map cell in the SVG, in its own units."""


class EndContractForm(djforms.Form):
    ends_on = djforms.DateField(label=gettext_lazy("Ends on"), widget=forms.DateInput)


def _keeper_app(request: HttpRequest, pk: int) -> Application | HttpResponse:
    """The application for a keeper's form: 404 if not visible, 403 for non-keepers, back to
    its page with the reason if retired."""
    app = views._visible_app(request, pk)
    if not views._may_keep(request, app.agency_id):
        raise PermissionDenied(_("Only the IT unit's staff keep the application catalogue."))
    if app.is_retired:
        messages.error(
            request, _("%(name)s is retired: its record can no longer be changed.") % {"name": app}
        )
        return redirect("catalog:detail", app.pk)
    return app


def _money(value: Decimal | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == value.to_integral_value() else f"{value:f}"


def _contract_initial(contract: Contract) -> dict[str, Any]:
    return {
        "vendor": contract.vendor.name,
        "number": contract.number,
        "signed_on": contract.signed_on,
        "value": _money(contract.value),
        "starts_on": contract.starts_on,
        "ends_on": contract.ends_on,
        "support_kind": contract.support_kind,
        "support_ends_on": contract.support_ends_on,
        "scope": contract.scope,
    }


def _contract_page(
    request: HttpRequest,
    app: Application,
    contract: Contract,
    form: forms.ContractForm,
    end_form: EndContractForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "catalog/contract_edit.html",
        {"app": app, "contract": contract, "form": form, "end_form": end_form},
        status=status,
    )


def _contract_of(app: Application, contract_id: int) -> Contract:
    contract = Contract.objects.select_related("vendor").filter(application=app, pk=contract_id)
    found = contract.first()
    if found is None:
        raise Http404
    return found


def _done(app: Application, anchor: str, message: str, request: HttpRequest) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("catalog:detail", args=[app.pk]) + f"#{anchor}")


@login_required
def contract_edit(request: HttpRequest, pk: int, contract_id: int) -> HttpResponse:
    """Change a contract's details."""
    found = _keeper_app(request, pk)
    if isinstance(found, HttpResponse):
        return found
    app = found
    contract = _contract_of(app, contract_id)
    end_form = EndContractForm(initial={"ends_on": contract.ends_on})
    if request.method != "POST":
        form = forms.ContractForm(initial=_contract_initial(contract))
        return _contract_page(request, app, contract, form, end_form)
    form = forms.ContractForm(request.POST)
    if form.is_valid():
        try:
            records_services.change_contract(views._actor(request), contract.pk, form.to_input())
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            return _done(app, "contract", _("The contract was changed."), request)
    return _contract_page(request, app, contract, form, end_form, status=422)


@login_required
@require_POST
def contract_end(request: HttpRequest, pk: int, contract_id: int) -> HttpResponse:
    """End a contract on a day."""
    found = _keeper_app(request, pk)
    if isinstance(found, HttpResponse):
        return found
    app = found
    contract = _contract_of(app, contract_id)
    end_form = EndContractForm(request.POST)
    if end_form.is_valid():
        try:
            records_services.end_contract(
                views._actor(request), contract.pk, end_form.cleaned_data["ends_on"]
            )
        except ServiceError as exc:
            forms.add_service_errors(end_form, exc)
        else:
            return _done(app, "contract", _("The contract was ended."), request)
    form = forms.ContractForm(initial=_contract_initial(contract))
    return _contract_page(request, app, contract, form, end_form, status=422)


def _risk_of(app: Application, risk_id: int) -> Risk:
    found = Risk.objects.filter(application=app, pk=risk_id).first()
    if found is None:
        raise Http404
    return found


@login_required
def risk_edit(request: HttpRequest, pk: int, risk_id: int) -> HttpResponse:
    """Reassess a risk (likelihood, impact, mitigation, owner, status)."""
    found = _keeper_app(request, pk)
    if isinstance(found, HttpResponse):
        return found
    app = found
    risk = _risk_of(app, risk_id)
    if request.method != "POST":
        form = forms.RiskForm(
            initial={
                "description": risk.description,
                "likelihood": str(risk.likelihood),
                "impact": str(risk.impact),
                "mitigation": risk.mitigation,
                "owner": risk.owner,
                "status": risk.status,
            }
        )
        return render(request, "catalog/risk_edit.html", {"app": app, "risk": risk, "form": form})
    form = forms.RiskForm(request.POST)
    if form.is_valid():
        try:
            records_services.change_risk(views._actor(request), risk.pk, form.to_input())
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            return _done(app, "risk", _("The risk was reassessed."), request)
    context = {"app": app, "risk": risk, "form": form}
    return render(request, "catalog/risk_edit.html", context, status=422)


@login_required
@require_POST
def risk_close(request: HttpRequest, pk: int, risk_id: int) -> HttpResponse:
    """Close a risk."""
    found = _keeper_app(request, pk)
    if isinstance(found, HttpResponse):
        return found
    app = found
    risk = _risk_of(app, risk_id)
    try:
        records_services.close_risk(views._actor(request), risk.pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("catalog:detail", args=[app.pk]) + "#risk")
    return _done(app, "risk", _("The risk was closed."), request)


# --- the agency's risk register --------------------------------------------------------------


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 9 else None


def _filters(request: HttpRequest) -> tuple[records_services.RegisterFilters, dict[str, str]]:
    raw = {
        k: request.GET.get(k, "").strip()
        for k in ("application", "status", "likelihood", "impact", "order")
    }
    f = records_services.RegisterFilters(
        application=_int(raw["application"]),
        status=raw["status"],
        likelihood=_int(raw["likelihood"]) if raw["likelihood"] else None,
        impact=_int(raw["impact"]) if raw["impact"] else None,
        order=raw["order"] or "score",
    )
    # A cell value that is no number is out of the scale: the service names the filter.
    if raw["likelihood"] and f.likelihood is None:
        f = dataclasses.replace(f, likelihood=0)
    if raw["impact"] and f.impact is None:
        f = dataclasses.replace(f, impact=0)
    return f, raw


def _cell_url(raw: dict[str, str], likelihood: int, impact: int) -> str:
    keep = {k: v for k, v in raw.items() if v and k in ("application", "status", "order")}
    keep.update(likelihood=str(likelihood), impact=str(impact))
    return reverse("catalog:risk_register") + "?" + urlencode(keep)


def heat_cells(counts: dict[tuple[int, int], int], raw: dict[str, str]) -> list[dict[str, Any]]:
    """The heat map's cells for the SVG: impact across (1 left), likelihood up (5 at the
    top), each with its count, level and link."""
    cells = []
    for li in SCALE:
        for im in SCALE:
            n = counts[(li, im)]
            cells.append(
                {
                    "likelihood": li,
                    "impact": im,
                    "count": n,
                    "level": risk_level(li, im).value,
                    "x": 30 + (im - 1) * HEAT_CELL,
                    "y": (5 - li) * HEAT_CELL,
                    "tx": 30 + (im - 1) * HEAT_CELL + HEAT_CELL // 2,
                    "ty": (5 - li) * HEAT_CELL + HEAT_CELL // 2 + 5,
                    "url": _cell_url(raw, li, im),
                    "selected": raw["likelihood"] == str(li) and raw["impact"] == str(im),
                }
            )
    return cells


@login_required
@require_safe
def risk_register(request: HttpRequest) -> HttpResponse:
    """The agency's risk register: every open risk of its applications (or those of a status,
    an application, a heat map cell), by score; and the heat map of likelihood × impact."""
    person = current_person(request)
    if not records_services.may_read_register(person):
        raise PermissionDenied(_("The risk register is for the agency's own staff."))
    f, raw = _filters(request)
    try:
        rows = list(records_services.register(person, f)[:500])
        counts = records_services.heat_map(person, f)
    except ServiceError as exc:
        f, raw = records_services.RegisterFilters(), dict.fromkeys(raw, "")
        messages.error(request, exc.message)
        rows = list(records_services.register(person, f)[:500])
        counts = records_services.heat_map(person, f)
    assert person is not None
    apps = records_services.register_applications(person).order_by("name").only("pk", "name")
    ticks = [
        {"n": n, "x": 30 + (n - 1) * HEAT_CELL + HEAT_CELL // 2, "y": (5 - n) * HEAT_CELL + 27}
        for n in SCALE
    ]
    return render(
        request,
        "catalog/risk_register.html",
        {
            "rows": rows,
            "total": sum(counts.values()),
            "cells": heat_cells(counts, raw),
            "ticks": ticks,
            "raw": raw,
            "applications": apps,
            "statuses": RiskStatus.choices,
            "orders": [
                ("score", _("Highest score first")),
                ("-score", _("Lowest score first")),
                ("newest", _("Newest first")),
            ],
            "cell_filtered": bool(raw["likelihood"] or raw["impact"]),
        },
    )
