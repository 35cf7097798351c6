"""Template context shared by every screen: the signed-in person, the inbox badge and the
link to the agency settings of an administrator."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from laksana.cases.models import Disposition, DispositionStatus, Notification
from laksana.org.models import RoleKind
from laksana.org.roles import has_role
from laksana.web.middleware import current_person


def unread_count(person_id: int) -> int:
    """Unread dispositions to the person plus their unread notifications (two index scans:
    disposition_inbox_idx and notification_unread_idx)."""
    dispositions = Disposition.objects.filter(
        recipient_id=person_id, status=DispositionStatus.UNREAD
    ).count()
    notifications = Notification.objects.filter(person_id=person_id, read_at__isnull=True).count()
    return dispositions + notifications


def inbox_badge(request: HttpRequest) -> dict[str, Any]:
    """``person`` (or None) and ``unread_count`` for the navigation's inbox badge."""
    person = current_person(request)
    if person is None:
        return {"person": None, "unread_count": 0}
    return {"person": person, "unread_count": unread_count(person.pk)}


def admin_link(request: HttpRequest) -> dict[str, Callable[[], str]]:
    """``admin_home_url``: where the navigation's "Agency settings" leads, or "" for people
    who administer no agency (a product role: the agency's administrators, and the
    superuser). Looked up only when a page shows the navigation, at most once."""

    @cache
    def url() -> str:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return ""
        person = current_person(request)
        if person is not None and (
            user.is_superuser or has_role(person, person.agency_id, RoleKind.AGENCY_ADMIN)
        ):
            return reverse("org:admin_home", kwargs={"agency": person.agency.slug})
        return reverse("org:index") if user.is_superuser else ""

    return {"admin_home_url": url}
