"""The permission matrix: every screen, file download and API operation, for eight personas.

The routes come from the URL configuration itself (``get_resolver()``, walked recursively; the
admin is tested on its own, Django's language switch and static files are left out) and, for
the API, from the django-ninja operations behind it and the served OpenAPI document. Every route
must have an entry in :data:`MATRIX`: how to call it on the scenario and what each persona gets.
A route without an entry, or an entry without a route, fails the suite by name, so a new
endpoint cannot ship without someone deciding who may use it. Web routes are named by URL name
(``cases:detail``; ``POST cases:open`` where GET and POST both matter), API operations by
``METHOD /api/path``.

Personas (healthchecks style):

* ``anonymous``: nobody signed in, no token;
* ``other_unit``: BKD staff of the same agency (Bali), with no part in the case;
* ``requester``: the Dinkes staff member who opened the Bali SOP 002 case;
* ``step_holder``: the Kepala Dinas, who holds the active step 3 of that case;
* ``vendor``: IPAS vendor staff at DJKI, who may see only cases on IPAS;
* ``vendor_after``: staff of IPAS's former vendor, whose contract ended yesterday: it sees
  only the IPAS case it worked on (a comment while its contract ran), read-only, and nothing
  of the catalogue (laksana.cases.vendors). Unless a row says otherwise, it gets what
  ``vendor`` gets: neither the Bali case nor Bali's catalogue is theirs;
* ``agency_admin``: Bali's agency administrator (demo ``adminbali``, staff of the Dinas's own
  office), with no part in the case: the role administers the organisation (the documents'
  settings, the monitoring settings, the outbox of its agency) and gives no right over cases;
* ``other_admin``: DJKI's agency administrator (demo ``admindjki``), another agency's: nothing
  of Bali (404 for Bali's objects) nor of the IPAS case it has no part in; its own agency's
  lists and settings are its own.

The defaults of the last three (what they get unless a row says otherwise) are in :func:`row`.

The working routes of a claimed step (``CLAIMED_MATRIX``) have personas of their own: the
Kabid and the Ketua Tim also hold the Kepala Dinas's position and the Kabid has claimed step
3; ``claimant`` is the Kabid, ``holder_not_claimant`` the Ketua Tim (a holder who did not
claim, below the claimant), and ``step_holder`` the Kepala Dinas (a holder who did not claim,
above the claimant: he may take the step over), with ``requester``.

The scenario is built afresh in every test with the services: the Bali case driven to step 3
with an image attachment, a comment, an unread disposition from the Kepala Dinas to the Kabid
and notifications; a DJKI SOP 004 case on IPAS; a catalogue document of each. The demo people
and the published procedures are made once per module in a transaction that every test runs
in a savepoint of (rolled back after each test), like ``TestCase.setUpTestData``. Entries
marked ``static`` touch no case and run without building one. Web cells sign in with
``force_login``; API cells send ``Authorization: Bearer`` with a token of the persona.

Outcomes:

* ``ok``: 2xx, or a redirect that is not to the sign-in page (on the web, with no error message);
* ``login``: a redirect to the sign-in page;
* ``refused``: (web) allowed to try, refused by the service: redirected back with an error
  message;
* ``401``, ``403``, ``404``, ``422``, ...: that status. ``404`` for a case or object someone
  may not see is the same answer as for one that does not exist; ``422`` on the web is a form
  shown again with the service's (or the form's) refusal.

Every cell whose outcome is not ``ok`` must change nothing (cases, steps, dispositions, files,
journal, notifications, catalogue, bindings, calendars, procedures); every ``ok`` write states
what it changed, and every ``ok`` read changes nothing but the reader's own unread marks.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import constants as message_level
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from ninja.operation import PathView

from laksana.accounts.services import issue_token
from laksana.cases import services, vendors
from laksana.cases.models import (
    Attachment,
    Case,
    CaseStep,
    Disposition,
    DispositionStatus,
    JournalEntry,
    JournalKind,
    Notification,
    StepStatus,
)
from laksana.catalog import services as catalog_services
from laksana.catalog.models import (
    Application,
    Contract,
    DataDeletion,
    Document,
    DocumentKind,
    Environment,
    Risk,
    StageChange,
    Vendor,
    WorkProgramme,
    WorkProgrammeEntry,
)
from laksana.demo.orgs import SOP_002, SOP_004, DemoOrg, build_bali, build_djki
from laksana.documents import services as document_services
from laksana.documents.models import Document as OfficialDocument
from laksana.documents.models import DocumentStatus, Signatory
from laksana.org.models import ActorBinding, OrgChange, Person
from laksana.procedures.models import ProcedureVersion
from laksana.worktime.models import CalendarChange, WorkCalendar

from ..cases.helpers import active, pdf, png, work
from .matrix_reassign import reassign_data

pytestmark = pytest.mark.django_db


def outbox_message_id() -> int:
    """An e-mail of the scenario (its notices are in the outbox)."""
    from laksana.outbox.models import Message

    found = Message.objects.order_by("pk").first()
    assert found is not None, "the scenario sends e-mails"
    return found.pk


# --- personas ---------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
OTHER_UNIT = "other_unit"
REQUESTER = "requester"
STEP_HOLDER = "step_holder"
VENDOR = "vendor"
VENDOR_AFTER = "vendor_after"
# Bali's agency administrator (no part in the case), and DJKI's: another agency's.
AGENCY_ADMIN = "agency_admin"
OTHER_ADMIN = "other_admin"
PERSONAS = (
    ANONYMOUS,
    OTHER_UNIT,
    REQUESTER,
    STEP_HOLDER,
    VENDOR,
    VENDOR_AFTER,
    AGENCY_ADMIN,
    OTHER_ADMIN,
)


def row(
    anonymous: str,
    other_unit: str,
    requester: str,
    step_holder: str,
    vendor: str,
    *,
    vendor_after: str | None = None,
    agency_admin: str | None = None,
    other_admin: str | None = None,
) -> dict:
    """One line of the matrix, in the order of :data:`PERSONAS`.

    * ``vendor_after``: the vendor after its contract gets what the vendor gets unless the
      row says otherwise.
    * ``agency_admin``: Bali's agency administrator gains no right from its role outside the
      organisation's settings, and has no part in the case: it gets what the other unit gets
      (a member of the agency with no part in the case), except where the other unit is
      refused ("403") for not being the agency's own staff (a requesting unit's member): the
      administrator works in the Dinas's own office, so there it gets what the step holder
      (staff of the same office) gets. Rows where the step holder's answer comes from a part
      in the case or a role of its own (procedure administrator) say ``agency_admin``; so do
      the rows the administrator's role opens (the documents' settings, the monitoring
      settings, the outbox).
    * ``other_admin``: DJKI's administrator (another agency's) sees nothing of Bali: it gets
      what the vendor gets (DJKI people: "404" for Bali's objects), except where the vendor is
      refused ("403") for being a vendor's employee on a route of one's own agency (its lists,
      new forms, settings, reports): the administrator is its own agency's staff, so there it
      gets what the step holder gets on Bali's. Rows whose form names a Bali object (an
      application of Bali posted to DJKI's form) say ``other_admin``.
    """
    after = vendor if vendor_after is None else vendor_after
    if agency_admin is None:
        agency_admin = step_holder if other_unit == "403" else other_unit
    if other_admin is None:
        other_admin = step_holder if vendor == "403" else vendor
    outcomes = (
        anonymous,
        other_unit,
        requester,
        step_holder,
        vendor,
        after,
        agency_admin,
        other_admin,
    )
    return dict(zip(PERSONAS, outcomes, strict=True))


# Personas who are nobody of Bali: its objects are not found for them, its lists empty.
NOT_OF_BALI = frozenset({VENDOR, VENDOR_AFTER, OTHER_ADMIN})


EVERYONE = row("ok", "ok", "ok", "ok", "ok")
SIGNED_IN = row("login", "ok", "ok", "ok", "ok")
STAFF_ONLY = row("login", "403", "403", "403", "403")
# The Bali case: its requester and its step holder see it; the other unit and the vendor get
# the answer of a case that does not exist.
CASE_READ = row("login", "404", "ok", "ok", "404")
API_SIGNED_IN = row("401", "ok", "ok", "ok", "ok")
API_CASE_READ = row("401", "404", "ok", "ok", "404")
REPORTS = row("login", "403", "403", "ok", "403")
# The catalogue of Bali (SIKESDA): every member of the agency reads it, requesting units
# included; its keepers are the IT unit's staff (the Kepala Dinas); the vendor gets 404.
CATALOG_READ = row("login", "ok", "ok", "ok", "404")
API_CATALOG_READ = row("401", "ok", "ok", "ok", "404")
KEEPER = row("login", "403", "403", "ok", "404")
# A published version of Bali: its people read it, the DJKI vendor gets 404.
AGENCY_READ = row("login", "ok", "ok", "ok", "404")
# Keeper forms posted empty: the keeper may try (the form comes back, 422); the others are
# refused before the form is read.
KEEPER_POST = row("login", "403", "403", "422", "404")


# --- the scenario -----------------------------------------------------------------------------


@dataclass
class CaseObjects:
    """The cases of the scenario and the objects the routes take ids of."""

    case: Case  # Bali, SOP 002, at step 3
    step: CaseStep  # its active step 3, held by the Kepala Dinas
    disposition: Disposition  # Kepala Dinas -> Kabid on step 3, unread
    attachment: Attachment  # an image with a thumbnail
    notification: Notification  # the Kepala Dinas's "step 3 is waiting for you"
    ipas_case: Case  # DJKI, SOP 004, on IPAS
    ipas_step: CaseStep
    ipas_disposition: Disposition
    ipas_attachment: Attachment
    document: Document  # in the catalogue: SIKESDA's user manual
    ipas_document: Document  # IPAS's, which the vendor may read


@dataclass
class Scenario:
    """The demo people of Bali and DJKI, the published procedures and (unless the entry is
    static) the cases: a Bali SOP 002 case at step 3 and a DJKI SOP 004 case on IPAS."""

    bali: DemoOrg
    djki: DemoOrg
    versions: dict[str, ProcedureVersion]
    built: CaseObjects | None = None

    def __getattr__(self, name: str) -> Any:
        # Only called for names that are not fields: the case objects.
        built = self.__dict__.get("built")
        if built is None:
            raise AttributeError(f"{name!r}: a static entry is run without the cases")
        return getattr(built, name)

    def person(self, persona: str) -> Person | None:
        return {
            ANONYMOUS: None,
            OTHER_UNIT: self.bali["bkd"],
            REQUESTER: self.bali["dinkes_staf"],
            STEP_HOLDER: self.bali["kadis"],
            VENDOR: self.djki["ipasdev"],
            VENDOR_AFTER: self.djki[FORMER_VENDOR_LOGIN],
            AGENCY_ADMIN: self.bali["adminbali"],
            OTHER_ADMIN: self.djki["admindjki"],
            CLAIMANT: self.bali["kabid"],
            HOLDER_NOT_CLAIMANT: self.bali["ketuatim"],
        }[persona]

    def sees(self, persona: str) -> set[str]:
        """The references of the scenario's cases the persona may see."""
        return {
            REQUESTER: {self.case.reference},
            STEP_HOLDER: {self.case.reference},
            VENDOR: {self.ipas_case.reference},
            VENDOR_AFTER: {self.ipas_case.reference},
            # An administrator's role gives no case: neither sees one it has no part in.
            AGENCY_ADMIN: set(),
            OTHER_ADMIN: set(),
        }.get(persona, set())


def build_cases(bali: DemoOrg, djki: DemoOrg, versions: dict[str, ProcedureVersion]) -> CaseObjects:
    """The cases, driven with the services as people would."""
    requester, kadis = bali["dinkes_staf"], bali["kadis"]
    case = services.open_case(
        requester,
        versions[SOP_002],
        "SIKESDA error saat simpan data",
        application=bali.applications["sikesda"],
    )
    case = work(requester, case)
    case = work(requester, case)
    step = active(case)
    assert step.step_key == "s3" and services.may_work(kadis, case, step)
    attachment = services.add_attachment(requester, case.pk, png("tangkapan-layar.png"))
    assert attachment.thumbnail, "the image attachment has a thumbnail"
    services.add_comment(requester, case.pk, "Mohon segera ditindaklanjuti.")
    (disposition,) = services.dispose(
        kadis, case.pk, [bali["kabid"]], "Proses lebih lanjut", step_id=step.pk
    )
    notification = Notification.objects.filter(person=kadis, case=case).latest("pk")
    assert notification.read_at is None

    ipas_case = services.open_case(
        djki["merek_staf"],
        versions[SOP_004],
        "IPAS tidak bisa diakses",
        application=djki.applications["ipas"],
    )
    ipas_attachment = services.add_attachment(djki["merek_staf"], ipas_case.pk, pdf("surat.pdf"))
    # IPAS's former vendor commented on the case while its contract was in force.
    former = Contract.objects.get(number=FORMER_CONTRACT)
    Contract.objects.filter(pk=former.pk).update(ends_on=None)
    services.add_comment(djki[FORMER_VENDOR_LOGIN], ipas_case.pk, "Modul ini kami bangun.")
    Contract.objects.filter(pk=former.pk).update(ends_on=former.ends_on)
    (ipas_disposition,) = services.dispose(
        djki["direktur"], ipas_case.pk, [djki["kasubdit"]], "Segera ditangani"
    )
    document = catalog_services.add_document(
        kadis, bali.applications["sikesda"].pk, pdf("panduan.pdf"), kind=DocumentKind.MANUAL
    )
    ipas_document = catalog_services.add_document(
        djki["kasie_app"], djki.applications["ipas"].pk, pdf("manual-ipas.pdf")
    )
    case.refresh_from_db()
    ipas_case.refresh_from_db()
    return CaseObjects(
        document=document,
        ipas_document=ipas_document,
        case=case,
        step=step,
        disposition=disposition,
        attachment=attachment,
        notification=notification,
        ipas_case=ipas_case,
        ipas_step=active(ipas_case),
        ipas_disposition=ipas_disposition,
        ipas_attachment=ipas_attachment,
    )


FORMER_VENDOR_LOGIN = "ipaslama"
FORMER_CONTRACT = "KTR-IPAS/2025/004"


def add_former_vendor(djki: DemoOrg) -> None:
    """IPAS's former vendor: a contract that ended yesterday (in the agency's time zone) and
    an employee in the IPAS team's unit (bound to SOP 004's "Team IPAS Development")."""
    vendor = Vendor.objects.create(agency=djki.agency, name="PT Arsip Paten Nusantara")
    on = vendors.today(djki.agency.pk)
    Contract.objects.create(
        application=djki.applications["ipas"],
        vendor=vendor,
        number=FORMER_CONTRACT,
        starts_on=on - dt.timedelta(days=400),
        ends_on=on - dt.timedelta(days=1),
    )
    user = get_user_model().objects.create(
        username=FORMER_VENDOR_LOGIN, email="ipaslama@example.org"
    )
    djki.people[FORMER_VENDOR_LOGIN] = Person.objects.create(
        user=user,
        agency=djki.agency,
        name="Yusuf Hidayat",
        email=user.email,
        unit=djki.units["ipas_dev"],
        vendor=vendor,
    )


# Autouse, so it is set up before the first test's own transaction (a savepoint of its).
@pytest.fixture(scope="module", autouse=True)
def demo(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[tuple[DemoOrg, DemoOrg, dict[str, ProcedureVersion]]]:
    """The demo organisations of Bali and DJKI and the published procedures, made once for
    the module in a transaction that is rolled back after its last test. Each test runs in a
    savepoint of it (as with Django's ``TestCase.setUpTestData``): every cell starts from
    exactly these rows and builds its cases afresh."""
    md5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=md5),
        transaction.atomic(),
    ):
        # Each agency adopts the shipped SOP it runs (its builder does): Bali SOP 002, DJKI 004.
        djki = build_djki()
        add_former_vendor(djki)
        bali = build_bali()
        yield bali, djki, {**bali.versions, **djki.versions}
        transaction.set_rollback(True)


