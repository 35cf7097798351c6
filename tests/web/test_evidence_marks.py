"""The "✓" marks of a step's form show evidence the case really holds (issue 16 item 3): a
value naming no disposition sent, or no attachment of the case, is not shown as provided."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from laksana.cases import services
from laksana.cases.models import Case

from ..cases.helpers import active, work

pytestmark = pytest.mark.django_db

TICK = '<span class="tick" aria-hidden="true">✓</span>'


def provided(client: Client, person, case: Case) -> str:
    client.force_login(person.user)
    html = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    start = html.find('class="provided"')
    return html[start : html.index("</div>", start)] if start >= 0 else ""


def at_step_4(bali, sop002) -> Case:
    case = services.open_case(bali["dinkes_staf"], sop002, "SIKESDA error")
    case = work(bali["dinkes_staf"], case)
    case = work(bali["dinkes_staf"], case)
    return work(bali["kadis"], case)  # sends its disposition on step 3


def test_a_disposition_that_was_sent_is_marked(client, bali, sop002):
    case = at_step_4(bali, sop002)
    assert active(case).step_key == "s4"
    assert f"{TICK} Disposisi Kepala Dinas" in provided(client, bali["kabid"], case)


def test_a_disposition_never_sent_is_not_marked(client, bali, sop002):
    case = at_step_4(bali, sop002)
    # A value written without a disposition behind it (as the API once accepted).
    for fake in ({"ref": "x"}, {"ref": "disposition:999999"}):
        Case.objects.filter(pk=case.pk).update(
            state={**case.state, "artifacts": {**case.state["artifacts"], "disposisi_kadis": fake}}
        )
        assert "Disposisi Kepala Dinas" not in provided(client, bali["kabid"], case)


def test_a_file_value_naming_no_attachment_of_the_case_is_not_marked(client, bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "SIKESDA error")
    case = work(bali["dinkes_staf"], case)
    assert f"{TICK} Dokumen Analisis" in provided(client, bali["dinkes_staf"], case)
    made_up = {
        "files": [{"id": "999999", "name": "analisis.pdf", "content_type": "application/pdf"}]
    }
    artifacts = {**case.state["artifacts"], "dokumen_analisis": made_up}
    Case.objects.filter(pk=case.pk).update(state={**case.state, "artifacts": artifacts})
    assert "Dokumen Analisis" not in provided(client, bali["dinkes_staf"], case)
