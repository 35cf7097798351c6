"""Template context shared by every screen: the signed-in person and the inbox badge."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from laksana.cases.models import Disposition, DispositionStatus, Notification
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