@pytest.fixture
def people(demo: tuple[DemoOrg, DemoOrg, dict[str, ProcedureVersion]], db: None) -> Scenario:
    """The scenario of a static entry: people and procedures, no cases."""
    bali, djki, versions = demo
    return Scenario(bali=bali, djki=djki, versions=versions)


@pytest.fixture
def scenario(people: Scenario) -> Scenario:
    people.built = build_cases(people.bali, people.djki, people.versions)
    return people


# --- what changed -----------------------------------------------------------------------------


# Tables a request can only add rows to (or, for these personas, not touch at all): their row
# counts and highest ids, read in one query.
COUNTED = (
    ProcedureVersion,
    WorkCalendar,
    CalendarChange,
    Contract,
    Environment,
    Document,
    StageChange,
    Risk,
    WorkProgramme,
    WorkProgrammeEntry,
    DataDeletion,
)


def _counts() -> dict[str, tuple[int, int | None]]:
    qn = connection.ops.quote_name
    columns = ", ".join(
        f"(SELECT COUNT(*) FROM {qn(m._meta.db_table)}), "
        f"(SELECT MAX({qn(m._meta.pk.column)}) FROM {qn(m._meta.db_table)})"
        for m in COUNTED
    )
    with connection.cursor() as cursor:
        # Table and column names come from the models, not from input.
        cursor.execute(f"SELECT {columns}")
        values = cursor.fetchone()
    return {m.__name__: (values[2 * i], values[2 * i + 1]) for i, m in enumerate(COUNTED)}


def fingerprint() -> dict[str, Any]:
    """Everything a request may write, in a comparable form (tokens' last use excepted)."""
    return {
        "cases": sorted(
            Case.objects.values_list("pk", "status", "journal_seq", "opened_by_id", "title")
        ),
        "steps": sorted(
            (pk, status, claimed, completed, held is not None)
            for pk, status, claimed, completed, held in CaseStep.objects.values_list(
                "pk", "status", "claimed_by_id", "completed_by_id", "on_hold_since"
            )
        ),
        "dispositions": sorted(Disposition.objects.values_list("pk", "status", "sender_id")),
        "attachments": sorted(Attachment.objects.values_list("pk", "case_id", "uploaded_by_id")),
        "journal": sorted(JournalEntry.objects.values_list("pk", "case_id", "seq")),
        "notifications": sorted(
            (pk, person_id, read_at is not None)
            for pk, person_id, read_at in Notification.objects.values_list(
                "pk", "person_id", "read_at"
            )
        ),
        "applications": sorted(Application.objects.values_list("pk", "stage", "name")),
        "bindings": sorted(
            ActorBinding.objects.values_list(
                "pk",
                "agency_id",
                "procedure_key",
                "actor_key",
                "position_id",
                "unit_id",
                "person_id",
            )
        ),
        "official_documents": sorted(
            (pk, status, number, author, json.dumps(fields, sort_keys=True))
            for pk, status, number, author, fields in OfficialDocument.objects.values_list(
                "pk", "status", "number", "author_id", "fields"
            )
        ),
        "signatories": sorted(Signatory.objects.values_list("pk", "status", "person_id")),
        "counts": _counts(),
    }


@dataclass
class Cell:
    """One request of the matrix and what it did."""

    route: str
    persona: str
    s: Scenario
    person: Person | None
    client: Client
    response: HttpResponse
    before: dict[str, Any]
    after: dict[str, Any]

    def changed(self) -> set[str]:
        return {k for k in self.before if self.before[k] != self.after[k]}

    def new(self, part: str) -> list[tuple[Any, ...]]:
        return sorted(set(self.after[part]) - set(self.before[part]))

    def journal_growth(self, case: Case) -> int:
        count = sum(1 for _pk, case_id, _seq in self.after["journal"] if case_id == case.pk)
        return count - sum(1 for _pk, case_id, _seq in self.before["journal"] if case_id == case.pk)

    def text(self) -> str:
        return self.response.content.decode()

    def json(self) -> Any:
        return json.loads(self.response.content)


def unchanged(c: Cell) -> None:
    assert not c.changed(), (
        f"{c.route} as {c.persona} changed {sorted(c.changed())}: a request that is not allowed, "
        "or only reads, must write nothing"
    )


def only_changed(c: Cell, *parts: str) -> None:
    extra = c.changed() - set(parts)
    assert not extra, f"{c.route} as {c.persona} also changed {sorted(extra)}"


# Effects of the writes that succeed.


def claimed(c: Cell) -> None:
    only_changed(c, "cases", "steps", "journal")
    step = CaseStep.objects.get(pk=c.s.step.pk)
    assert step.status == StepStatus.ACTIVE and step.claimed_by_id == c.person.pk
    assert c.journal_growth(c.s.case) == 1


def held(c: Cell) -> None:
    only_changed(c, "cases", "steps", "journal")
    step = CaseStep.objects.get(pk=c.s.step.pk)
    assert step.on_hold_since is not None and step.status == StepStatus.ACTIVE
    assert c.journal_growth(c.s.case) == 1


def resumed(c: Cell) -> None:
    only_changed(c, "cases", "steps", "journal")
    assert CaseStep.objects.get(pk=c.s.step.pk).on_hold_since is None
    assert c.journal_growth(c.s.case) == 1


def completed(c: Cell) -> None:
    only_changed(c, "cases", "steps", "dispositions", "journal", "notifications")
    step = CaseStep.objects.get(pk=c.s.step.pk)
    assert step.status == StepStatus.COMPLETED and step.completed_by_id == c.person.pk
    assert active(c.s.case).step_key == "s4"
    assert c.journal_growth(c.s.case) >= 2  # completed, next step activated


def disposed(c: Cell) -> None:
    only_changed(c, "cases", "dispositions", "journal", "notifications")
    (new,) = c.new("dispositions")
    assert new[1] == DispositionStatus.UNREAD and new[2] == c.person.pk
    assert c.journal_growth(c.s.case) == 1


def withdrawn(c: Cell) -> None:
    only_changed(c, "cases", "dispositions", "journal")
    c.s.disposition.refresh_from_db()
    assert c.s.disposition.status == DispositionStatus.WITHDRAWN


def commented(c: Cell) -> None:
    only_changed(c, "cases", "journal")
    entry = c.s.case.journal.order_by("-seq").first()
    assert entry.kind == JournalKind.COMMENT and entry.actor_id == c.person.pk
    assert c.journal_growth(c.s.case) == 1


def ipas_commented(c: Cell) -> None:
    only_changed(c, "cases", "journal")
    entry = c.s.ipas_case.journal.order_by("-seq").first()
    assert entry.kind == JournalKind.COMMENT and entry.actor_id == c.person.pk


def ipas_uploaded(c: Cell) -> None:
    only_changed(c, "cases", "attachments", "journal")
    (new,) = c.new("attachments")
    assert new[1:] == (c.s.ipas_case.pk, c.person.pk)


def uploaded(c: Cell) -> None:
    only_changed(c, "cases", "attachments", "journal")
    (new,) = c.new("attachments")
    assert new[1:] == (c.s.case.pk, c.person.pk)
    assert c.journal_growth(c.s.case) == 1


def opened(c: Cell) -> None:
    only_changed(c, "cases", "steps", "journal", "notifications")
    (new,) = c.new("cases")
    case = Case.objects.get(pk=new[0])
    assert case.opened_by_id == c.person.pk and case.requesting_unit_id == c.person.unit_id
    assert case.agency_id == c.person.agency_id


def read_own(c: Cell) -> None:
    """Reading marks only the reader's own notifications and dispositions read."""
    only_changed(c, "notifications", "dispositions", "cases", "journal")
    for _pk, person_id, _read in c.new("notifications"):
        assert person_id == c.person.pk
    for pk, _status, _sender in c.new("dispositions"):
        assert Disposition.objects.get(pk=pk).recipient_id == c.person.pk


def read_all_own(c: Cell) -> None:
    read_own(c)
    assert not Notification.objects.filter(person=c.person, read_at__isnull=True).exists()


def notification_read(c: Cell) -> None:
    only_changed(c, "notifications")
    assert [n[0] for n in c.new("notifications")] == [c.s.notification.pk]


def signed_out(c: Cell) -> None:
    assert "_auth_user_id" not in c.client.session


# Checks of what a response shows.


