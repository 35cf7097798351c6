"""The agency administrator's disposition presets (laksana.org.instructions_admin and its
screen): another agency's presets cannot be named; changes are recorded; a removed preset
leaves the dispositions that used its text as they were."""

from __future__ import annotations

import pytest
from django.utils import translation

from laksana.cases import services
from laksana.cases.dispositions import dispose
from laksana.cases.models import Disposition
from laksana.org import instructions_admin
from laksana.org.models import ChangeAction, DispositionInstruction, OrgChange
from laksana.org.vendors_admin import AdminError
from tests.org.admin_helpers import counts, signed_in

pytestmark = pytest.mark.django_db

SCREEN = "/organisasi/diskominfos-bali/disposisi/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def texts(agency) -> list[str]:
    return [p.text for p in instructions_admin.presets(agency)]


def test_nobody_but_the_agencys_administrators_reaches_or_changes_its_presets(bali, djki):
    preset = DispositionInstruction.objects.filter(agency=bali.agency).first()
    before = counts()
    other = signed_in(djki["admindjki"])
    assert other.get(SCREEN).status_code == 404
    assert other.post(SCREEN, {"action": "remove", "instruction": preset.pk}).status_code == 404
    staff = bali["kadis"]
    staff.user.is_staff = True
    staff.user.save(update_fields=["is_staff"])
    plain = signed_in(staff)
    assert plain.get(SCREEN).status_code == 403
    assert plain.post(SCREEN, {"action": "add", "text": "Segera"}).status_code == 403
    assert counts() == before


def test_another_agencys_or_a_forged_preset_is_refused_and_nothing_is_written(bali, djki):
    theirs = DispositionInstruction.objects.filter(agency=djki.agency).first()
    admin = signed_in(bali["adminbali"])
    before = counts()
    for forged in (theirs.pk, "x1", "99999999999999999999", ""):
        for action in ("edit", "move", "remove"):
            data = {
                "action": action,
                "instruction": forged,
                "text": "Milik Bali",
                "direction": "up",
            }
            response = admin.post(SCREEN, data)
            assert response.status_code == 400, (forged, action)
            assert "has no such preset" in response.content.decode()
    refused = [
        ({"action": "add", "text": "  "}, "Write the instruction"),
        ({"action": "add", "text": "proses LEBIH lanjut"}, "already in the list"),
        ({"action": "add", "text": "x" * 201}, "At most 200"),
        (
            {"action": "move", "instruction": texts_pk(bali, 0), "direction": "sideways"},
            "up or down",
        ),
    ]
    for data, message in refused:
        response = admin.post(SCREEN, data)
        assert response.status_code == 400 and message in response.content.decode(), data
    assert counts() == before
    assert DispositionInstruction.objects.get(pk=theirs.pk).text == theirs.text


def texts_pk(bali, index: int) -> int:
    return instructions_admin.presets(bali.agency)[index].pk


def test_presets_are_added_edited_reordered_and_removed_with_their_records(bali, sop002):
    admin = signed_in(bali["adminbali"])
    first = texts(bali.agency)
    case = services.open_case(bali["dinkes_staf"], sop002, "Galat SIKESDA")
    dispose(bali["kadis"], case.pk, [bali["kabid"]], first[1])
    used = DispositionInstruction.objects.get(agency=bali.agency, text=first[1])

    assert admin.post(SCREEN, {"action": "add", "text": "Segera  laporkan"}).status_code == 302
    assert texts(bali.agency)[-1] == "Segera laporkan"
    data = {"action": "edit", "instruction": used.pk, "text": "Proses segera"}
    assert admin.post(SCREEN, data).status_code == 302
    data = {"action": "move", "instruction": used.pk, "direction": "up"}
    assert admin.post(SCREEN, data).status_code == 302
    assert texts(bali.agency)[:2] == ["Proses segera", first[0]]
    assert admin.post(SCREEN, {"action": "remove", "instruction": used.pk}).status_code == 302
    assert "Proses segera" not in texts(bali.agency)
    # The disposition sent with the preset's old text keeps it.
    assert Disposition.objects.get(case=case).instruction == first[1]

    rows = list(OrgChange.objects.filter(agency=bali.agency, subject="instruction").order_by("id"))
    actions = [r.action for r in rows]
    assert actions[0] == ChangeAction.CREATED and rows[0].after["text"] == "Segera laporkan"
    assert rows[1].before["text"] == first[1] and rows[1].after["text"] == "Proses segera"
    assert actions[-1] == ChangeAction.REMOVED and rows[-1].before["text"] == "Proses segera"
    # The move swapped two orders: two records of "order".
    moved = [r for r in rows if r.before and r.after and r.before["order"] != r.after["order"]]
    assert len(moved) == 2
    assert all(r.by == bali["adminbali"] for r in rows)
    page = admin.get(SCREEN).content.decode()
    assert "Segera laporkan" in page


def test_the_service_refuses_an_unknown_direction(bali):
    with pytest.raises(AdminError, match="up or down"):
        instructions_admin.move_preset(bali.agency, None, texts_pk(bali, 0), "left")
