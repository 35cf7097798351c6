"""The case screens: sign in, inbox, opening a case, the case page with its step form and
disposition form, files, comments and notifications, driven through the Django test client.

The interface text is translated later, so these tests look for data (names of people,
requirements, references) and for the structure of the pages (input names, ids), never for
the wording of the interface itself.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from laksana.cases import services, stepform
from laksana.cases.models import (
    Attachment,
    Case,
    Disposition,
    DispositionStatus,
    JournalKind,
    Notification,
    StepStatus,
)
from laksana.engine.spec import FieldType
from laksana.web.context_processors import unread_count

from ..cases.helpers import SOP_004_PEOPLE, active, pdf, png, work

pytestmark = pytest.mark.django_db

PASSWORD = "laksana-demo"


def signed_in(client: Client, person) -> Client:
    client.force_login(person.user)
    return client


def page(response) -> str:
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    """The HTML of the panel whose heading has this id."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def badge(html: str) -> str:
    match = re.search(r'id="inbox-badge"[^>]*>(.*?)</span>\s*</a>', html, re.S)
    assert match, "no inbox badge"
    return re.sub(r"<[^>]+>[^<]*</span>", "", match.group(1)).strip()


def opened(bali, sop002, title: str = "SIKESDA error saat simpan data") -> Case:
    return services.open_case(
        bali["dinkes_staf"], sop002, title, application=bali.applications["sikesda"]
    )


def at_step_3(bali, sop002) -> Case:
    case = opened(bali, sop002)
    case = work(bali["dinkes_staf"], case)
    return work(bali["dinkes_staf"], case)


# --- signing in ------------------------------------------------------------------------------