def lists_exactly_the_visible_cases(c: Cell) -> None:
    """A list shows the persona's cases of the scenario and none of the others."""
    if c.response.status_code != 200:
        return
    if c.response.get("Content-Type", "").startswith("application/json"):
        shown = {item["reference"] for item in c.json()["items"]}
    else:
        text = c.text()
        shown = {r for r in (c.s.case.reference, c.s.ipas_case.reference) if r in text}
    assert shown == c.s.sees(c.persona), f"{c.persona} is shown {shown}"


def shows_no_invisible_case(c: Cell) -> None:
    """Reports: nothing of a case the persona may not see."""
    if c.response.status_code != 200:
        return
    text = c.text()
    for ref in {c.s.case.reference, c.s.ipas_case.reference} - c.s.sees(c.persona):
        assert ref not in text, f"{c.persona} is shown {ref}"


def shows_ones_own_work(c: Cell) -> None:
    """Inbox and notifications: the Bali case for its requester (notified of steps 1 and 2)
    and its step holder (offered step 3); nothing of a case the persona may not see."""
    shows_no_invisible_case(c)
    if c.response.status_code == 200 and c.persona in (REQUESTER, STEP_HOLDER):
        assert c.s.case.reference in c.text()


SIKESDA = "Sistem Informasi Kesehatan Daerah"
IPAS = "Industrial Property Automation System"


def lists_the_catalogue_of_ones_own(c: Cell) -> None:
    """The catalogue: Bali people see Bali's applications, the vendor only IPAS, DJKI's
    administrator DJKI's (IPAS among them), nothing of Bali."""
    if c.response.status_code != 200:
        return
    if c.response.get("Content-Type", "").startswith("application/json"):
        text = " ".join(item["name"] for item in c.json()["items"])
    else:
        text = c.response.content.decode()
    shown = {name for name in (SIKESDA, IPAS) if name in text}
    expected = {VENDOR: {IPAS}, VENDOR_AFTER: set(), OTHER_ADMIN: {IPAS}}.get(c.persona, {SIKESDA})
    assert shown == expected, f"{c.persona}: {shown}"


def shows_only_visible_cases_of_the_application(c: Cell) -> None:
    """An application's record lists the cases about it that the persona may see: the other
    unit sees SIKESDA, but not the Dinkes case on it, nor its files."""
    if c.response.status_code != 200:
        return
    text = c.response.content.decode()
    seen = c.s.case.reference in c.s.sees(c.persona)
    assert (c.s.case.reference in text) == seen, f"{c.persona}: case shown={not seen}"
    if not seen:
        assert c.s.attachment.original_name not in text


def shows_the_case(c: Cell) -> None:
    if c.response.status_code == 200:
        assert c.s.case.reference in c.text()


def is_the_attachment(c: Cell) -> None:
    if c.response.status_code == 200:
        body = b"".join(c.response.streaming_content)
        with c.s.attachment.file.open("rb") as stored:
            assert body == stored.read()


def is_the_thumbnail(c: Cell) -> None:
    if c.response.status_code == 200:
        assert c.response["Content-Type"] == "image/jpeg"
        assert b"".join(c.response.streaming_content).startswith(b"\xff\xd8")


def is_me(c: Cell) -> None:
    if c.response.status_code == 200:
        assert c.json()["id"] == c.person.pk


def is_the_pdf(c: Cell) -> None:
    if c.response.status_code == 200:  # refused cells are checked by their status
        assert c.response.content.startswith(b"%PDF")


def is_the_dossier(c: Cell) -> None:
    """The case dossier's ZIP: of the case asked for, its manifest naming every member."""
    if c.response.status_code == 200:
        body = b"".join(c.response.streaming_content)
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            manifest = json.loads(z.read("manifest.json"))
            assert set(manifest["members"]) == set(z.namelist()) - {"manifest.json"}
        assert c.response.wsgi_request.path.endswith(f"/{manifest['case']}/berkas.zip")


def says_who_may_work_step_3(c: Cell) -> None:
    """The API's ``actions`` answer: the step's worker may complete it, nobody else."""
    if c.response.status_code == 200:
        answer = c.json()
        assert answer["complete"]["allowed"] == (c.persona in (STEP_HOLDER, CLAIMANT))
        assert answer["claim"]["allowed"] == (c.persona == STEP_HOLDER and not c.s.step.claimed_by)


def says_the_claimant_alone_may_work(c: Cell) -> None:
    """The API's ``actions`` answer on a claimed step (CLAIMED_MATRIX)."""
    answer = c.json()
    assert answer["complete"]["allowed"] == (c.persona == CLAIMANT), answer
    assert answer["release"]["allowed"] == (c.persona == CLAIMANT), answer
    assert answer["take_over"]["allowed"] == (c.persona == STEP_HOLDER), answer
    if c.persona == HOLDER_NOT_CLAIMANT:
        assert answer["complete"]["code"] == "claimed"


# --- the matrix -------------------------------------------------------------------------------

Url = Callable[[Scenario], str]
Data = Callable[[Scenario], dict[str, Any]]
Hook = Callable[[Cell], None]


@dataclass(frozen=True)
class Entry:
    """How to call one route and what each persona gets."""

    url: Url
    expect: Mapping[str, str]
    method: str = "GET"
    data: Data | None = None
    json: bool = False  # send data as a JSON body (API), else as a form (multipart)
    effect: Hook | None = None  # an "ok" cell: what it wrote (default: nothing)
    check: Hook | None = None  # any cell with the expected outcome: what the response shows
    static: bool = False  # the route involves no case: run on people and procedures alone
    prepare: Callable[[Scenario], None] | None = None  # set the scenario up further first
    # (dotted name, replacement): stand-ins for slow work the permission does not depend on
    stubs: tuple[tuple[str, Any], ...] = ()


def case_url(name: str, *extra: Callable[[Scenario], Any]) -> Url:
    return lambda s: reverse(name, args=[s.case.reference, *(f(s) for f in extra)])


def step_id(s: Scenario) -> int:
    return s.step.pk


def attachment_id(s: Scenario) -> int:
    return s.attachment.pk


def disposition_id(s: Scenario) -> int:
    return s.disposition.pk


def dispose_form(s: Scenario) -> dict[str, Any]:
    return {
        "target": f"step:{s.step.pk}",
        "recipients": [s.bali["kabid"].pk],
        "instruction": "Mohon ditindaklanjuti",
        "urgency": "biasa",
    }


def dispose_json(s: Scenario) -> dict[str, Any]:
    return {
        "recipients": [s.bali["kabid"].pk],
        "instruction": "Mohon ditindaklanjuti",
        "step_id": s.step.pk,
    }


def BALI_SOP_002(s: Scenario) -> list[Any]:
    """The URL arguments of Bali's SOP 002 version: agency, procedure, number."""
    return [s.bali.agency.slug, SOP_002, s.versions[SOP_002].number]


def open_form(s: Scenario) -> dict[str, Any]:
    version = s.versions[SOP_002]
    return {"version": str(version.pk), "title": "Aplikasi lambat", "description": "Sejak pagi"}


def bindings_form(s: Scenario) -> dict[str, Any]:
    # Bind the Kepala Dinas actor to the BKD staff member: a takeover of step 3.
    return {"actor-kadis": f"person:{s.bali['bkd'].pk}"}


def binding_saved_and_recorded(cell: Cell) -> None:
    bound = ActorBinding.objects.get(
        agency=cell.s.bali.agency, procedure_key=SOP_002, actor_key="kadis"
    )
    assert bound.person == cell.s.bali["bkd"]
    change = OrgChange.objects.get(agency=cell.s.bali.agency, subject="binding")
    assert change.by == cell.person and change.after["id"] == cell.s.bali["bkd"].pk


def hold_step(s: Scenario) -> None:
    services.hold_step(s.bali["kadis"], s.step.pk, "Menunggu dokumen dari pemohon")


def procedure_upload(s: Scenario) -> dict[str, Any]:
    source = s.versions[SOP_002].source.replace("Penanganan Masalah Aplikasi", "Revisi", 1)
    return {"source": SimpleUploadedFile("sop-002.yaml", source.encode(), "application/yaml")}


CALENDAR = row("login", "403", "403", "403", "404", agency_admin="ok", other_admin="404")


def calendar_form(s: Scenario) -> dict[str, Any]:
    return {"action": "schedule", "schedule": "Sen-Jum 07:00-15:00"}


FAKE_PDF = b"%PDF-1.4 stand-in\n"
# PDFs are rendered by WeasyPrint (slow); the one procedure-PDF cell renders a real one.
NO_PDF_RENDERING = (
    ("laksana.documents.pdf.render_pdf", lambda *a, **k: FAKE_PDF),
    ("laksana.reports.exports.pdf", lambda *a, **k: FAKE_PDF),
)


# --- official documents (laksana.documents) ------------------------------------------------
# A Nota Dinas on the Bali case by the Kepala Dinas (the step holder): initialled by the
# requester, then signed by the Kepala Dinas. Rendering PDFs is stubbed (WeasyPrint is slow and
# the permission does not depend on it).

NOTA = {"to": "Kepala Bidang IAI", "subject": "Tindak lanjut", "body": "Mohon ditindaklanjuti."}
FAKE_DOCUMENT_PDF = b"%PDF-1.7 stand-in of an official document\n"
NO_DOCUMENT_RENDERING = (("laksana.documents.render.pdf", lambda *a, **k: FAKE_DOCUMENT_PDF),)


def _official(s: Scenario) -> OfficialDocument:
    found = s.__dict__.get("official")
    assert found is not None, "the entry prepares its document"
    return found


def official_id(s: Scenario) -> int:
    return _official(s).pk


def nota_draft(s: Scenario) -> None:
    """The Kepala Dinas's draft Nota Dinas on the Bali case: initial by the requester, then
    his own signature."""
    s.__dict__["official"] = document_services.make_draft(
        s.bali["kadis"],
        s.case,
        kind="nota_dinas",
        fields=NOTA,
        signatories=[
            {"person": s.bali["dinkes_staf"].pk, "role": "initial", "order": 1},
            {"person": s.bali["kadis"].pk, "role": "sign", "order": 2},
        ],
    )


def nota_circulating(s: Scenario) -> None:
    """The draft submitted: the requester's turn to initial."""
    from unittest import mock

    nota_draft(s)
    with mock.patch("laksana.documents.render.pdf", lambda *a, **k: FAKE_DOCUMENT_PDF):
        s.__dict__["official"] = document_services.submit(s.bali["kadis"], _official(s))


def nota_initialled(s: Scenario) -> None:
    """Initialled by the requester: the Kepala Dinas's turn to sign."""
    nota_circulating(s)
    s.__dict__["official"] = document_services.initial(s.bali["dinkes_staf"], _official(s))


def nota_final(s: Scenario) -> None:
    from unittest import mock

    nota_initialled(s)
    with mock.patch("laksana.documents.render.pdf", lambda *a, **k: FAKE_DOCUMENT_PDF):
        s.__dict__["official"] = document_services.sign(s.bali["kadis"], _official(s))


def document_url(name: str) -> Url:
    return lambda s: reverse(name, args=[official_id(s)])


def api_document_url(tail: str = "") -> Url:
    return lambda s: f"/api/documents/{official_id(s)}{tail}"


def nota_form(s: Scenario) -> dict[str, Any]:
    return {
        "case": s.case.reference,
        "kind": "nota_dinas",
        "art-doc-to": NOTA["to"],
        "art-doc-subject": NOTA["subject"],
        "art-doc-body": NOTA["body"],
    }


def drafted(c: Cell) -> None:
    only_changed(c, "official_documents", "signatories", "cases", "journal")
    (new,) = c.new("official_documents")
    assert new[1] == DocumentStatus.DRAFT and new[3] == c.person.pk


def draft_changed(c: Cell) -> None:
    only_changed(c, "official_documents")
    assert OfficialDocument.objects.get(pk=official_id(c.s)).fields["to"] == "Yth. Sekretaris"


def submitted(c: Cell) -> None:
    only_changed(c, "official_documents", "cases", "journal", "notifications")
    assert OfficialDocument.objects.get(pk=official_id(c.s)).status == DocumentStatus.CIRCULATING


