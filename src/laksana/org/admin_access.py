"""Who reaches an agency administrator's screens (/organisasi/<agency>/...).

Product roles, not Django's ``is_staff``: the agency's own administrators and the
installation's superuser (:func:`laksana.org.roles.may_administer`). Anonymous visitors are
sent to sign in; a member of the agency who does not administer it is refused (403); anyone
else gets the answer of an agency that does not exist (404), so another agency's screens
give nothing away.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from laksana.org.models import Agency, Person
from laksana.org.roles import may_administer
from laksana.web.middleware import current_person

_View = Callable[..., HttpResponse]


def administered_agency(
    request: HttpRequest, slug: str, refusal: str = ""
) -> tuple[Agency, Person | None]:
    """The agency named by ``slug`` and the signed-in person, when they may administer it;
    a member of the agency who may not is refused with ``refusal`` (403), anyone else gets
    404."""
    person = current_person(request)
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        raise Http404
    if may_administer(person, agency, request.user):
        return agency, person
    if person is not None and person.agency_id == agency.pk:
        raise PermissionDenied(refusal)
    raise Http404


def agency_admin_required(view: _View) -> _View:
    """Signed-in administrators of the URL's agency only; the view gets the agency and the
    person (``view(request, agency, by, ...)``)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, agency: str, *args: Any, **kwargs: Any) -> HttpResponse:
        the_agency, person = administered_agency(request, agency)
        return view(request, the_agency, person, *args, **kwargs)

    return wrapper
