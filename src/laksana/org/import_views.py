"""The administrator's staff import screen (``org:admin_import``): upload a SIMPEG export,
see the plan (units and positions created, people created, changed field by field,
unchanged, not in the file) or every problem by row and column, then "Terapkan".

The uploaded file is kept on the server between the preview and "Terapkan"
(:mod:`laksana.org.uploadstore`, a token bound to the uploader and the agency) and checked
again when applied. For the agency's administrators (:func:`laksana.org.roles.may_administer`)
and the superuser; a member of the agency who is not one gets 403, anyone of another agency
404. The writes are :func:`laksana.org.staffimport.import_staff`'s.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from laksana.org import staffimport, staffsheet, uploadstore
from laksana.org.admin_access import administered_agency
from laksana.org.models import Agency, Person

FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "unit": gettext_lazy("Unit"),
    "position": gettext_lazy("Position"),
    "superior": gettext_lazy("Superior (NIP)"),
}


def _administered(request: HttpRequest, slug: str) -> tuple[Agency, Person | None]:
    return administered_agency(
        request, slug, _("Staff are imported by the agency's administrators.")
    )


def _context(plan: staffimport.Plan) -> dict[str, Any]:
    return {
        "plan": plan,
        "changed": [
            (r, [(FIELD_LABELS[f], before, after) for f, before, after in r.changes])
            for r in plan.changed
        ],
    }


@login_required
@require_http_methods(["GET", "POST"])
def admin_import(request: HttpRequest, agency: str) -> HttpResponse:
    found, person = _administered(request, agency)
    person_id = person.pk if person is not None else None
    context: dict[str, Any] = {
        "agency": found,
        "max_mb": staffsheet.MAX_BYTES // (1024 * 1024),
        "columns": [aliases[0] for aliases in staffsheet.COLUMNS.values()],
    }
    if request.method == "GET":
        return render(request, "org/admin_import.html", context)
    if request.POST.get("action") == "apply":
        token = request.POST.get("token", "")
        kept = uploadstore.take(token, person_id, found.pk)
        if kept is None:
            context["file_errors"] = [
                _("The uploaded file is no longer here (or not yours); upload it again.")
            ]
            return render(request, "org/admin_import.html", context, status=422)
        name, content = kept
        try:
            plan = staffimport.import_staff(found, content, name, person)
        except staffsheet.StaffFileError as exc:  # pragma: no cover - checked at the upload
            context["file_errors"] = [exc.message]
            return render(request, "org/admin_import.html", context, status=422)
        if not plan.ok:  # the agency changed since the preview
            context.update(_context(plan), file_name=name)
            return render(request, "org/admin_import.html", context, status=422)
        uploadstore.drop(token)
        messages.success(
            request,
            _(
                "%(file)s imported: %(created)s people created, %(changed)s changed, "
                "%(unchanged)s unchanged; %(units)s units and %(positions)s positions created."
            )
            % {
                "file": name,
                "created": len(plan.created),
                "changed": len(plan.changed),
                "unchanged": len(plan.unchanged),
                "units": len(plan.new_units),
                "positions": len(plan.new_positions),
            },
        )
        return redirect("org:admin_import", agency=found.slug)
    upload = request.FILES.get("file")
    if upload is None:
        context["file_errors"] = [_("Choose a .csv or .xlsx file.")]
        return render(request, "org/admin_import.html", context, status=422)
    name = (upload.name or "pegawai")[:200]
    content = upload.read(staffsheet.MAX_BYTES + 1)
    try:
        plan = staffimport.check(found, content, name)
    except staffsheet.StaffFileError as exc:
        context["file_errors"] = [exc.message]
        return render(request, "org/admin_import.html", context, status=422)
    context.update(_context(plan), file_name=name)
    if not plan.ok:
        return render(request, "org/admin_import.html", context, status=422)
    context["token"] = uploadstore.keep(content, name, person_id, found.pk)
    return render(request, "org/admin_import.html", context)