def acted(c: Cell) -> None:
    """An initial or signature: the person's signatory is done (the last makes it final)."""
    only_changed(c, "official_documents", "signatories", "cases", "journal", "notifications")
    mine = Signatory.objects.get(document_id=official_id(c.s), person=c.person)
    assert mine.status == "done" and mine.pdf_sha256


def returned(c: Cell) -> None:
    only_changed(c, "official_documents", "signatories", "cases", "journal", "notifications")
    assert OfficialDocument.objects.get(pk=official_id(c.s)).status == DocumentStatus.RETURNED


def sheet_made(c: Cell) -> None:
    only_changed(c, "official_documents", "signatories", "cases", "journal")
    (new,) = c.new("official_documents")
    assert new[1] == DocumentStatus.FINAL


def is_the_official_pdf(c: Cell) -> None:
    if c.response.status_code == 200:
        assert b"".join(c.response.streaming_content) == FAKE_DOCUMENT_PDF


def shows_no_case_on_the_verification_page(c: Cell) -> None:
    text = c.text()
    assert c.s.case.reference not in text and c.s.case.title not in text
    assert _official(c.s).number in text


def a_pdf_upload(s: Scenario) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("cek.pdf", FAKE_DOCUMENT_PDF, "application/pdf")}


# Whoever sees the Bali case reads its documents; its requester and step holder, then.
DOCUMENT_READ = CASE_READ
API_DOCUMENT_READ = API_CASE_READ
# Only the Kepala Dinas (the author) changes or submits his draft; the requester, who sees it,
# is refused.
AUTHOR_ONLY = row("login", "404", "refused", "ok", "404")
# The agency's administrators keep the documents' settings, each those of its own agency (the
# settings screens take no agency: DJKI's administrator opens and changes DJKI's); the other
# personas are refused.
DOCUMENT_SETTINGS = row("login", "403", "403", "403", "403", agency_admin="ok", other_admin="ok")
# A letterhead of a Bali unit: another agency's administrator gets 404, as for no such unit.
UNIT_LETTERHEAD = {**DOCUMENT_SETTINGS, OTHER_ADMIN: "404"}
# The outbox: its agency's administrators (each sees its own agency's e-mails); a message of
# another agency is not found.
OUTBOX = row("login", "403", "403", "403", "403", agency_admin="ok", other_admin="ok")
OUTBOX_RETRY = {**OUTBOX, OTHER_ADMIN: "404"}

