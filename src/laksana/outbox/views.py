"""The outbox screen: the e-mails of the administrator's agency (every agency for the
installation's superuser), waiting, sent and failed, with the reason of the last failure."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laksana.org.models import Person
from laksana.outbox import services
from laksana.outbox.models import Message, MessageStatus
from laksana.web.middleware import current_person

PAGE_SIZE = 50


def visible_messages(request: HttpRequest) -> QuerySet[Message]:
    """The messages the signed-in user may see: all for a superuser, their agency's for an
    agency administrator; anyone else is refused."""
    user = request.user
    if user.is_superuser:
        return Message.objects.select_related("agency")
    person = current_person(request)
    if person is not None and _agency_admin(person):
        return Message.objects.filter(agency_id=person.agency_id).select_related("agency")
    raise PermissionDenied


def _agency_admin(person: Person) -> bool:
    try:
        from laksana.org.models import RoleKind
        from laksana.org.roles import has_role
    except ImportError:  # an installation without product roles: superusers only
        return False
    return has_role(person, person.agency_id, RoleKind.AGENCY_ADMIN)


@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    found = visible_messages(request)
    status = request.GET.get("status", "")
    if status in MessageStatus.values:
        found = found.filter(status=status)
    else:
        status = ""
    page = Paginator(found.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "outbox/list.html",
        {"page": page, "status": status, "statuses": MessageStatus.choices},
    )


@login_required
@require_POST
def retry(request: HttpRequest, message_id: int) -> HttpResponse:
    with transaction.atomic():
        # Another agency's e-mail is not found, as one that does not exist.
        if not visible_messages(request).filter(pk=message_id).exists():
            raise Http404
        if services.retry(message_id):
            messages.success(request, _("The e-mail will be sent again."))
        else:
            messages.error(request, _("That e-mail cannot be sent again."))
    return redirect("outbox:list")
