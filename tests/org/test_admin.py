"""The admin: every model's list and page load for a superuser; what the services own is
read-only there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from laksana.cases import services
from laksana.cases.models import Attachment, Case, CaseStep, Disposition, JournalEntry
from laksana.catalog.models import Application, Contract, Vendor
from laksana.org.models import ActorBinding, Agency, DispositionInstruction, Person, Position, Unit
from laksana.outbox.models import Message
from laksana.procedures.models import ProcedureVersion
from tests.cases.helpers import png, work

pytestmark = pytest.mark.django_db

EDITABLE = [Agency, Unit, Position, Person, ActorBinding, DispositionInstruction]
EDITABLE += [Vendor, Application, Contract]
READ_ONLY = [ProcedureVersion, Case, CaseStep, Disposition, Attachment, JournalEntry, Message]


@pytest.fixture
def root(db) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def data(bali, djki, sop002, sop004) -> Case:
    """A case with a step done, a disposition, a comment and a file."""
    case = services.open_case(
        bali["dinkes_staf"], sop002, "SIKESDA galat", application=bali.applications["sikesda"]
    )
    case = work(bali["dinkes_staf"], case)
    services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "Untuk diketahui")
    services.add_attachment(bali["dinkes_staf"], case.pk, png("bukti.png"))
    return case


def url(model: type, view: str, *args: object) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def test_every_model_is_registered():
    for model in EDITABLE + READ_ONLY:
        assert admin.site.is_registered(model), model


def test_every_list_and_page_loads_for_a_superuser(root, data):
    for model in EDITABLE + READ_ONLY:
        response = root.get(url(model, "changelist"))
        assert response.status_code == 200, model
        assert root.get(url(model, "changelist"), {"q": "a"}).status_code == 200, model
        obj = model.objects.order_by("pk").first()
        assert obj is not None, model
        assert root.get(url(model, "change", obj.pk)).status_code == 200, model
    for model in EDITABLE:
        assert root.get(url(model, "add")).status_code == 200, model


def test_the_unit_list_shows_the_tree(root, bali):
    page = root.get(url(Unit, "changelist")).content.decode()
    assert "Diskominfos › Bidang IAI" in page  # Tim AI sits under the Bidang under the Dinas


def test_what_the_services_write_is_read_only(root, data):
    for model in READ_ONLY:
        obj = model.objects.order_by("pk").first()
        assert root.get(url(model, "add")).status_code == 403, model
        assert root.get(url(model, "delete", obj.pk)).status_code == 403, model
        assert root.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403, model
        # The page shows the object but has no form to save.
        page = root.get(url(model, "change", obj.pk)).content.decode()
        assert 'name="_save"' not in page, model
        assert root.post(url(model, "change", obj.pk), {}).status_code == 403, model
        model_admin = admin.site._registry[model]
        request = root.get("/").wsgi_request
        request.user = get_user_model().objects.get(username="root")
        assert not model_admin.has_change_permission(request, obj)
        assert not model_admin.get_actions(request).get("delete_selected")
    assert Case.objects.get(pk=data.pk).title == "SIKESDA galat"


def test_a_procedure_version_shows_its_source(root, sop002):
    page = root.get(url(ProcedureVersion, "change", sop002.pk)).content.decode()
    assert "format: laksana/procedure@1" in page
    assert "<pre" in page


def test_the_case_admin_searches_and_filters(root, data):
    page = root.get(url(Case, "changelist"), {"q": data.reference}).content.decode()
    assert data.reference in page
    page = root.get(url(Case, "changelist"), {"status__exact": "finished"}).content.decode()
    assert data.reference not in page