MATRIX: dict[str, Entry] = {
    # --- web shell, sign-in -------------------------------------------------------------------
    # Visitors are sent to the procedure library, people to their inbox.
    "web:home": Entry(lambda s: reverse("web:home"), EVERYONE, static=True),
    # Signed in, the sign-in page sends people home.
    "login": Entry(lambda s: reverse("login"), EVERYONE, static=True),
    # Signing out ends on the sign-in page, for everyone.
    "logout": Entry(
        lambda s: reverse("logout"),
        row("login", "login", "login", "login", "login"),
        method="POST",
        check=signed_out,
        static=True,
    ),
    # Single sign-on (OpenID Connect) is off unless configured: its routes are not found.
    # tests/security/test_oidc.py runs them against a provider.
    "oidc_authentication_init": Entry(
        lambda s: reverse("oidc_authentication_init"), row(*["404"] * 5), static=True
    ),
    "oidc_authentication_callback": Entry(
        lambda s: reverse("oidc_authentication_callback") + "?code=x&state=y",
        row(*["404"] * 5),
        static=True,
    ),
    # --- the procedure library: the published SOPs are public documents ------------------------
    "procedures:list": Entry(lambda s: reverse("procedures:list"), EVERYONE, static=True),
    "procedures:detail": Entry(
        lambda s: reverse("procedures:detail", args=[SOP_002]), EVERYONE, static=True
    ),
    "procedures:pdf": Entry(
        lambda s: reverse("procedures:pdf", args=[SOP_002]),
        EVERYONE,
        check=is_the_pdf,
        static=True,
    ),
    "procedures:svg": Entry(
        lambda s: reverse("procedures:svg", args=[SOP_002]), EVERYONE, static=True
    ),
    "procedures:bpmn": Entry(
        lambda s: reverse("procedures:bpmn", args=[SOP_002]), EVERYONE, static=True
    ),
    "procedures:yaml": Entry(
        lambda s: reverse("procedures:yaml", args=[SOP_002]), EVERYONE, static=True
    ),
    # Published versions (the texts cases run on) belong to their agency: Bali's people read
    # Bali's, the DJKI vendor gets the answer of a version that does not exist.
    "procedures:version": Entry(
        lambda s: reverse("procedures:version", args=BALI_SOP_002(s)),
        AGENCY_READ,
        static=True,
    ),
    "procedures:version_pdf": Entry(
        lambda s: reverse("procedures:version_pdf", args=BALI_SOP_002(s)),
        AGENCY_READ,
        static=True,
        stubs=NO_PDF_RENDERING,
        check=is_the_pdf,
    ),
    "procedures:version_yaml": Entry(
        lambda s: reverse("procedures:version_yaml", args=BALI_SOP_002(s)),
        AGENCY_READ,
        static=True,
    ),
    # Publishing a procedure file: the agency's procedure administrators only (none of the
    # five personas; is_staff is no such role); a refused upload publishes nothing.
    "procedures:publish": Entry(lambda s: reverse("procedures:publish"), STAFF_ONLY, static=True),
    "POST procedures:publish": Entry(
        lambda s: reverse("procedures:publish"),
        STAFF_ONLY,
        method="POST",
        data=procedure_upload,
        static=True,
    ),
    # --- case screens -------------------------------------------------------------------------
    "cases:list": Entry(
        lambda s: reverse("cases:list"), SIGNED_IN, check=lists_exactly_the_visible_cases
    ),
    "cases:inbox": Entry(lambda s: reverse("cases:inbox"), SIGNED_IN, check=shows_ones_own_work),
    "cases:open": Entry(lambda s: reverse("cases:open"), SIGNED_IN, static=True),
    # Opening a SOP 002 case: Bali people may; the vendor's agency (DJKI) has not set SOP 002
    # up, so it is not offered to them.
    "POST cases:open": Entry(
        lambda s: reverse("cases:open"),
        row("login", "ok", "ok", "ok", "422"),
        method="POST",
        data=open_form,
        effect=opened,
    ),
    "cases:notifications": Entry(
        lambda s: reverse("cases:notifications"), SIGNED_IN, check=shows_ones_own_work
    ),
    # Marking all read marks only one's own.
    "POST cases:notifications": Entry(
        lambda s: reverse("cases:notifications"),
        SIGNED_IN,
        method="POST",
        effect=read_all_own,
    ),
    # The step holder's notification: nobody else can open it, nor learn it exists.
    "cases:notification": Entry(
        lambda s: reverse("cases:notification", args=[s.notification.pk]),
        row("login", "404", "404", "ok", "404"),
        effect=notification_read,
    ),
    # Not behind the sign-in redirect: an expired session gets an empty badge.
    "cases:badge": Entry(lambda s: reverse("cases:badge"), EVERYONE),
    "cases:detail": Entry(
        case_url("cases:detail"), CASE_READ, effect=read_own, check=shows_the_case
    ),
    # Writes on the Bali case. The requester sees the case but step 3 is not theirs.
    "cases:claim": Entry(
        case_url("cases:claim", step_id),
        row("login", "404", "refused", "ok", "404"),
        method="POST",
        effect=claimed,
    ),
    "cases:complete": Entry(
        case_url("cases:complete", step_id),
        row("login", "404", "422", "ok", "404"),
        method="POST",
        data=lambda s: {"note": "Didisposisikan ke Kabid IAI"},
        effect=completed,
    ),
    # Holding and resuming a step stops and restarts its clock: the step's workers only.
    "cases:hold": Entry(
        case_url("cases:hold", step_id),
        row("login", "404", "refused", "ok", "404"),
        method="POST",
        data=lambda s: {"reason": "Menunggu dokumen dari pemohon"},
        effect=held,
    ),
    "cases:resume": Entry(
        case_url("cases:resume", step_id),
        row("login", "404", "refused", "ok", "404"),
        method="POST",
        prepare=hold_step,
        effect=resumed,
    ),
    "cases:release": Entry(
        case_url("cases:release", step_id),
        row("login", "404", "refused", "refused", "404"),
        method="POST",
    ),
    "cases:take_over": Entry(
        case_url("cases:take_over", step_id),
        row("login", "404", "refused", "refused", "404"),
        method="POST",
    ),
    # Step 3 is not joint: there is no part to confirm (tests/cases/test_joint_steps.py).
    "cases:confirm": Entry(
        case_url("cases:confirm", step_id),
        row("login", "404", "refused", "refused", "404"),
        method="POST",
    ),
    "cases:dispose": Entry(
        case_url("cases:dispose"),
        row("login", "404", "422", "ok", "404"),
        method="POST",
        data=dispose_form,
        effect=disposed,
    ),
    # Only the sender (the step holder) can take the unread disposition back.
    "cases:withdraw": Entry(
        case_url("cases:withdraw", disposition_id),
        row("login", "404", "refused", "ok", "404"),
        method="POST",
        effect=withdrawn,
    ),
    "cases:comment": Entry(
        case_url("cases:comment"),
        CASE_READ,
        method="POST",
        data=lambda s: {"text": "Sudah kami cek."},
        effect=commented,
    ),
    "cases:upload": Entry(
        case_url("cases:upload"),
        CASE_READ,
        method="POST",
        data=lambda s: {"file": png("bukti.png", "blue")},
        effect=uploaded,
    ),
    "cases:file": Entry(case_url("cases:file", attachment_id), CASE_READ, check=is_the_attachment),
    "cases:thumbnail": Entry(
        case_url("cases:thumbnail", attachment_id), CASE_READ, check=is_the_thumbnail
    ),
    # The case dossier (laksana.documents.dossier): whoever sees the case, as its files.
    "documents:dossier": Entry(case_url("documents:dossier"), CASE_READ, check=is_the_dossier),
    # --- official documents: whoever sees the case reads them; only the author changes a
    # draft; each initial or signature is the turn of one person --------------------------------
    "documents:mine": Entry(lambda s: reverse("documents:mine"), SIGNED_IN, static=True),
    "documents:new": Entry(
        lambda s: reverse("documents:new") + f"?case={s.case.reference}&kind=nota_dinas",
        DOCUMENT_READ,
    ),
    "POST documents:new": Entry(
        lambda s: reverse("documents:new"),
        DOCUMENT_READ,
        method="POST",
        data=nota_form,
        effect=drafted,
    ),
    # The preview makes the draft in a transaction that is rolled back: nothing is kept.
    "documents:preview": Entry(
        lambda s: reverse("documents:preview"), DOCUMENT_READ, method="POST", data=nota_form
    ),
    "documents:detail": Entry(document_url("documents:detail"), DOCUMENT_READ, prepare=nota_draft),
    "documents:html": Entry(document_url("documents:html"), DOCUMENT_READ, prepare=nota_draft),
    "documents:docx": Entry(document_url("documents:docx"), DOCUMENT_READ, prepare=nota_draft),
    "documents:pdf": Entry(
        document_url("documents:pdf"),
        DOCUMENT_READ,
        prepare=nota_circulating,
        check=is_the_official_pdf,
    ),
    "documents:edit": Entry(document_url("documents:edit"), AUTHOR_ONLY, prepare=nota_draft),
    "POST documents:edit": Entry(
        document_url("documents:edit"),
        AUTHOR_ONLY,
        method="POST",
        prepare=nota_draft,
        data=lambda s: {**nota_form(s), "art-doc-to": "Yth. Sekretaris"},
        effect=draft_changed,
    ),
    "documents:submit": Entry(
        document_url("documents:submit"),
        AUTHOR_ONLY,
        method="POST",
        prepare=nota_draft,
        stubs=NO_DOCUMENT_RENDERING,
        effect=submitted,
    ),
    # The requester's turn to initial: the Kepala Dinas must wait for it.
    "documents:initial": Entry(
        document_url("documents:initial"),
        row("login", "404", "ok", "refused", "404"),
        method="POST",
        prepare=nota_circulating,
        data=lambda s: {"seen_sha256": _official(s).pdf_sha256},
        effect=acted,
    ),
    # Then the Kepala Dinas's signature (the last: the document is final, numbered).
    "documents:sign": Entry(
        document_url("documents:sign"),
        row("login", "404", "refused", "ok", "404"),
        method="POST",
        prepare=nota_initialled,
        stubs=NO_DOCUMENT_RENDERING,
        data=lambda s: {"seen_sha256": _official(s).pdf_sha256},
        effect=acted,
    ),
    "documents:refuse": Entry(
        document_url("documents:refuse"),
        row("login", "404", "ok", "refused", "404"),
        method="POST",
        prepare=nota_circulating,
        data=lambda s: {"note": "Perihal kurang jelas."},
        effect=returned,
    ),
    "documents:disposition_sheet": Entry(
        lambda s: reverse("documents:disposition_sheet", args=[s.case.reference, s.disposition.pk]),
        row("login", "404", "ok", "ok", "404"),
        method="POST",
        stubs=NO_DOCUMENT_RENDERING,
        effect=sheet_made,
    ),
    "documents:settings": Entry(
        lambda s: reverse("documents:settings"), DOCUMENT_SETTINGS, static=True
    ),
    "documents:template": Entry(
        lambda s: reverse("documents:template", args=["bast"]), DOCUMENT_SETTINGS, static=True
    ),
    "POST documents:template": Entry(
        lambda s: reverse("documents:template", args=["bast"]),
        DOCUMENT_SETTINGS,
        method="POST",
        data=lambda s: {"source": "<p>{{ dokumen.nomor }}</p>", "note": "uji"},
        static=True,
    ),
    "documents:numbering": Entry(
        lambda s: reverse("documents:numbering", args=["bast"]), DOCUMENT_SETTINGS, static=True
    ),
    "POST documents:numbering": Entry(
        lambda s: reverse("documents:numbering", args=["bast"]),
        DOCUMENT_SETTINGS,
        method="POST",
        data=lambda s: {"pattern": "{seq:03d}/BAST/{year}"},
        static=True,
    ),
    "documents:letterhead": Entry(
        lambda s: reverse("documents:letterhead"), DOCUMENT_SETTINGS, static=True
    ),
    "POST documents:letterhead": Entry(
        lambda s: reverse("documents:letterhead"),
        DOCUMENT_SETTINGS,
        method="POST",
        data=lambda s: {"agency_name": "Dinas Uji"},
        static=True,
    ),
    "documents:unit_letterhead": Entry(
        lambda s: reverse("documents:unit_letterhead", args=[s.bali["dinkes"].unit_id]),
        UNIT_LETTERHEAD,
        static=True,
    ),
    # The public verification page: anyone, signed in or not; nothing of the case.
    "documents:verify": Entry(
        lambda s: reverse("documents:verify", args=[_official(s).code]),
        EVERYONE,
        prepare=nota_final,
        check=shows_no_case_on_the_verification_page,
    ),
    "documents:verify_file": Entry(
        lambda s: reverse("documents:verify_file"), EVERYONE, static=True
    ),
    "POST documents:verify_file": Entry(
        lambda s: reverse("documents:verify_file"),
        EVERYONE,
        method="POST",
        data=a_pdf_upload,
        static=True,
    ),
    # --- actor bindings: the agency's administrators (and procedure administrators) -----------
    # Bali's administrator binds Bali's actors; DJKI's sees its own agency in the index and
    # finds no Bali screen (404); nobody else administers an agency (403).
    "org:index": Entry(
        lambda s: reverse("org:index"),
        row("login", "403", "403", "403", "403", agency_admin="ok", other_admin="ok"),
        static=True,
    ),
    "org:bindings": Entry(
        lambda s: reverse("org:bindings", args=[s.bali.agency.slug, SOP_002]),
        row("login", "403", "403", "403", "403", agency_admin="ok", other_admin="404"),
        static=True,
    ),
    "POST org:bindings": Entry(
        lambda s: reverse("org:bindings", args=[s.bali.agency.slug, SOP_002]),
        row("login", "403", "403", "403", "403", agency_admin="ok", other_admin="404"),
        method="POST",
        data=bindings_form,
        effect=binding_saved_and_recorded,
        static=True,
    ),
    # The working calendar: Bali's agency administrator (a product role, not is_staff); Bali's
    # other members are refused, other agencies' people (DJKI's administrator too) get 404.
    "org:calendar": Entry(
        lambda s: reverse("org:calendar", args=[s.bali.agency.slug]), CALENDAR, static=True
    ),
    "POST org:calendar": Entry(
        lambda s: reverse("org:calendar", args=[s.bali.agency.slug]),
        CALENDAR,
        method="POST",
        data=calendar_form,
        effect=lambda c: only_changed(c, "counts"),
        static=True,
    ),
    # --- the outbox: superusers and agency administrators only ---------------------------------
    "outbox:list": Entry(lambda s: reverse("outbox:list"), OUTBOX, static=True),
    # The scenario's first e-mail is one of Bali's.
    "POST outbox:retry": Entry(
        lambda s: reverse("outbox:retry", args=[outbox_message_id()]),
        OUTBOX_RETRY,
        method="POST",
    ),
    # --- the application catalogue ----------------------------------------------------------
    "catalog:list": Entry(
        lambda s: reverse("catalog:list"),
        SIGNED_IN,
        check=lists_the_catalogue_of_ones_own,
        static=True,
    ),
    "catalog:export": Entry(
        lambda s: reverse("catalog:export"),
        SIGNED_IN,
        data=lambda s: {"format": "csv"},
        check=lists_the_catalogue_of_ones_own,
        static=True,
    ),
    # Any member of the agency proposes an application; a vendor does not.
    "catalog:create": Entry(
        lambda s: reverse("catalog:create"), row("login", "ok", "ok", "ok", "403"), static=True
    ),
    "POST catalog:create": Entry(
        lambda s: reverse("catalog:create"),
        row("login", "422", "422", "422", "403"),
        method="POST",
        static=True,
    ),
    "catalog:import": Entry(
        lambda s: reverse("catalog:import"), row("login", "403", "403", "ok", "403"), static=True
    ),
    # Work programmes are the agency's internal planning: not for vendors.
    "catalog:programme_index": Entry(
        lambda s: reverse("catalog:programme_index"),
        row("login", "ok", "ok", "ok", "403"),
        static=True,
    ),
    "catalog:programme": Entry(
        lambda s: reverse("catalog:programme", args=[2027]),
        row("login", "ok", "ok", "ok", "403"),
        static=True,
    ),
    "catalog:detail": Entry(
        lambda s: reverse("catalog:detail", args=[s.bali.applications["sikesda"].pk]),
        CATALOG_READ,
        check=shows_only_visible_cases_of_the_application,
    ),
    "catalog:document": Entry(
        lambda s: reverse("catalog:document", args=[s.document.application_id, s.document.pk]),
        CATALOG_READ,
    ),
    "catalog:edit": Entry(
        lambda s: reverse("catalog:edit", args=[s.bali.applications["sikesda"].pk]),
        KEEPER,
        static=True,
    ),
    "catalog:stage": Entry(
        lambda s: reverse("catalog:stage", args=[s.bali.applications["sikesda"].pk]),
        KEEPER_POST,
        method="POST",
        static=True,
    ),
    "catalog:environment": Entry(
        lambda s: reverse("catalog:environment", args=[s.bali.applications["sikesda"].pk]),
        KEEPER_POST,
        method="POST",
        static=True,
    ),
    "catalog:contract": Entry(
        lambda s: reverse("catalog:contract", args=[s.bali.applications["sikesda"].pk]),
        KEEPER_POST,
        method="POST",
        static=True,
    ),
    "catalog:document_upload": Entry(
        lambda s: reverse("catalog:document_upload", args=[s.bali.applications["sikesda"].pk]),
        KEEPER_POST,
        method="POST",
        static=True,
    ),
    "catalog:risk": Entry(
        lambda s: reverse("catalog:risk", args=[s.bali.applications["sikesda"].pk]),
        KEEPER_POST,
        method="POST",
        static=True,
    ),
    "catalog:programme_add": Entry(
        lambda s: reverse("catalog:programme_add", args=[s.bali.applications["sikesda"].pk]),
        KEEPER_POST,
        method="POST",
        static=True,
    ),
    "catalog:decommission": Entry(
        lambda s: reverse("catalog:decommission", args=[s.bali.applications["sikesda"].pk]),
        KEEPER_POST,
        method="POST",
        static=True,
    ),
    # --- reports: staff of an agency (the Kepala Dinas), not requesting units or vendors -------
    "reports:compliance": Entry(lambda s: reverse("reports:compliance"), REPORTS),
    "reports:compliance_xlsx": Entry(lambda s: reverse("reports:compliance_xlsx"), REPORTS),
    "reports:compliance_pdf": Entry(
        lambda s: reverse("reports:compliance_pdf"), REPORTS, stubs=NO_PDF_RENDERING
    ),
    "reports:overdue": Entry(
        lambda s: reverse("reports:overdue"), REPORTS, check=shows_no_invisible_case
    ),
    # --- API shell: documentation is public, unknown paths are JSON 404s --------------------------
    "api-index": Entry(lambda s: reverse("api-index"), EVERYONE, static=True),
    # ninja's own root view, shadowed by api-index at the same path.
    "api:api-root": Entry(lambda s: reverse("api:api-root"), EVERYONE, static=True),
    "api-docs-asset": Entry(
        lambda s: reverse("api-docs-asset", args=["swagger-ui.css"]), EVERYONE, static=True
    ),
    "api:openapi-json": Entry(lambda s: reverse("api:openapi-json"), EVERYONE, static=True),
    "api:openapi-view": Entry(lambda s: reverse("api:openapi-view"), EVERYONE, static=True),
    "api/^(?P<rest>.*)$": Entry(
        lambda s: "/api/tidak-ada", row("404", "404", "404", "404", "404"), static=True
    ),
    # --- API operations (Authorization: Bearer) ----------------------------------------------
    "GET /api/me": Entry(lambda s: "/api/me", API_SIGNED_IN, check=is_me, static=True),
    "GET /api/procedures": Entry(lambda s: "/api/procedures", API_SIGNED_IN, static=True),
    "GET /api/procedures/{key}/versions/{number}": Entry(
        lambda s: f"/api/procedures/{SOP_002}/versions/{s.versions[SOP_002].number}",
        row("401", "ok", "ok", "ok", "404"),  # Bali's version: not the DJKI vendor's
        static=True,
    ),
    "GET /api/applications": Entry(
        lambda s: "/api/applications",
        API_SIGNED_IN,
        check=lists_the_catalogue_of_ones_own,
        static=True,
    ),
    "GET /api/applications/export": Entry(
        lambda s: "/api/applications/export",
        API_SIGNED_IN,
        data=lambda s: {"format": "csv"},
        check=lists_the_catalogue_of_ones_own,
        static=True,
    ),
    "GET /api/applications/{application_id}": Entry(
        lambda s: f"/api/applications/{s.bali.applications['sikesda'].pk}",
        API_CATALOG_READ,
        check=shows_only_visible_cases_of_the_application,
    ),
    "GET /api/applications/{application_id}/documents/{document_id}": Entry(
        lambda s: f"/api/applications/{s.document.application_id}/documents/{s.document.pk}",
        API_CATALOG_READ,
    ),
    # --- official documents ----------------------------------------------------------------
    "GET /api/documents": Entry(
        lambda s: f"/api/documents?case={s.case.reference}", API_DOCUMENT_READ, prepare=nota_draft
    ),
    "POST /api/documents": Entry(
        lambda s: "/api/documents",
        row("401", "404", "ok", "ok", "404"),
        method="POST",
        json=True,
        data=lambda s: {"case": s.case.reference, "kind": "nota_dinas", "fields": NOTA},
        effect=drafted,
    ),
    "GET /api/documents/{document_id}": Entry(
        api_document_url(), API_DOCUMENT_READ, prepare=nota_draft
    ),
    "PATCH /api/documents/{document_id}": Entry(
        api_document_url(),
        row("401", "404", "403", "ok", "404"),
        method="PATCH",
        prepare=nota_draft,
        data=lambda s: {"fields": {**NOTA, "to": "Yth. Sekretaris"}},
        effect=draft_changed,
    ),
    "POST /api/documents/{document_id}/submit": Entry(
        api_document_url("/submit"),
        row("401", "404", "403", "ok", "404"),
        method="POST",
        json=True,
        prepare=nota_draft,
        stubs=NO_DOCUMENT_RENDERING,
        effect=submitted,
    ),
    "POST /api/documents/{document_id}/initial": Entry(
        api_document_url("/initial"),
        row("401", "404", "ok", "400", "404"),
        method="POST",
        json=True,
        prepare=nota_circulating,
        data=lambda s: {"seen_sha256": _official(s).pdf_sha256},
        effect=acted,
    ),
    "POST /api/documents/{document_id}/sign": Entry(
        api_document_url("/sign"),
        row("401", "404", "400", "ok", "404"),
        method="POST",
        json=True,
        prepare=nota_initialled,
        stubs=NO_DOCUMENT_RENDERING,
        data=lambda s: {"seen_sha256": _official(s).pdf_sha256},
        effect=acted,
    ),
    "POST /api/documents/{document_id}/refuse": Entry(
        api_document_url("/refuse"),
        row("401", "404", "ok", "400", "404"),
        method="POST",
        json=True,
        prepare=nota_circulating,
        data=lambda s: {"note": "Perihal kurang jelas."},
        effect=returned,
    ),
    "GET /api/documents/{document_id}/pdf": Entry(
        api_document_url("/pdf"),
        API_DOCUMENT_READ,
        prepare=nota_circulating,
        check=is_the_official_pdf,
    ),
    "GET /api/cases": Entry(
        lambda s: "/api/cases", API_SIGNED_IN, check=lists_exactly_the_visible_cases
    ),
    # Opening through the API: the caller's own unit, in the caller's own agency.
    # The DJKI vendor's agency has not published SOP 002: there is no version of its to run.
    "POST /api/cases": Entry(
        lambda s: "/api/cases",
        row("401", "ok", "ok", "ok", "400"),
        method="POST",
        data=lambda s: {"procedure": SOP_002, "title": "Aplikasi lambat"},
        json=True,
        effect=opened,
    ),
    "GET /api/cases/{reference}": Entry(
        lambda s: f"/api/cases/{s.case.reference}", API_CASE_READ, check=shows_the_case
    ),
    "POST /api/cases/{reference}/steps/{step_id}/claim": Entry(
        lambda s: f"/api/cases/{s.case.reference}/steps/{s.step.pk}/claim",
        row("401", "404", "403", "ok", "404"),
        method="POST",
        effect=claimed,
    ),
    # Step 3 is not claimed here: there is no claim to release or take over (CLAIMED_MATRIX).
    "POST /api/cases/{reference}/steps/{step_id}/release": Entry(
        lambda s: f"/api/cases/{s.case.reference}/steps/{s.step.pk}/release",
        row("401", "404", "400", "400", "404"),
        method="POST",
    ),
    "POST /api/cases/{reference}/steps/{step_id}/confirm": Entry(
        lambda s: f"/api/cases/{s.case.reference}/steps/{s.step.pk}/confirm",
        row("401", "404", "400", "400", "404"),
        method="POST",
    ),
    "POST /api/cases/{reference}/steps/{step_id}/take-over": Entry(
        lambda s: f"/api/cases/{s.case.reference}/steps/{s.step.pk}/take-over",
        row("401", "404", "400", "400", "404"),
        method="POST",
    ),
    "GET /api/cases/{reference}/steps/{step_id}/actions": Entry(
        lambda s: f"/api/cases/{s.case.reference}/steps/{s.step.pk}/actions",
        API_CASE_READ,
        check=says_who_may_work_step_3,
    ),
    "POST /api/cases/{reference}/steps/{step_id}/complete": Entry(
        lambda s: f"/api/cases/{s.case.reference}/steps/{s.step.pk}/complete",
        row("401", "404", "403", "ok", "404"),
        method="POST",
        data=lambda s: {"data": json.dumps({"note": "Didisposisikan ke Kabid IAI"})},
        effect=completed,
    ),
    "POST /api/cases/{reference}/dispositions": Entry(
        lambda s: f"/api/cases/{s.case.reference}/dispositions",
        row("401", "404", "403", "ok", "404"),
        method="POST",
        data=dispose_json,
        json=True,
        effect=disposed,
    ),
    # Only the recipient (the Kabid, none of the five) marks it read; those who cannot see
    # the case cannot learn that the disposition exists.
    "POST /api/dispositions/{disposition_id}/read": Entry(
        lambda s: f"/api/dispositions/{s.disposition.pk}/read",
        row("401", "404", "403", "403", "404"),
        method="POST",
    ),
    "POST /api/dispositions/{disposition_id}/withdraw": Entry(
        lambda s: f"/api/dispositions/{s.disposition.pk}/withdraw",
        row("401", "404", "403", "ok", "404"),
        method="POST",
        effect=withdrawn,
    ),
    "POST /api/cases/{reference}/comments": Entry(
        lambda s: f"/api/cases/{s.case.reference}/comments",
        API_CASE_READ,
        method="POST",
        data=lambda s: {"text": "Sudah kami cek."},
        json=True,
        effect=commented,
    ),
    "POST /api/cases/{reference}/attachments": Entry(
        lambda s: f"/api/cases/{s.case.reference}/attachments",
        API_CASE_READ,
        method="POST",
        data=lambda s: {"file": png("bukti.png", "blue")},
        effect=uploaded,
    ),
    "GET /api/cases/{reference}/attachments/{attachment_id}": Entry(
        lambda s: f"/api/cases/{s.case.reference}/attachments/{s.attachment.pk}",
        API_CASE_READ,
        check=is_the_attachment,
    ),
    "GET /api/cases/{reference}/journal": Entry(
        lambda s: f"/api/cases/{s.case.reference}/journal", API_CASE_READ
    ),
}

