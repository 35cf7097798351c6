"""The case page, the API and the services agree on who may work a step, for every person of
the demo and every active step of every demo case (as ``test_can_view`` does for visibility):
the page offers the claim button, the step's form (or the resume button of a step on hold),
the release, the take-over and a joint step's confirm buttons exactly when the service accepts
that action (tried in a savepoint that is rolled back), and the API's ``actions`` answer says
the same.

Besides the demo's own cases: the defect of issue 16 (the Kepala Dinas has dispositioned step
3 of SOP 002 to the Kabid and not completed it yet), and a claimed step put on hold."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from laksana.accounts.services import issue_token
from laksana.cases import services
from laksana.cases.models import Case, CaseStep, StepStatus
from laksana.cases.queries import can_view
from laksana.demo.build import build_demo
from laksana.demo.cases import TITLES, Story, _sop002_start
from laksana.org.models import Person

pytestmark = pytest.mark.django_db

MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[None]:
    """The demo, built once for the module in a transaction rolled back after it, with the
    two extra situations."""
    files = tmp_path_factory.mktemp("authority-files")
    with (
        override_settings(PASSWORD_HASHERS=[MD5], MEDIA_ROOT=files),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = build_demo()
        bali = built.orgs["bali"]
        version = Case.objects.get(title=TITLES["bali_opened"]).version
        story = Story(bali, version, built.cases["bali_opened"].opened_at, days_ago=2, written=[])
        story.open("dinkes_staf", "SIKESDA: ekspor data gagal", "Ekspor data berhenti di 50%.")
        _sop002_start(story, "dinkes_staf")
        story.dispose("kadis", "kabid", "Proses lebih lanjut")  # step 3 not completed yet
        development = Case.objects.get(title=TITLES["bali_development"])
        row = development.steps.get(status=StepStatus.ACTIVE)
        assert row.claimed_by is not None
        services.hold_step(row.claimed_by, row.pk, "Menunggu akses server uji")
        yield
        transaction.set_rollback(True)


class _Rollback(Exception):
    pass


def accepted(action: Callable[[], Any]) -> bool | str:
    """Whether the service accepts the action: True, or the refusal's code. Whatever it
    wrote is rolled back."""
    try:
        with transaction.atomic():
            action()
            raise _Rollback
    except _Rollback:
        return True
    except services.ServiceError as exc:
        return exc.code


def attempts(person: Person, row: CaseStep) -> dict[str, bool]:
    """What the services accept of ``person`` on the step. Completing is accepted when the
    refusal, if any, is not about who is acting (the form was sent empty: the engine then
    names what is missing) and the step is not on hold (the page offers resuming instead)."""
    complete = accepted(lambda: services.complete_step(person, row.pk))
    resume = accepted(lambda: services.resume_step(person, row.pk))
    held = row.on_hold_since is not None
    return {
        "claim": accepted(lambda: services.claim_step(person, row.pk)) is True,
        "work": (resume is True) if held else complete not in ("not_allowed", "on_hold"),
        "release": accepted(lambda: services.release_step(person, row.pk)) is True,
        "take_over": accepted(lambda: services.take_over_step(person, row.pk)) is True,
        "confirm": accepted(lambda: services.confirm_part(person, row.pk)) is True,
    }


def page_offers(html: str, case: Case, row: CaseStep) -> dict[str, bool]:
    def form(name: str) -> bool:
        return f'action="{reverse(name, args=[case.reference, row.pk])}"' in html

    held = row.on_hold_since is not None
    return {
        "claim": form("cases:claim"),
        "work": form("cases:resume") if held else form("cases:complete"),
        "release": form("cases:release"),
        "take_over": form("cases:take_over"),
        "confirm": form("cases:confirm"),
    }


def api_says(client: Client, secret: str, case: Case, row: CaseStep) -> dict[str, bool]:
    response = client.get(
        f"/api/cases/{case.reference}/steps/{row.pk}/actions",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200, response.content
    answer = json.loads(response.content)
    return {
        "claim": answer["claim"]["allowed"],
        "work": answer["complete"]["allowed"],
        "release": answer["release"]["allowed"],
        "take_over": answer["take_over"]["allowed"],
        "confirm": answer["confirm"]["allowed"],
    }


def test_the_page_the_api_and_the_services_agree_for_every_person_and_step(
    demo: None, client: Client
) -> None:
    # Everyone who can sign in (the agencies' monitoring accounts cannot, and work no step).
    people = list(Person.objects.select_related("user").filter(user__isnull=False).order_by("pk"))
    rows = list(
        CaseStep.objects.filter(status=StepStatus.ACTIVE, case__status="running")
        .select_related("case", "case__version", "claimed_by")
        .order_by("pk")
    )
    assert len(people) >= 30 and len(rows) >= 10
    secrets = {p.pk: issue_token(p, "authority")[1] for p in people}
    offered = {"claim": 0, "work": 0, "release": 0, "take_over": 0, "confirm": 0}
    refused = 0
    for row in rows:
        case = row.case
        for person in people:
            service = attempts(person, row)
            assert person.user is not None
            if not can_view(person.user, case):
                # The page and the API answer "not found"; the services must refuse all.
                assert not any(service.values()), (person.name, case.reference, row.step_key)
                refused += 1
                continue
            with transaction.atomic():  # opening the page marks dispositions read: undone
                client.force_login(person.user)
                response = client.get(reverse("cases:detail", args=[case.reference]))
                assert response.status_code == 200
                page = page_offers(response.content.decode(), case, row)
                transaction.set_rollback(True)
            where = (person.name, case.title, row.step_key)
            assert page == service, (*where, "page", page, "service", service)
            assert api_says(client, secrets[person.pk], case, row) == service, where
            for key, value in service.items():
                offered[key] += value
    # The scenario exercises every offer, and many refusals.
    assert all(count >= 1 for count in offered.values()), offered
    assert offered["work"] >= 10 and refused >= 200, (offered, refused)


def test_the_kabid_is_offered_nothing_of_step_3_dispositioned_to_him(demo: None, client: Client):
    # The defect of issue 16 item 13: the page offered the Kabid the claim button and the
    # step's form, and the service then refused ("This step is not yours to take").
    case = Case.objects.get(title="SIKESDA: ekspor data gagal")
    row = case.steps.get(status=StepStatus.ACTIVE)
    assert row.step_key == "s3" and row.dispositions.exists()
    kabid = Person.objects.get(user__username="kabid")
    assert kabid.user is not None
    client.force_login(kabid.user)
    html = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert page_offers(html, case, row) == {
        "claim": False,
        "work": False,
        "release": False,
        "take_over": False,
        "confirm": False,
    }
    assert attempts(kabid, row) == page_offers(html, case, row)
