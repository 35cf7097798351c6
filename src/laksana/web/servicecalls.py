"""A screen calling a service: the service's refusals as the web answers them. "Not found"
(another agency's id, as for one that does not exist) is a 404, a refusal of the person a
403; any other refusal is raised for the screen to show next to its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404

from laksana.errors import NotAllowed, ServiceError

T = TypeVar("T")


def call(fn: Callable[[], T]) -> T:
    """Run ``fn`` (a service call): NotAllowed → 403, ServiceError "not_found" without a
    field → 404; other ServiceErrors are raised."""
    try:
        return fn()
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        if exc.code == "not_found" and exc.field is None:
            raise Http404 from exc
        raise