# The testing module's routes (laksana.quality), in files of their own: each ``entries()``
# gives its MATRIX rows (it may read this module's names: they exist by now).
for _part in (
    "matrix_quality_sets",
    "matrix_quality_runs",
    "matrix_quality_reports",
    "matrix_monitoring_web",
    "matrix_monitoring_api",
    "matrix_maintenance_web",
    "matrix_maintenance_api",
    "matrix_catalog_records",
    "matrix_survey_web",
    "matrix_survey_api",
    "matrix_evaluation",
    "matrix_drafts_web",
    "matrix_drafts_api",
    "matrix_docx_upload",
    "matrix_reassign",
    "matrix_org_admin",
    "matrix_org_admin_more",
    "matrix_staff_import",
    "matrix_bindings",
    "matrix_intake_public",
    "matrix_intake_link",
    "matrix_intake_staff",
):
    MATRIX.update(importlib.import_module(f"tests.security.{_part}").entries())

# The DJKI case on IPAS: the vendor sees it (and the Bali people do not, nor DJKI's
# administrator, who has no part in it: an administrator gains no right over cases). IPAS's
# record in the catalogue is DJKI's: its administrator, DJKI's staff, reads it.
IPAS_CASE_READ = row("login", "404", "404", "404", "ok", other_admin="404")
API_IPAS_CASE_READ = row("401", "404", "404", "404", "ok", other_admin="404")
# The vendor after its contract reads the IPAS case it worked on and adds nothing to it (the
# web shows the comment form again with the refusal, or sends the upload back with it; the API
# answers 403); IPAS is no longer in its catalogue.
IPAS_CASE_WRITE = row("login", "404", "404", "404", "ok", vendor_after="422", other_admin="404")
IPAS_CASE_UPLOAD = row(
    "login", "404", "404", "404", "ok", vendor_after="refused", other_admin="404"
)
API_IPAS_CASE_WRITE = row("401", "404", "404", "404", "ok", vendor_after="403", other_admin="404")
IPAS_CATALOG_READ = row("login", "404", "404", "404", "ok", vendor_after="404")
API_IPAS_CATALOG_READ = row("401", "404", "404", "404", "ok", vendor_after="404")

IPAS_MATRIX: dict[str, Entry] = {
    "documents:dossier": Entry(
        lambda s: reverse("documents:dossier", args=[s.ipas_case.reference]),
        IPAS_CASE_READ,
        check=is_the_dossier,
    ),
    "cases:detail": Entry(
        lambda s: reverse("cases:detail", args=[s.ipas_case.reference]),
        IPAS_CASE_READ,
        effect=read_own,
    ),
    "cases:file": Entry(
        lambda s: reverse("cases:file", args=[s.ipas_case.reference, s.ipas_attachment.pk]),
        IPAS_CASE_READ,
    ),
    "cases:comment": Entry(
        lambda s: reverse("cases:comment", args=[s.ipas_case.reference]),
        IPAS_CASE_WRITE,
        method="POST",
        data=lambda s: {"text": "Sedang kami periksa."},
        effect=ipas_commented,
    ),
    "cases:upload": Entry(
        lambda s: reverse("cases:upload", args=[s.ipas_case.reference]),
        IPAS_CASE_UPLOAD,
        method="POST",
        data=lambda s: {"file": pdf("log-ipas.pdf")},
        effect=ipas_uploaded,
    ),
    "POST /api/cases/{reference}/comments": Entry(
        lambda s: f"/api/cases/{s.ipas_case.reference}/comments",
        API_IPAS_CASE_WRITE,
        method="POST",
        data=lambda s: {"text": "Sedang kami periksa."},
        json=True,
        effect=ipas_commented,
    ),
    "POST /api/cases/{reference}/attachments": Entry(
        lambda s: f"/api/cases/{s.ipas_case.reference}/attachments",
        API_IPAS_CASE_WRITE,
        method="POST",
        data=lambda s: {"file": pdf("log-ipas.pdf")},
        effect=ipas_uploaded,
    ),
    "GET /api/cases/{reference}": Entry(
        lambda s: f"/api/cases/{s.ipas_case.reference}", API_IPAS_CASE_READ
    ),
    "catalog:detail": Entry(
        lambda s: reverse("catalog:detail", args=[s.djki.applications["ipas"].pk]),
        IPAS_CATALOG_READ,
    ),
    "catalog:document": Entry(
        lambda s: reverse(
            "catalog:document", args=[s.ipas_document.application_id, s.ipas_document.pk]
        ),
        IPAS_CATALOG_READ,
    ),
    "GET /api/applications/{application_id}": Entry(
        lambda s: f"/api/applications/{s.djki.applications['ipas'].pk}",
        API_IPAS_CATALOG_READ,
    ),
    "GET /api/cases/{reference}/journal": Entry(
        lambda s: f"/api/cases/{s.ipas_case.reference}/journal", API_IPAS_CASE_READ
    ),
    "GET /api/cases/{reference}/attachments/{attachment_id}": Entry(
        lambda s: f"/api/cases/{s.ipas_case.reference}/attachments/{s.ipas_attachment.pk}",
        API_IPAS_CASE_READ,
    ),
}

# Ids of one case under the reference of another: the Bali case (which the requester and the
# step holder see) with the ids of the DJKI case's step, disposition and file. Not found, for
# everyone, exactly like ids that do not exist.
NOT_THIS_CASE = row("login", "404", "404", "404", "404")
API_NOT_THIS_CASE = row("401", "404", "404", "404", "404")

