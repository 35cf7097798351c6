"""Shared by the tests of the agency administrator's screens: signed-in clients in English
and the counts that must not move when a change is refused."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client

from laksana.catalog.models import Vendor
from laksana.org.models import DispositionInstruction, OrgChange, Person, Unit


def signed_in(person: Person) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(person.user)
    return client


def counts() -> tuple[int, ...]:
    return (
        Vendor.objects.count(),
        Person.objects.count(),
        Unit.objects.count(),
        DispositionInstruction.objects.count(),
        get_user_model().objects.count(),
        OrgChange.objects.count(),
    )