def test_it_signs_in_with_the_demo_password_and_lands_in_the_inbox(client, bali):
    response = client.get("/akun/masuk/")
    assert response.status_code == 200
    assert 'name="username"' in page(response) and 'name="password"' in page(response)
    response = client.post("/akun/masuk/", {"username": "kabid", "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == "/kasus/kotak-masuk/"
    response = client.post("/akun/keluar/")
    assert response.status_code == 302 and response["Location"] == "/akun/masuk/"


def test_a_wrong_password_is_refused_on_the_same_page(client, bali):
    response = client.post("/akun/masuk/", {"username": "kabid", "password": "salah"})
    assert response.status_code == 200
    assert 'value="kabid"' in page(response)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "url", ["/kasus/", "/kasus/kotak-masuk/", "/kasus/baru/", "/kasus/2026-000001/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/?next=")


# --- inbox -----------------------------------------------------------------------------------


def test_the_inbox_offers_step_1_to_the_requesting_unit(client, bali, sop002):
    case = opened(bali, sop002)
    html = page(signed_in(client, bali["dinkes_staf"]).get("/kasus/kotak-masuk/"))
    offered = section(html, "h-offered")
    assert case.reference in offered and case.title in offered
    assert f"#step-{active(case).pk}" in offered
    assert "±3 Hari" in offered  # the step's time standard
    # Someone of another unit is offered nothing.
    other = page(Client().get("/kasus/kotak-masuk/"))
    assert case.reference not in other
    client.force_login(bali["bkd"].user)
    assert case.reference not in page(client.get("/kasus/kotak-masuk/"))


def test_the_inbox_shows_a_disposition_to_the_kabid_unread_with_the_badge(client, bali, sop002):
    case = at_step_3(bali, sop002)
    (d,) = services.dispose(
        bali["kadis"],
        case.pk,
        [bali["kabid"]],
        "Proses lebih lanjut",
        step_id=active(case).pk,
        urgency="sangat_segera",
    )
    html = page(signed_in(client, bali["kabid"]).get("/kasus/kotak-masuk/"))
    mine = section(html, "h-dispositions")
    assert case.reference in mine and "Proses lebih lanjut" in mine and "Gede Pramana" in mine
    assert "work-item--unread" in mine and "pill--sangat_segera" in mine
    expected = unread_count(bali["kabid"].pk)
    assert expected == 1 + Notification.objects.filter(person=bali["kabid"]).count()
    assert badge(html) == str(expected)
    # Opening the case page reads the disposition and the case's notifications.
    client.get(f"/kasus/{case.reference}/")
    d.refresh_from_db()
    assert d.status == DispositionStatus.READ and d.read_at is not None
    html = page(client.get("/kasus/kotak-masuk/"))
    assert "work-item--unread" not in section(html, "h-dispositions")
    assert unread_count(bali["kabid"].pk) == 0
    assert badge(html) == ""


def test_a_claimed_step_moves_to_my_steps_and_leaves_the_others_inbox(client, bali, sop002):
    case = opened(bali, sop002)
    row = active(case)
    signed_in(client, bali["dinkes_staf"])
    response = client.post(f"/kasus/{case.reference}/langkah/{row.pk}/ambil/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.claimed_by == bali["dinkes_staf"]
    html = page(client.get("/kasus/kotak-masuk/"))
    assert case.reference in section(html, "h-claimed")
    assert case.reference not in section(html, "h-offered")
    client.force_login(bali["dinkes"].user)
    html = page(client.get("/kasus/kotak-masuk/"))
    assert case.reference not in section(html, "h-offered")
    # The head of the unit no longer gets the step form: it is taken.
    detail = page(client.get(f"/kasus/{case.reference}/"))
    assert 'name="art-foto_masalah"' not in detail and "Putu Eka Pratama" in detail


def test_notifications_are_listed_and_marked_read_when_opened(client, bali, sop002):
    case = opened(bali, sop002)
    note = Notification.objects.get(person=bali["dinkes_staf"], case=case)
    signed_in(client, bali["dinkes_staf"])
    html = page(client.get("/kasus/notifikasi/"))
    assert f"/kasus/notifikasi/{note.pk}/" in html and "notification--unread" in html
    response = client.get(f"/kasus/notifikasi/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/kasus/{case.reference}/"
    note.refresh_from_db()
    assert note.read_at is not None
    # Somebody else's notification does not exist for me.
    theirs = Notification.objects.get(person=bali["dinkes"], case=case)
    assert client.get(f"/kasus/notifikasi/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.force_login(bali["dinkes"].user)
    assert client.post("/kasus/notifikasi/").status_code == 302
    assert unread_count(bali["dinkes"].pk) == 0


def test_the_badge_refreshes_alone_and_is_empty_once_signed_out(client, bali, sop002):
    opened(bali, sop002)
    signed_in(client, bali["dinkes_staf"])
    html = page(client.get("/kasus/lencana/"))
    assert "<html" not in html and 'id="inbox-badge"' in html and ">1</span>" in html
    client.logout()
    response = client.get("/kasus/lencana/")
    assert response.status_code == 200 and "badge--none" in page(response)


# --- opening a case --------------------------------------------------------------------------


def test_a_requester_opens_a_case_and_lands_on_step_1s_form(client, bali, sop002):
    signed_in(client, bali["dinkes_staf"])
    html = page(client.get("/kasus/baru/"))
    assert f'value="{sop002.pk}"' in html and sop002.title in html
    # Only the procedures this agency has set up are offered.
    assert "Pemulihan" not in html
    assert bali.applications["sikesda"].name in html
    response = client.post(
        "/kasus/baru/",
        {
            "version": sop002.pk,
            "title": "SIKESDA gagal simpan",
            "description": "Galat 500 di menu pasien",
            "application": bali.applications["sikesda"].pk,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/kasus/{case.reference}/"
    assert case.requesting_unit == bali.units["dinkes"]
    assert case.application == bali.applications["sikesda"]
    html = page(client.get(response["Location"]))
    assert case.reference in html and "SIKESDA gagal simpan" in html
    form = html[html.index(f'action="/kasus/{case.reference}/langkah/') :]
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'name="art-foto_masalah" multiple accept="image/\*"', form)
    assert 'name="art-surat_permohonan"' in form  # a letter: a scanned, signed file
    assert '<textarea name="art-keterangan_proses-uraian"' in form
    assert 'name="art-dokumen_analisis"' in form  # the output


def test_opening_without_a_title_is_refused_with_the_rest_kept(client, bali, sop002):
    signed_in(client, bali["dinkes_staf"])
    response = client.post(
        "/kasus/baru/", {"version": sop002.pk, "title": "  ", "description": "Tetap di sini"}
    )
    assert response.status_code == 422
    html = page(response)
    assert "Tetap di sini" in html and 'id="err-title"' in html
    assert Case.objects.count() == 0


# --- the step form ---------------------------------------------------------------------------


def test_the_step_form_refuses_naming_each_missing_requirement_and_keeps_values(
    client, bali, sop002
):
    case = opened(bali, sop002)
    row = active(case)
    signed_in(client, bali["dinkes_staf"])
    response = client.post(
        f"/kasus/{case.reference}/langkah/{row.pk}/selesaikan/",
        {"art-keterangan_proses-uraian": "Klik Simpan, muncul galat 500", "note": "Catatan saya"},
    )
    assert response.status_code == 422
    html = page(response)
    summary = html[html.index(f'id="step-{row.pk}-errors"') :]
    summary = summary[: summary.index("</div></div>")]
    assert "Surat permohonan perbaikan sistem" in summary
    assert "Foto dokumentasi permasalahan" in summary
    # Each missing input has its own message beside it; the given one has none.
    for key in ("surat_permohonan", "foto_masalah"):
        assert re.search(rf'id="step-{row.pk}-{key}-errors"[^>]*><p class="field-error">', html)
    assert re.search(rf'id="step-{row.pk}-keterangan_proses-errors"[^>]*></div>', html)
    assert ">Klik Simpan, muncul galat 500</textarea>" in html
    assert ">Catatan saya</textarea>" in html
    row.refresh_from_db()
    assert row.status == StepStatus.ACTIVE


def test_over_htmx_a_refusal_only_swaps_the_messages_in(client, bali, sop002):
    case = opened(bali, sop002)
    row = active(case)
    signed_in(client, bali["dinkes_staf"])
    response = client.post(
        f"/kasus/{case.reference}/langkah/{row.pk}/selesaikan/",
        {"art-foto_masalah": pdf("bukan-foto.pdf"), "art-surat_permohonan": pdf()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = page(response)
    assert "<html" not in html and 'hx-swap-oob="true"' in html
    assert "Keterangan proses yang menyebabkan terjadinya permasalahan" in html
    assert Attachment.objects.count() == 0


def test_a_requester_completes_step_1_with_a_photo_and_the_case_moves_to_step_2(
    client, bali, sop002
):
    case = opened(bali, sop002)
    row = active(case)
    signed_in(client, bali["dinkes_staf"])
    response = client.post(
        f"/kasus/{case.reference}/langkah/{row.pk}/selesaikan/",
        {
            "art-surat_permohonan": pdf("surat permohonan.pdf"),
            "art-foto_masalah": [png("layar-1.png"), png("layar-2.png", "blue")],
            "art-keterangan_proses-uraian": "Klik Simpan pada menu Pasien Baru",
            "art-dokumen_analisis": pdf("analisis.pdf"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/kasus/{case.reference}/"
    case.refresh_from_db()
    assert active(case).step_key == "s2"
    assert case.state["artifacts"]["keterangan_proses"] == {
        "uraian": "Klik Simpan pada menu Pasien Baru"
    }
    photos = list(Attachment.objects.filter(artifact_key="foto_masalah").order_by("pk"))
    assert [a.original_name for a in photos] == ["layar-1.png", "layar-2.png"]
    html = page(client.get(response["Location"]))
    for a in photos:
        assert f"/kasus/{case.reference}/berkas/{a.pk}/thumb" in html
    assert "surat permohonan.pdf" in html  # the timeline names the files
    assert 'name="art-proses_bisnis_masalah"' in html  # step 2's form is next


def test_the_head_dispositions_step_3_to_the_kabid_from_the_case_page_and_completes_it(
    client, bali, sop002
):
    case = at_step_3(bali, sop002)
    row = active(case)
    signed_in(client, bali["kadis"])
    html = page(client.get(f"/kasus/{case.reference}/"))
    # The disposition form is there, about step 3, with the Kabid among the recipients.
    assert f'<option value="step:{row.pk}" selected>' in html
    assert f'name="recipients" value="{bali["kabid"].pk}"' in html
    assert "Tanggapan dan saran" in html  # the agency's preset instructions
    response = client.post(
        f"/kasus/{case.reference}/disposisi/",
        {
            "target": f"step:{row.pk}",
            "recipients": [bali["kabid"].pk],
            "instruction": "Proses lebih lanjut",
            "urgency": "segera",
            "deadline": "2099-01-05T15:00",
            "note": "Mohon dikoordinasikan dengan Dinkes",
        },
    )
    assert response.status_code == 302
    d = Disposition.objects.get()
    assert (d.sender, d.recipient, d.step_id, d.urgency) == (
        bali["kadis"],
        bali["kabid"],
        row.pk,
        "segera",
    )
    # Bali is WITA (UTC+8): 15:00 there is 07:00 UTC.
    assert (d.deadline.year, d.deadline.hour) == (2099, 7)
    html = page(client.get(f"/kasus/{case.reference}/"))
    assert "Ni Luh Putu Ariani" in section(html, "h-chain")
    response = client.post(f"/kasus/{case.reference}/langkah/{row.pk}/selesaikan/", {})
    assert response.status_code == 302
    case.refresh_from_db()
    assert active(case).step_key == "s4"
    assert case.state["artifacts"]["disposisi_kadis"] == {"ref": f"disposition:{d.pk}"}
    html = page(client.get(f"/kasus/{case.reference}/"))
    timeline = section(html, "h-timeline")
    assert "Proses lebih lanjut" in timeline and "Mohon dikoordinasikan dengan Dinkes" in timeline


def test_completing_a_disposition_step_without_one_names_the_output(client, bali, sop002):
    case = at_step_3(bali, sop002)
    row = active(case)
    signed_in(client, bali["kadis"])
    response = client.post(f"/kasus/{case.reference}/langkah/{row.pk}/selesaikan/", {})
    assert response.status_code == 422
    assert "Disposisi Kepala Dinas" in page(response)


def test_a_refused_disposition_keeps_what_was_entered(client, bali, sop002):
    case = at_step_3(bali, sop002)
    signed_in(client, bali["kadis"])
    response = client.post(
        f"/kasus/{case.reference}/disposisi/",
        {"target": "case", "instruction_text": "Cek server", "note": "Catatan tetap"},
    )
    assert response.status_code == 422
    html = page(response)
    assert 'value="Cek server"' in html and ">Catatan tetap</textarea>" in html
    assert Disposition.objects.count() == 0
    response = client.post(
        f"/kasus/{case.reference}/disposisi/",
        {"target": "case", "recipients": [bali["kabid"].pk], "deadline": "besok"},
    )
    assert response.status_code == 422
    assert Disposition.objects.count() == 0


def test_the_recipient_forwards_and_the_sender_withdraws_while_unread(client, bali, sop002):
    case = at_step_3(bali, sop002)
    (d,) = services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "Koordinasikan")
    signed_in(client, bali["kabid"])
    html = page(client.get(f"/kasus/{case.reference}/?teruskan={d.pk}"))
    assert f'<option value="parent:{d.pk}" selected>' in html
    response = client.post(
        f"/kasus/{case.reference}/disposisi/",
        {
            "target": f"parent:{d.pk}",
            "recipients": [bali["ketuatim"].pk],
            "instruction": "Tanggapan dan saran",
        },
    )
    assert response.status_code == 302
    d.refresh_from_db()
    child = Disposition.objects.get(parent=d)
    assert d.status == DispositionStatus.FORWARDED and child.recipient == bali["ketuatim"]
    html = page(client.get(f"/kasus/{case.reference}/"))
    assert f"/kasus/{case.reference}/disposisi/{child.pk}/tarik/" in html
    response = client.post(f"/kasus/{case.reference}/disposisi/{child.pk}/tarik/")
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.status == DispositionStatus.WITHDRAWN


def test_a_decision_step_shows_its_question_and_outcome_buttons(client, djki, sop004):
    case = services.open_case(
        djki["merek_staf"], sop004, "IPAS tidak bisa diakses", application=djki.applications["ipas"]
    )
    who = SOP_004_PEOPLE
    spec = sop004.spec
    while not spec.step(active(case).step_key).is_decision:
        case = work(djki[who[active(case).actor_key]], case)
    row = active(case)
    step = spec.step(row.step_key)
    assert step.decision is not None
    signed_in(client, djki[who[row.actor_key]])
    html = page(client.get(f"/kasus/{case.reference}/"))
    assert step.decision.question in html
    for outcome in step.decision.outcomes:
        assert f'name="outcome" value="{outcome.label}"' in html


# --- visibility and files ----------------------------------------------------------------------


def test_a_person_of_another_unit_gets_404_on_the_case_and_its_files(client, bali, sop002):
    case = work(bali["dinkes_staf"], opened(bali, sop002))
    photo = Attachment.objects.get(artifact_key="foto_masalah")
    signed_in(client, bali["bkd"])
    for url in (
        f"/kasus/{case.reference}/",
        f"/kasus/{case.reference}/berkas/{photo.pk}/",
        f"/kasus/{case.reference}/berkas/{photo.pk}/thumb",
        "/kasus/2026-999999/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/kasus/{case.reference}/komentar/",
        f"/kasus/{case.reference}/disposisi/",
        f"/kasus/{case.reference}/langkah/{active(case).pk}/selesaikan/",
    ):
        assert client.post(url, {"text": "x"}).status_code == 404, url
    assert case.reference not in page(client.get("/kasus/"))


def test_files_are_served_with_their_type_and_never_sniffed(client, bali, sop002):
    case = work(bali["dinkes_staf"], opened(bali, sop002))
    photo = Attachment.objects.get(artifact_key="foto_masalah")
    letter = Attachment.objects.get(artifact_key="dokumen_analisis")
    signed_in(client, bali["dinkes_staf"])
    response = client.get(f"/kasus/{case.reference}/berkas/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    response = client.get(f"/kasus/{case.reference}/berkas/{letter.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="dokumen_analisis.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    response = client.get(f"/kasus/{case.reference}/berkas/{photo.pk}/thumb")
    assert response["Content-Type"] == "image/jpeg"
    assert client.get(f"/kasus/{case.reference}/berkas/{letter.pk}/thumb").status_code == 404


def test_a_file_can_be_added_to_the_case(client, bali, sop002):
    case = opened(bali, sop002)
    signed_in(client, bali["dinkes_staf"])
    response = client.post(f"/kasus/{case.reference}/berkas/", {"file": png("tambahan.png")})
    assert response.status_code == 302
    a = Attachment.objects.get()
    assert (a.original_name, a.artifact_key) == ("tambahan.png", "")
    assert case.journal.filter(kind=JournalKind.FILE_ADDED).exists()


# --- comments and journal remarks --------------------------------------------------------------


def test_comments_and_staff_remarks_land_in_the_timeline(client, bali, sop002):
    case = at_step_3(bali, sop002)
    signed_in(client, bali["dinkes"])
    response = client.post(f"/kasus/{case.reference}/komentar/", {"text": "Mohon segera"})
    assert response.status_code == 302
    # The requester's head has not worked the case: remarks are for the staff.
    response = client.post(
        f"/kasus/{case.reference}/komentar/", {"text": "Catatan jurnal", "kind": "remark"}
    )
    assert response.status_code == 422
    assert "Catatan jurnal" in page(response)  # kept in the form
    client.force_login(bali["kadis"].user)
    html = page(client.get(f"/kasus/{case.reference}/"))
    assert 'name="kind" value="remark"' in html
    response = client.post(
        f"/kasus/{case.reference}/komentar/",
        {"text": "Server SIKESDA dicek pukul 09.00", "kind": "remark"},
    )
    assert response.status_code == 302
    kinds = list(case.journal.values_list("kind", flat=True))
    assert kinds.count(JournalKind.COMMENT) == 1 and kinds.count(JournalKind.REMARK) == 1
    timeline = section(page(client.get(f"/kasus/{case.reference}/")), "h-timeline")
    assert "Mohon segera" in timeline and "Server SIKESDA dicek pukul 09.00" in timeline
    assert "dr. Ketut Sudiarta" in timeline and "Gede Pramana" in timeline
    response = client.post(f"/kasus/{case.reference}/komentar/", {"text": "   "})
    assert response.status_code == 422


def test_the_case_page_lists_every_step_with_its_state(client, bali, sop002):
    case = at_step_3(bali, sop002)
    html = page(signed_in(client, bali["kadis"]).get(f"/kasus/{case.reference}/"))
    steps = section(html, "h-steps")
    assert steps.count("steps__item--done") == 2
    assert steps.count("steps__item--active") == 1
    assert steps.count("steps__item--waiting") == 8
    assert "Putu Eka Pratama" in steps  # who completed steps 1 and 2
    assert sop002.title in html and "Dinas Kesehatan Provinsi Bali" in html
    assert bali.applications["sikesda"].name in html


# --- reading the form --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field_type", "raw", "value"),
    [
        (FieldType.YES_NO, "yes", True),
        (FieldType.YES_NO, "no", False),
        (FieldType.NUMBER, "12", 12),
        (FieldType.NUMBER, "2,5", 2.5),
        (FieldType.NUMBER, "dua", "dua"),
        (FieldType.MONEY, "Rp 1.500.000", "1500000"),
        (FieldType.MONEY, "1.500.000,00", "1500000"),
        (FieldType.MONEY, "1.500.000,50", "1.500.000,50"),
        (FieldType.TEXT, "apa adanya", "apa adanya"),
    ],
)
def test_form_values_are_converted_for_the_engine(field_type, raw, value):
    assert stepform.convert(field_type, raw) == value