MISMATCHED_MATRIX: dict[str, Entry] = {
    "cases:claim": Entry(
        lambda s: reverse("cases:claim", args=[s.case.reference, s.ipas_step.pk]),
        NOT_THIS_CASE,
        method="POST",
    ),
    "cases:complete": Entry(
        lambda s: reverse("cases:complete", args=[s.case.reference, s.ipas_step.pk]),
        NOT_THIS_CASE,
        method="POST",
    ),
    "cases:hold": Entry(
        lambda s: reverse("cases:hold", args=[s.case.reference, s.ipas_step.pk]),
        NOT_THIS_CASE,
        method="POST",
        data=lambda s: {"reason": "Menunggu"},
    ),
    "cases:withdraw": Entry(
        lambda s: reverse("cases:withdraw", args=[s.case.reference, s.ipas_disposition.pk]),
        NOT_THIS_CASE,
        method="POST",
    ),
    "cases:file": Entry(
        lambda s: reverse("cases:file", args=[s.case.reference, s.ipas_attachment.pk]),
        NOT_THIS_CASE,
    ),
    # The disposition sheet of the IPAS case's disposition, asked under the Bali case.
    "documents:disposition_sheet": Entry(
        lambda s: reverse(
            "documents:disposition_sheet", args=[s.case.reference, s.ipas_disposition.pk]
        ),
        NOT_THIS_CASE,
        method="POST",
    ),
    # A step of the IPAS case named in the draft form of the Bali case.
    "documents:new": Entry(
        lambda s: (
            reverse("documents:new")
            + f"?case={s.case.reference}&step={s.ipas_step.pk}&kind=nota_dinas"
        ),
        NOT_THIS_CASE,
    ),
    "cases:thumbnail": Entry(
        lambda s: reverse("cases:thumbnail", args=[s.case.reference, s.ipas_attachment.pk]),
        NOT_THIS_CASE,
    ),
    "POST /api/cases/{reference}/steps/{step_id}/claim": Entry(
        lambda s: f"/api/cases/{s.case.reference}/steps/{s.ipas_step.pk}/claim",
        API_NOT_THIS_CASE,
        method="POST",
    ),
    "POST /api/cases/{reference}/steps/{step_id}/complete": Entry(
        lambda s: f"/api/cases/{s.case.reference}/steps/{s.ipas_step.pk}/complete",
        API_NOT_THIS_CASE,
        method="POST",
        data=lambda s: {"data": "{}"},
    ),
    "GET /api/cases/{reference}/attachments/{attachment_id}": Entry(
        lambda s: f"/api/cases/{s.case.reference}/attachments/{s.ipas_attachment.pk}",
        API_NOT_THIS_CASE,
    ),
}


# A claimed step, and "a holder who did not claim": the Kabid and the Ketua Tim also hold the
# Kepala Dinas's position (acting heads), and the Kabid has claimed step 3 and sent its
# disposition. The Kepala Dinas holds the step but did not claim it, and is the Kabid's
# superior (he may take it over); the Ketua Tim holds it, did not claim it and is below the
# Kabid (he may not).
CLAIMANT = "claimant"
HOLDER_NOT_CLAIMANT = "holder_not_claimant"
CLAIMED_PERSONAS = (REQUESTER, STEP_HOLDER, HOLDER_NOT_CLAIMANT, CLAIMANT)


def claimed_row(requester: str, step_holder: str, holder_not_claimant: str, claimant: str) -> dict:
    """One line of :data:`CLAIMED_MATRIX`, in the order of :data:`CLAIMED_PERSONAS`."""
    outcomes = (requester, step_holder, holder_not_claimant, claimant)
    return dict(zip(CLAIMED_PERSONAS, outcomes, strict=True))


def kabid_claims_step_3(s: Scenario) -> None:
    position = s.bali["kadis"].positions.get()
    for acting in (s.bali["kabid"], s.bali["ketuatim"]):
        acting.positions.add(position)
    services.claim_step(s.bali["kabid"], s.step.pk)
    services.dispose(s.bali["kabid"], s.case.pk, [s.bali["ketuatim"]], "Proses", step_id=s.step.pk)
    s.step.refresh_from_db()


def kabid_claims_and_holds_step_3(s: Scenario) -> None:
    kabid_claims_step_3(s)
    services.hold_step(s.bali["kabid"], s.step.pk, "Menunggu dokumen dari pemohon")


def released(c: Cell) -> None:
    only_changed(c, "cases", "steps", "journal", "notifications")
    assert CaseStep.objects.get(pk=c.s.step.pk).claimed_by_id is None
    entry = c.s.case.journal.order_by("-seq").first()
    assert entry.kind == JournalKind.RELEASED and entry.actor_id == c.person.pk


def taken_over(c: Cell) -> None:
    only_changed(c, "cases", "steps", "journal", "notifications")
    assert CaseStep.objects.get(pk=c.s.step.pk).claimed_by_id == c.person.pk
    entry = c.s.case.journal.order_by("-seq").first()
    assert entry.kind == JournalKind.TAKEN_OVER and entry.actor_id == c.person.pk
    assert entry.data["from"] == c.s.bali["kabid"].pk


def reassigned(c: Cell) -> None:
    only_changed(c, "cases", "steps", "journal", "notifications")
    row = CaseStep.objects.get(pk=c.s.step.pk)
    assert (row.assigned_to_id, row.claimed_by_id) == (c.s.bali["ketuatim"].pk, None)
    entry = c.s.case.journal.order_by("-seq").first()
    assert entry.kind == JournalKind.REASSIGNED and entry.actor_id == c.person.pk
    assert entry.data["from"] == c.s.bali["kabid"].pk


def claimed_step_url(name: str) -> Url:
    return case_url(name, step_id)


def claimed_api_url(action: str) -> Url:
    return lambda s: f"/api/cases/{s.case.reference}/steps/{s.step.pk}/{action}"


CLAIMED_MATRIX: dict[str, Entry] = {
    "cases:claim": Entry(
        claimed_step_url("cases:claim"),
        claimed_row("refused", "refused", "refused", "refused"),
        method="POST",
        prepare=kabid_claims_step_3,
    ),
    "cases:complete": Entry(
        claimed_step_url("cases:complete"),
        claimed_row("422", "422", "422", "ok"),
        method="POST",
        data=lambda s: {"note": "Didisposisikan ke Ketua Tim"},
        prepare=kabid_claims_step_3,
        effect=completed,
    ),
    "cases:hold": Entry(
        claimed_step_url("cases:hold"),
        claimed_row("refused", "refused", "refused", "ok"),
        method="POST",
        data=lambda s: {"reason": "Menunggu dokumen dari pemohon"},
        prepare=kabid_claims_step_3,
        effect=held,
    ),
    "cases:resume": Entry(
        claimed_step_url("cases:resume"),
        claimed_row("refused", "refused", "refused", "ok"),
        method="POST",
        prepare=kabid_claims_and_holds_step_3,
        effect=resumed,
    ),
    "cases:release": Entry(
        claimed_step_url("cases:release"),
        claimed_row("refused", "refused", "refused", "ok"),
        method="POST",
        prepare=kabid_claims_step_3,
        effect=released,
    ),
    "cases:take_over": Entry(
        claimed_step_url("cases:take_over"),
        claimed_row("refused", "ok", "refused", "refused"),
        method="POST",
        prepare=kabid_claims_step_3,
        effect=taken_over,
    ),
    "POST /api/cases/{reference}/steps/{step_id}/claim": Entry(
        claimed_api_url("claim"),
        claimed_row("409", "409", "409", "409"),
        method="POST",
        prepare=kabid_claims_step_3,
    ),
    "POST /api/cases/{reference}/steps/{step_id}/complete": Entry(
        claimed_api_url("complete"),
        claimed_row("403", "403", "403", "ok"),
        method="POST",
        data=lambda s: {"data": json.dumps({"note": "Didisposisikan ke Ketua Tim"})},
        prepare=kabid_claims_step_3,
        effect=completed,
    ),
    "POST /api/cases/{reference}/steps/{step_id}/release": Entry(
        claimed_api_url("release"),
        claimed_row("403", "403", "403", "ok"),
        method="POST",
        prepare=kabid_claims_step_3,
        effect=released,
    ),
    "POST /api/cases/{reference}/steps/{step_id}/take-over": Entry(
        claimed_api_url("take-over"),
        claimed_row("403", "ok", "403", "409"),
        method="POST",
        prepare=kabid_claims_step_3,
        effect=taken_over,
    ),
    # The Kepala Dinas is above the claimant (the Kabid): they give the step to the Ketua Tim.
    "cases:reassign": Entry(
        claimed_step_url("cases:reassign"),
        claimed_row("refused", "ok", "refused", "refused"),
        method="POST",
        data=reassign_data,
        prepare=kabid_claims_step_3,
        effect=reassigned,
    ),
    "POST /api/cases/{reference}/steps/{step_id}/reassign": Entry(
        claimed_api_url("reassign"),
        claimed_row("403", "ok", "403", "403"),
        method="POST",
        data=reassign_data,
        json=True,
        prepare=kabid_claims_step_3,
        effect=reassigned,
    ),
    "GET /api/cases/{reference}/steps/{step_id}/actions": Entry(
        claimed_api_url("actions"),
        claimed_row("ok", "ok", "ok", "ok"),
        prepare=kabid_claims_step_3,
        check=says_the_claimant_alone_may_work,
    ),
}


# --- running a cell ---------------------------------------------------------------------------

REDIRECTS = frozenset({301, 302, 303, 307, 308})


def is_api(key: str) -> bool:
    """API keys are ``METHOD /api/path``; web keys are a URL name, optionally after a method."""
    return key.partition(" ")[2].startswith("/")


def route_of(key: str) -> str:
    """The route a matrix key is about: ``POST cases:open`` is about ``cases:open``."""
    return key if is_api(key) else key.rpartition(" ")[2]


def error_messages(response: HttpResponse) -> list[str]:
    request = getattr(response, "wsgi_request", None)
    if request is None:
        return []
    return [str(m) for m in get_messages(request) if m.level >= message_level.ERROR]


def outcome(response: HttpResponse, *, web: bool) -> str:
    status = response.status_code
    if status in REDIRECTS:
        if urlsplit(response["Location"]).path == reverse("login"):
            return "login"
        if web and error_messages(response):
            return "refused"
        return "ok"
    if 200 <= status < 300:
        return "ok"
    return str(status)


def run_cell(
    key: str, entry: Entry, persona: str, request: pytest.FixtureRequest, client: Client
) -> Cell:
    s: Scenario = request.getfixturevalue("people" if entry.static else "scenario")
    person = s.person(persona)
    api = is_api(key)
    headers: dict[str, str] = {}
    if person is not None:
        if api:
            _token, secret = issue_token(person, "permission matrix")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        else:
            assert person.user is not None
            client.force_login(person.user)
    if entry.prepare is not None:
        entry.prepare(s)
    if entry.stubs:
        monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
        for target, replacement in entry.stubs:
            monkeypatch.setattr(target, replacement)
    url = entry.url(s)
    data = entry.data(s) if entry.data else {}
    before = fingerprint()
    if entry.method == "GET":
        response = client.get(url, data, **headers)
    elif entry.method == "PATCH":
        response = client.patch(url, json.dumps(data), content_type="application/json", **headers)
    elif entry.json:
        response = client.post(url, json.dumps(data), content_type="application/json", **headers)
    else:
        response = client.post(url, data, **headers)
    after = fingerprint()
    cell = Cell(key, persona, s, person, client, response, before, after)
    got = outcome(response, web=not api)
    expected = entry.expect[persona]
    where = response.get("Location", "")
    assert got == expected, (
        f"{key} as {persona}: expected {expected!r}, got {got!r} "
        f"({entry.method} {url} -> {response.status_code} {where} "
        f"{error_messages(response) if not api else response.content[:200]!r})"
    )
    if got != "ok":
        unchanged(cell)
    else:
        (entry.effect or unchanged)(cell)
    if entry.check is not None:
        entry.check(cell)
    return cell


def cells(matrix: Mapping[str, Entry], personas: tuple[str, ...] = PERSONAS) -> list[Any]:
    return [
        pytest.param(key, persona, id=f"{key}-{persona}") for key in matrix for persona in personas
    ]


@pytest.mark.parametrize(("key", "persona"), cells(MATRIX))
def test_matrix(key: str, persona: str, request: pytest.FixtureRequest, client: Client) -> None:
    run_cell(key, MATRIX[key], persona, request, client)


# Anonymous callers are sent to sign in before any case is looked up (the main matrix).
@pytest.mark.parametrize(("key", "persona"), cells(IPAS_MATRIX, PERSONAS[1:]))
def test_the_vendor_sees_the_ipas_case(
    key: str, persona: str, request: pytest.FixtureRequest, client: Client
) -> None:
    run_cell(key, IPAS_MATRIX[key], persona, request, client)


# Those who see the Bali case: for the others, its reference alone is not found (above).
@pytest.mark.parametrize(("key", "persona"), cells(MISMATCHED_MATRIX, (REQUESTER, STEP_HOLDER)))
def test_ids_of_another_case_are_not_found(
    key: str, persona: str, request: pytest.FixtureRequest, client: Client
) -> None:
    run_cell(key, MISMATCHED_MATRIX[key], persona, request, client)


