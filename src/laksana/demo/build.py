"""Building the whole demo: agencies and their procedures, the catalogue, the administrator and the
cases, at once.

One transaction: either all of it is written or nothing (files written before a failure are
removed again). Mail is not sent while it runs: the demo people have made-up addresses, and
the console backend of the embedded mode would print hundreds of notices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.test.utils import override_settings
from django.utils import timezone

from laksana.cases.models import Case
from laksana.demo import documents as demo_documents
from laksana.demo import drafts as demo_drafts
from laksana.demo import hosting as demo_hosting
from laksana.demo import intake as demo_intake
from laksana.demo import maintenance as demo_maintenance
from laksana.demo import monitoring as demo_monitoring
from laksana.demo import quality as demo_quality
from laksana.demo import survey as demo_survey
from laksana.demo.cases import build_cases
from laksana.demo.catalog import build_catalogue
from laksana.demo.orgs import (
    DemoOrg,
    build_bali,
    build_djki,
    build_generic,
    build_university,
    demo_password_hash,
)
from laksana.org.models import Agency, Person, RoleKind

ADMIN_USERNAME = "admin"

ORG_BUILDERS: dict[str, Callable[[], DemoOrg]] = {
    "bali": build_bali,
    "djki": build_djki,
    "utn": build_university,
    "skm": build_generic,
}
DEMO_SLUGS = ("diskominfos-bali", "djki", "utn", "diskominfo-sukamaju")
"""The slugs of the demo agencies, in the order they are built and listed."""


@dataclass
class Demo:
    """What ``build_demo`` wrote."""

    orgs: dict[str, DemoOrg]
    cases: dict[str, Case]
    admin_created: bool


def demo_agencies() -> QuerySet[Agency]:
    """The demo agencies present in the database (none on a database without demo data)."""
    return Agency.objects.filter(slug__in=DEMO_SLUGS)


def build_demo(now: dt.datetime | None = None) -> Demo:
    """Write the demo agencies (each adopting the shipped procedures it runs), the ``admin``
    superuser and the demo cases. Call it only when :func:`demo_agencies` is empty."""
    written: list[str] = []
    try:
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            now = now or timezone.now()
            # Each agency adopts the shipped SOPs it runs (its builder does).
            orgs = {key: build() for key, build in ORG_BUILDERS.items()}
            build_catalogue(orgs["bali"], now)
            # Letterheads and numbering patterns, set by each agency's procedure administrator.
            demo_documents.configure(orgs["bali"].agency, orgs["bali"]["kabid"], written)
            demo_documents.configure(orgs["skm"].agency, orgs["skm"]["skm_kabid"], written)
            for org in orgs.values():
                if org.agency.slug not in DEMO_SLUGS:
                    raise AssertionError(f"{org.agency.slug} is missing from DEMO_SLUGS")
            user_model = get_user_model()
            admin_created = not user_model.objects.filter(username=ADMIN_USERNAME).exists()
            if admin_created:
                user_model.objects.create(
                    username=ADMIN_USERNAME,
                    password=demo_password_hash(),
                    email=f"{ADMIN_USERNAME}@demo.laksana.local",
                    first_name="Administrator",
                    is_staff=True,
                    is_superuser=True,
                )
            # The QA staff's regression sets of the demo applications, written some weeks
            # ago (the sets of SOP 002's tests are written in the cases' stories, at row 7).
            demo_quality.build_standing_sets(orgs, now)
            cases = build_cases(orgs, now, written)
            # Diskominfo Sukamaju's hosting procedure (joint, any-of and copied steps, a
            # chosen actor, its service level) and its case at the joint step.
            cases["skm_hosting"] = demo_hosting.build_hosting(orgs["skm"], now, written)
            # Bali's public service (SOP 002 open to citizens) and its three requests from
            # outside: one opened as a case, one awaiting confirmation, one spam.
            cases["bali_outside"] = demo_intake.build_intake(orgs["bali"], now, written)
            # Monitors of the demo applications, their last 90 days and the recovery cases
            # their incidents opened.
            monitoring = demo_monitoring.build_monitoring(orgs, now, written)
            for incident in monitoring.incidents:
                if incident.case is not None and not incident.case_reused:
                    cases[f"monitoring_{incident.pk}"] = incident.case
            # UTN's maintenance plans (SOP 000) with a year of cycles, and the e-Learning's
            # monitor whose outage the vendor's availability criterion misses in one month.
            maintenance = demo_maintenance.build_maintenance(orgs, now, written)
            for key, plan in maintenance.plans.items():
                if plan.case is not None:
                    cases[f"maintenance_{key}"] = plan.case
            # Satisfaction surveys (UTN's helpdesk and e-Learning, Bali's problem handling
            # with the invitations of its finished cases) and the e-Learning's evaluation.
            demo_survey.build_surveys(orgs, now)
            # Bali's revision of SOP 002 in review and a new procedure being written.
            demo_drafts.build_drafts(orgs)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return Demo(orgs=orgs, cases=cases, admin_created=admin_created)


@dataclass(frozen=True)
class Login:
    """One row of the demo logins table."""

    username: str
    name: str
    role: str
    agency: str


def demo_logins() -> list[Login]:
    """The sign-ins of the demo, read from the database: the administrator, then the people
    of every demo agency."""
    rows: list[Login] = []
    admin = get_user_model().objects.filter(username=ADMIN_USERNAME, is_superuser=True).first()
    if admin is not None:
        rows.append(Login(ADMIN_USERNAME, "Administrator", "superuser", "—"))
    order = {slug: i for i, slug in enumerate(DEMO_SLUGS)}
    people = (
        Person.objects.filter(agency__slug__in=DEMO_SLUGS, user__isnull=False)
        .select_related("user", "agency", "vendor", "unit")
        .prefetch_related("positions", "roles")
        .order_by("pk")
    )
    for person in sorted(people, key=lambda p: (order[p.agency.slug], p.pk)):
        assert person.user is not None
        positions = ", ".join(p.name for p in person.positions.all())
        role = positions or (f"{person.vendor} ({person.unit})" if person.vendor else "")
        if any(r.kind == RoleKind.AGENCY_ADMIN for r in person.roles.all()):
            role = ", ".join(x for x in (str(RoleKind.AGENCY_ADMIN.label), role) if x)
        rows.append(Login(person.user.get_username(), person.name, role, str(person.agency)))
    return rows
