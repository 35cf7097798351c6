"""The permission matrix's rows for the administrator's units, positions, people and roles
(laksana.org.views_admin), all on Bali: its administrator reads them (ok) and a form posted
empty comes back (422); another member of Bali is refused (403); DJKI's administrator and the
vendor get the answer of an agency that does not exist (404); anonymous visitors sign in."""

from __future__ import annotations

from typing import Any


def entries() -> dict[str, Any]:
    from django.urls import reverse

    from laksana.org.models import Position
    from tests.security.test_permission_matrix import Entry, row

    read = row("login", "403", "403", "403", "404", agency_admin="ok", other_admin="404")
    post = row("login", "403", "403", "403", "404", agency_admin="422", other_admin="404")

    def slug(s: Any) -> str:
        return s.bali.agency.slug

    def unit(s: Any) -> list[Any]:
        return [slug(s), s.bali.units["tim_ai"].pk]

    def position(s: Any) -> list[Any]:
        return [slug(s), Position.objects.filter(agency=s.bali.agency).order_by("pk").first().pk]

    def person(s: Any) -> list[Any]:
        return [slug(s), s.bali["bkd"].pk]

    routes = {
        "org:admin_units": lambda s: [slug(s)],
        "org:admin_unit": unit,
        "org:admin_positions": lambda s: [slug(s)],
        "org:admin_position": position,
        "org:admin_people": lambda s: [slug(s)],
        "org:admin_person": person,
        "org:admin_roles": lambda s: [slug(s)],
    }
    out: dict[str, Any] = {}
    for name, args in routes.items():

        def url(s: Any, name: str = name, args: Any = args) -> str:
            return reverse(name, args=args(s))

        out[name] = Entry(url, read, static=True)
        out[f"POST {name}"] = Entry(url, post, method="POST", data=lambda s: {}, static=True)
    return out