# A step claimed by one of its holders, for those who see the case.
@pytest.mark.parametrize(("key", "persona"), cells(CLAIMED_MATRIX, CLAIMED_PERSONAS))
def test_a_claim_is_a_claim(
    key: str, persona: str, request: pytest.FixtureRequest, client: Client
) -> None:
    run_cell(key, CLAIMED_MATRIX[key], persona, request, client)


def test_every_claimed_matrix_entry_names_a_route() -> None:
    assert not covered(CLAIMED_MATRIX) - discovered_routes()
    for key, entry in CLAIMED_MATRIX.items():
        assert set(entry.expect) == set(CLAIMED_PERSONAS), key


# --- the admin --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_sends_everyone_but_staff_to_the_admin_sign_in(
    persona: str, people: Scenario, client: Client
) -> None:
    person = people.person(persona)
    if person is not None:
        client.force_login(person.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("admin:login")


def test_the_admin_index_opens_for_a_superuser(client: Client, db) -> None:
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "x")
    client.force_login(admin)
    assert client.get(reverse("admin:index")).status_code == 200


# --- beyond the five personas ------------------------------------------------------------------


def test_a_vendor_opens_cases_only_on_an_application_under_its_contract(
    people: Scenario, client: Client
) -> None:
    # A case the vendor may not see (no application, or one outside its contracts) is not
    # opened at all: before, it was written and then answered with 404.
    vendor, ipas = people.djki["ipasdev"], people.djki.applications["ipas"]
    form = {"version": people.versions[SOP_004].pk, "title": "IPAS lambat"}
    client.force_login(vendor.user)
    assert client.post(reverse("cases:open"), form).status_code == 422
    assert not Case.objects.filter(opened_by=vendor).exists()
    response = client.post(reverse("cases:open"), {**form, "application": ipas.pk})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert Case.objects.filter(opened_by=vendor, application=ipas).count() == 1


def test_a_vendor_opens_cases_through_the_api_only_on_its_contracted_application(
    people: Scenario, client: Client
) -> None:
    vendor, ipas = people.djki["ipasdev"], people.djki.applications["ipas"]
    _token, secret = issue_token(vendor, "matrix")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = {"procedure": SOP_004, "title": "IPAS lambat"}

    def post(data: dict[str, Any]) -> HttpResponse:
        return client.post("/api/cases", json.dumps(data), "application/json", **headers)

    response = post(body)
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"
    assert not Case.objects.filter(opened_by=vendor).exists()
    response = post({**body, "application": ipas.pk})
    assert response.status_code == 201
    assert response.json()["application"]["id"] == ipas.pk


def offered_applications(html: str) -> set[str]:
    """The applications named in the page's choices (``<option ...>SIKESDA</option>``, or
    ``Name (SHORT)`` on the new-case form)."""
    return {m.strip() for m in re.findall(r"<option[^>]*>([^<]*)</option>", html)}


@pytest.mark.parametrize("name", ["cases:list", "cases:open"])
def test_a_vendor_is_offered_only_the_applications_under_its_contract(
    name: str, people: Scenario, client: Client
) -> None:
    # The catalogue shows a vendor only its contracted applications; the case screens'
    # choices must not name the agency's others either.
    Application.objects.create(
        agency=people.djki.agency, name="Sistem Informasi Merek Internal", short_name="SIMERIN"
    )
    client.force_login(people.djki["ipasdev"].user)
    offered = " ".join(offered_applications(client.get(reverse(name)).content.decode()))
    assert "IPAS" in offered and "SIMERIN" not in offered


def test_an_account_without_a_person_is_offered_no_agencys_units_or_applications(
    people: Scenario, client: Client
) -> None:
    # A signed-in account that is no person of any agency (and not a superuser) sees no
    # cases, so the list's filters must not name every agency's units and applications.
    guest = get_user_model().objects.create_user("tamu", "tamu@example.org", "x")
    client.force_login(guest)
    offered = offered_applications(client.get(reverse("cases:list")).content.decode())
    assert not offered & {"SIKESDA", "SIMPEG", "IPAS", people.bali.units["dinkes"].name}


def _bali_staff(s: Scenario) -> Person:
    kadis = s.bali["kadis"]
    assert kadis.user is not None
    kadis.user.is_staff = True
    kadis.user.save(update_fields=["is_staff"])
    return kadis


@pytest.mark.parametrize(
    ("url", "status"),
    [
        # Django's is_staff grants no binding: that is the agency's administrators' (above).
        (lambda s: reverse("org:bindings", args=[s.bali.agency.slug, SOP_002]), 403),
        (lambda s: reverse("org:bindings", args=[s.djki.agency.slug, SOP_004]), 403),
        # The calendar is an agency administrator's: is_staff alone opens nothing.
        (lambda s: reverse("org:calendar", args=[s.bali.agency.slug]), 403),
        (lambda s: reverse("org:calendar", args=[s.djki.agency.slug]), 404),
        # Publishing is a right of the procedure-administrator role, not of is_staff.
        (lambda s: reverse("procedures:publish"), 403),
    ],
    ids=["bindings-own", "bindings-other", "calendar-own", "calendar-other", "publish"],
)
def test_staff_manage_their_own_agency_only(
    url: Url, status: int, people: Scenario, client: Client
) -> None:
    # Django's is_staff is no product role: a staff account without one is refused its own
    # agency's administrator screens, and another agency's are not found.
    client.force_login(_bali_staff(people).user)
    assert client.get(url(people)).status_code == status


def test_administrators_see_only_their_own_agency_in_the_bindings_index(
    people: Scenario, client: Client
) -> None:
    client.force_login(_bali_staff(people).user)
    assert client.get(reverse("org:index")).status_code == 403  # is_staff is no role
    client.force_login(people.bali["adminbali"].user)
    text = client.get(reverse("org:index")).content.decode()
    assert people.bali.agency.name in text and people.djki.agency.name not in text


# The persona "staff member of another agency" on the routes of procedures: DJKI's procedure
# administrator, with Django's is_staff, against Bali's SOP 002. Each refusal changes nothing,
# and Bali's next case still runs Bali's version.


def _other_agency_staff(s: Scenario) -> Person:
    person = s.djki["kasubdit"]  # DJKI's procedure administrator in the demo
    assert person.user is not None
    person.user.is_staff = True
    person.user.save(update_fields=["is_staff"])
    return person


def _hijacked_upload(s: Scenario) -> SimpleUploadedFile:
    source = s.versions[SOP_002].source.replace("kind: position", "kind: requesting_unit")
    return SimpleUploadedFile("sop-002.yaml", source.encode(), "application/yaml")


OTHER_AGENCY_CELLS: dict[str, tuple[str, Callable[[Scenario], Any], int]] = {
    "procedures:version": (
        "GET",
        lambda s: reverse("procedures:version", args=BALI_SOP_002(s)),
        404,
    ),
    "procedures:version_pdf": (
        "GET",
        lambda s: reverse("procedures:version_pdf", args=BALI_SOP_002(s)),
        404,
    ),
    "procedures:version_yaml": (
        "GET",
        lambda s: reverse("procedures:version_yaml", args=BALI_SOP_002(s)),
        404,
    ),
    "POST procedures:publish": (
        "POST",
        lambda s: {"source": _hijacked_upload(s), "agency": s.bali.agency.slug},
        403,
    ),
    "POST cases:open": (
        "POST",
        lambda s: {"version": str(s.versions[SOP_002].pk), "title": "Aplikasi lambat"},
        422,
    ),
    "GET /api/procedures/{key}/versions/{number}": (
        "API",
        lambda s: f"/api/procedures/{SOP_002}/versions/{s.versions[SOP_002].number}",
        404,
    ),
    "POST /api/cases": ("API", lambda s: {"procedure": SOP_002, "title": "Lambat"}, 400),
}


@pytest.mark.parametrize("key", sorted(OTHER_AGENCY_CELLS))
def test_a_staff_member_of_another_agency_on_the_procedure_routes(
    key: str, people: Scenario, client: Client
) -> None:
    method, what, status = OTHER_AGENCY_CELLS[key]
    person = _other_agency_staff(people)
    before = fingerprint()
    if method == "API":
        _token, secret = issue_token(person, "matrix")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        if key.startswith("POST"):
            response = client.post(
                "/api/cases", json.dumps(what(people)), "application/json", **headers
            )
        else:
            response = client.get(what(people), **headers)
    else:
        client.force_login(person.user)
        if method == "POST":
            url = reverse(route_of(key))
            response = client.post(url, what(people))
        else:
            response = client.get(what(people))
    assert response.status_code == status, response.content[:300]
    assert fingerprint() == before
    requester = people.bali["dinkes_staf"]
    case = services.open_case(requester, people.versions[SOP_002], "Sesudahnya")
    assert case.version.agency_id == people.bali.agency.pk
    assert case.version.pk == people.versions[SOP_002].pk


# --- every route has an entry, every entry a route --------------------------------------------

# The admin is tested above; the language switch and static files are Django's own.
SKIPPED_NAMESPACES = frozenset({"admin"})
SKIPPED_VIEWS = frozenset(
    {
        "django.views.i18n.set_language",
        "django.views.static.serve",
        "django.contrib.staticfiles.views.serve",
    }
)


def ninja_path_view(callback: Callable[..., Any]) -> PathView | None:
    """The django-ninja PathView behind a URL pattern's view, if it is one."""
    fn = inspect.unwrap(callback)
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if isinstance(value, PathView):
            return value
    return None


def discovered_routes() -> set[str]:
    """Every route of the URL configuration: web routes by URL name (or, unnamed, by pattern),
    API operations as ``METHOD /path``."""
    found: set[str] = set()

    def walk(resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                walk(pattern, prefix + str(pattern.pattern), inner)
                continue
            assert isinstance(pattern, URLPattern)
            route = prefix + str(pattern.pattern)
            view = ninja_path_view(pattern.callback)
            if view is not None:
                path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
                found.update(f"{m} {path}" for op in view.operations for m in op.methods)
                continue
            callback = pattern.callback
            qualified = f"{callback.__module__}.{getattr(callback, '__name__', '')}"
            if qualified in SKIPPED_VIEWS:
                continue
            found.add(":".join((*namespaces, pattern.name)) if pattern.name else route)

    walk(get_resolver(), "", ())
    return found


def served_operations(client: Client) -> set[str]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    methods = {"get", "post", "put", "patch", "delete", "head", "options"}
    return {
        f"{method.upper()} {path}"
        for path, operations in response.json()["paths"].items()
        for method in operations
        if method in methods
    }


def covered(matrix: Mapping[str, Entry]) -> set[str]:
    return {route_of(key) for key in matrix}


def test_every_route_has_a_matrix_entry() -> None:
    missing = discovered_routes() - covered(MATRIX)
    assert not missing, f"routes without an entry in MATRIX: {sorted(missing)}"


def test_every_served_api_operation_has_a_matrix_entry(client: Client) -> None:
    served = served_operations(client)
    assert "GET /api/cases/{reference}" in served  # the paths are what the matrix keys use
    missing = served - covered(MATRIX)
    assert not missing, f"API operations without an entry in MATRIX: {sorted(missing)}"


@pytest.mark.parametrize(
    "matrix", [MATRIX, IPAS_MATRIX, MISMATCHED_MATRIX], ids=["main", "ipas", "mismatched"]
)
def test_every_matrix_entry_names_a_route(matrix: Mapping[str, Entry]) -> None:
    stale = covered(matrix) - discovered_routes()
    assert not stale, f"matrix entries for routes that no longer exist: {sorted(stale)}"
    for key, entry in matrix.items():
        assert set(entry.expect) == set(PERSONAS), f"{key}: one outcome per persona"
        method, _sep, _rest = key.partition(" ")
        if " " in key:
            assert method == entry.method, f"{key}: the key's method differs from the entry's"


def test_the_shadowed_ninja_root_is_answered_by_the_api_index() -> None:
    # api:api-root (ninja's own) is behind api-index at /api/: its entry tests that page.
    assert resolve(reverse("api:api-root")).url_name == "api-index"
