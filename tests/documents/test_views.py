"""The document screens: the draft form and its preview, a document's page with the initial,
signature and return of the person whose turn it is, downloads, the case page's panel and the
step's link, my documents, and the settings. Attacks first: what must be refused, and that it
changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation

from laksana.cases.models import JournalEntry, StepStatus
from laksana.documents.models import (
    Document,
    DocumentStatus,
    Letterhead,
    NumberingPattern,
    Signatory,
    SignatoryStatus,
    TemplateVersion,
)
from laksana.engine.artifacts import example_value
from laksana.org import roles
from laksana.org.models import RoleKind
from tests.cases.helpers import pdf

from .drafts import DISCUSSION, case_at_discussion, circulate, draft, signatories, step


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(bali, sop002):
    return case_at_discussion(bali, sop002)


def client_of(person: Any) -> Client:
    c = Client()
    c.cookies["django_language"] = "en"
    c.force_login(person.user)
    return c


def new_url(case: Any) -> str:
    return (
        reverse("documents:new")
        + f"?case={case.reference}&step={step(case).pk}&artifact=ba_diskusi"
    )


def draft_post(case: Any, bali: Any, **extra: str) -> dict[str, str]:
    """The draft form as a person fills it in (fields, one participant, the signatories)."""
    data = {
        "case": case.reference,
        "step": str(step(case).pk),
        "artifact": "ba_diskusi",
        "art-doc-place": DISCUSSION["place"],
        "art-doc-topic": DISCUSSION["topic"],
        "art-doc-agreements": DISCUSSION["agreements"],
        "art-doc-participants-0-name": "I Made Suardana",
        "art-doc-participants-0-position": "Ketua Tim AI",
        "date": "2026-12-07",
    }
    for i, s in enumerate(signatories(bali)):
        data[f"sig-{i}-person"] = str(s["person"])
        data[f"sig-{i}-role"] = s["role"]
        data[f"sig-{i}-order"] = str(s["order"])
        data[f"sig-{i}-label"] = s["label"]
    data.update(extra)
    return data


def other_inputs(case: Any, but: str) -> dict[str, Any]:
    """The step form's inputs of the active step's other artifacts, filled as a person would
    (files uploaded, form fields with example values)."""
    spec = case.version.spec
    st = spec.step(step(case).step_key)
    out: dict[str, Any] = {}
    for key in [*st.requires, *st.produces]:
        art = spec.artifact(key)
        if key == but or key in case.state["artifacts"]:
            continue
        if art.type == "form":
            for field_id, value in example_value(art).items():
                out[f"art-{key}-{field_id}"] = str(value)
        else:
            out[f"art-{key}"] = pdf(f"{key}.pdf")
    return out


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- attacks --------------------------------------------------------------------------------


def test_it_answers_404_to_a_person_who_may_not_see_the_case(bali, djki, case):
    doc = draft(bali, case)
    outsider = client_of(djki["direktur"])
    assert outsider.get(new_url(case)).status_code == 404
    assert outsider.get(reverse("documents:detail", args=[doc.pk])).status_code == 404
    assert outsider.get(reverse("documents:docx", args=[doc.pk])).status_code == 404
    response = outsider.post(reverse("documents:sign", args=[doc.pk]))
    assert response.status_code == 404
    response = outsider.post(new_url(case), draft_post(case, bali))
    assert response.status_code == 404
    assert Document.objects.count() == 1


def test_a_case_reference_with_a_nul_or_too_long_names_no_case(bali, case):
    """PostgreSQL refuses to compare text holding NUL: the draft form and its preview answer
    404 for such a reference (as for any case that does not exist), never a server error."""
    person = client_of(bali["ketuatim"])
    for reference in ("a\x00b", case.reference + "\x00", "x" * 41):
        assert person.get(reverse("documents:new"), {"case": reference}).status_code == 404
        response = person.post(reverse("documents:new"), {"case": reference})
        assert response.status_code == 404
    assert Document.objects.count() == 0


def test_a_missing_required_field_is_named_and_nothing_is_made(bali, case):
    response = client_of(bali["ketuatim"]).post(
        new_url(case), draft_post(case, bali, **{"art-doc-topic": ""})
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "Pokok bahasan" in text and "required" in text
    # What was entered is kept.
    assert DISCUSSION["place"] in text
    assert not Document.objects.exists()


def test_a_bad_date_and_a_bad_signatory_row_are_named(bali, case):
    response = client_of(bali["ketuatim"]).post(
        new_url(case),
        draft_post(case, bali, date="7 Desember", **{"sig-0-order": "nol"}),
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "YYYY-MM-DD" in text
    assert "Row 1: the order is a number from 1 to 99." in text
    assert not Document.objects.exists()


def test_a_signatory_of_another_agency_is_refused_on_the_form(bali, djki, case):
    response = client_of(bali["ketuatim"]).post(
        new_url(case), draft_post(case, bali, **{"sig-0-person": str(djki["direktur"].pk)})
    )
    assert response.status_code == 422
    assert "no person" in response.content.decode()
    assert not Document.objects.exists()


def test_signing_out_of_turn_says_who_must_act_first_and_changes_nothing(bali, case):
    doc = circulate(bali, case)
    journal = JournalEntry.objects.count()
    response = client_of(bali["kadis"]).post(
        reverse("documents:sign", args=[doc.pk]), {"seen_sha256": doc.pdf_sha256}
    )
    assert response.status_code == 302
    (message,) = messages_of(response)
    assert "It is not your turn yet" in message and bali["ketuatim"].name in message
    assert not Signatory.objects.filter(document=doc, status=SignatoryStatus.DONE).exists()
    assert JournalEntry.objects.count() == journal
    # The page shows whom the document waits for, and no signing button to the Kepala Dinas.
    page = client_of(bali["kadis"]).get(reverse("documents:detail", args=[doc.pk]))
    text = page.content.decode()
    assert "Waiting for" in text and bali["ketuatim"].name in text
    assert reverse("documents:sign", args=[doc.pk]) not in text


def test_acting_on_a_pdf_other_than_the_one_shown_is_refused(bali, case):
    doc = circulate(bali, case)
    response = client_of(bali["ketuatim"]).post(
        reverse("documents:initial", args=[doc.pk]), {"seen_sha256": "0" * 64}
    )
    (message,) = messages_of(response)
    assert "changed since you looked at it" in message
    assert not Signatory.objects.filter(document=doc, status=SignatoryStatus.DONE).exists()


def test_only_the_author_sees_change_and_submit(bali, case):
    doc = draft(bali, case)
    other = client_of(bali["kabid"]).get(reverse("documents:detail", args=[doc.pk]))
    assert reverse("documents:submit", args=[doc.pk]) not in other.content.decode()
    response = client_of(bali["kabid"]).post(reverse("documents:submit", args=[doc.pk]))
    (message,) = messages_of(response)
    assert "Only the author" in message
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DRAFT


def test_a_return_needs_a_note(bali, case):
    doc = circulate(bali, case)
    response = client_of(bali["ketuatim"]).post(
        reverse("documents:refuse", args=[doc.pk]), {"note": "  "}
    )
    assert response.status_code == 422
    assert "Say why you refuse" in response.content.decode()
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.CIRCULATING


def test_the_settings_are_refused_to_people_who_do_not_administer(bali):
    c = client_of(bali["kadis"])
    for url in (
        reverse("documents:settings"),
        reverse("documents:template", args=["bast"]),
        reverse("documents:numbering", args=["bast"]),
        reverse("documents:letterhead"),
    ):
        assert c.get(url).status_code == 403, url
    assert (
        c.post(reverse("documents:numbering", args=["bast"]), {"pattern": "{seq}"}).status_code
        == 403
    )
    assert not NumberingPattern.objects.exists()


def test_a_template_with_an_unknown_variable_is_listed_by_line_and_not_saved(bali):
    admin = bali["kadis"]
    roles.grant(admin, RoleKind.AGENCY_ADMIN)
    source = "<p>{{ dokumen.nomor }}</p>\n<p>{{ dokumen.tidak_ada }}</p>\n"
    response = client_of(admin).post(
        reverse("documents:template", args=["bast"]), {"source": source, "note": "uji"}
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "line 2" in text and "tidak_ada" in text
    assert not TemplateVersion.objects.filter(agency=admin.agency).exists()


def test_an_administrator_saves_a_template_version_and_a_numbering_pattern(bali):
    admin = bali["kadis"]
    roles.grant(admin, RoleKind.PROCEDURE_ADMIN)
    c = client_of(admin)
    page = c.get(reverse("documents:template", args=["bast"]))
    assert page.status_code == 200
    source = page.context["form"].initial["source"]
    response = c.post(
        reverse("documents:template", args=["bast"]), {"source": source, "note": "kop baru"}
    )
    assert response.status_code == 302
    saved = TemplateVersion.objects.get(agency=admin.agency, kind="bast")
    assert saved.number == 1 and saved.note == "kop baru"

    bad = c.post(reverse("documents:numbering", args=["bast"]), {"pattern": "BAST/{tahun}"})
    assert bad.status_code == 422
    assert not NumberingPattern.objects.exists()
    good = c.post(
        reverse("documents:numbering", args=["bast"]),
        {"pattern": "{seq:03d}/BAST/{unit_code}/{year}"},
    )
    assert good.status_code == 302
    assert NumberingPattern.objects.get(agency=admin.agency, kind="bast").pattern.startswith(
        "{seq:03d}"
    )
    overview = c.get(reverse("documents:settings"))
    assert "007/BAST/" in overview.content.decode()


def test_a_logo_that_is_not_an_image_is_refused(bali):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = bali["kadis"]
    roles.grant(admin, RoleKind.AGENCY_ADMIN)
    response = client_of(admin).post(
        reverse("documents:letterhead"),
        {
            "agency_name": "Dinas Komunikasi",
            "logo": SimpleUploadedFile("logo.png", b"not an image", content_type="image/png"),
        },
    )
    assert response.status_code == 422
    assert not Letterhead.objects.exists()


def test_another_agencys_unit_letterhead_is_not_found(bali, djki):
    admin = bali["kadis"]
    roles.grant(admin, RoleKind.AGENCY_ADMIN)
    unit = djki["direktur"].unit
    response = client_of(admin).get(reverse("documents:unit_letterhead", args=[unit.pk]))
    assert response.status_code == 404


# --- the screens ----------------------------------------------------------------------------


def test_the_step_page_links_to_the_draft_form(bali, case):
    page = client_of(bali["ketuatim"]).get(reverse("cases:detail", args=[case.reference]))
    text = page.content.decode()
    assert "Make the document" in text
    assert new_url(case).replace("&", "&amp;") in text


def test_the_draft_form_shows_the_kinds_fields_and_the_default_signatories(bali, case):
    page = client_of(bali["ketuatim"]).get(new_url(case))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pokok bahasan" in text and "Peserta" in text
    rows = page.context["form"].signatories
    assert any(r.person for r in rows), "the procedure's signers are filled in"


def test_the_preview_renders_the_form_and_keeps_nothing(bali, case):
    journal = JournalEntry.objects.count()
    response = client_of(bali["ketuatim"]).post(
        reverse("documents:preview"), draft_post(case, bali)
    )
    assert response.status_code == 200
    assert DISCUSSION["topic"] in response.content.decode()
    assert "sandbox" in response["Content-Security-Policy"]
    assert not Document.objects.exists()
    assert JournalEntry.objects.count() == journal


def test_the_preview_of_refused_input_says_why(bali, case):
    response = client_of(bali["ketuatim"]).post(
        reverse("documents:preview"), draft_post(case, bali, **{"art-doc-topic": ""})
    )
    assert response.status_code == 200
    assert "Pokok bahasan" in response.content.decode()
    assert not Document.objects.exists()


def test_a_draft_is_made_changed_and_sent_from_its_pages(bali, case):
    c = client_of(bali["ketuatim"])
    response = c.post(new_url(case), draft_post(case, bali))
    assert response.status_code == 302
    doc = Document.objects.get()
    assert response["Location"] == reverse("documents:detail", args=[doc.pk])
    assert doc.fields["topic"] == DISCUSSION["topic"]
    assert [s.person_id for s in doc.signatories.order_by("order", "pk")][:2] == [
        bali["ketuatim"].pk,
        bali["kabid"].pk,
    ]
    # Asked again, the form opens the draft instead of making a second one.
    again = c.get(new_url(case))
    assert again.status_code == 302 and again["Location"].endswith(f"/{doc.pk}/")

    edit = c.get(reverse("documents:edit", args=[doc.pk]))
    assert DISCUSSION["place"] in edit.content.decode()
    changed = c.post(
        reverse("documents:edit", args=[doc.pk]),
        draft_post(case, bali, **{"art-doc-topic": "Topik yang diubah"}),
    )
    assert changed.status_code == 302
    doc.refresh_from_db()
    assert doc.fields["topic"] == "Topik yang diubah"

    html = c.get(reverse("documents:html", args=[doc.pk]))
    assert "Topik yang diubah" in html.content.decode()
    docx = c.get(reverse("documents:docx", args=[doc.pk]))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")

    c.post(reverse("documents:submit", args=[doc.pk]))
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.CIRCULATING and doc.pdf_sha256
    pdf = c.get(reverse("documents:pdf", args=[doc.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_initials_and_the_joint_signature_in_the_browser_make_it_final(bali, case):
    doc = circulate(bali, case)
    for who, action in (
        ("ketuatim", "initial"),
        ("kabid", "initial"),
        ("dinkes", "sign"),
        ("kadis", "sign"),
    ):
        c = client_of(bali[who])
        mine = c.get(reverse("documents:mine"))
        assert doc.draft_number in mine.content.decode(), f"{who} sees it waiting"
        page = c.get(reverse("documents:detail", args=[doc.pk]))
        assert page.context["mine"] is not None, f"{who}'s turn"
        seen = page.context["document"].pdf_sha256
        response = c.post(reverse(f"documents:{action}", args=[doc.pk]), {"seen_sha256": seen})
        assert response.status_code == 302
        assert not any("not" in m for m in messages_of(response)), messages_of(response)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.FINAL and doc.number

    # The step's page now completes the step with the final document.
    kc = client_of(bali["ketuatim"])
    page = kc.get(reverse("cases:detail", args=[case.reference]))
    text = page.content.decode()
    assert doc.number in text
    assert f'value="document:{doc.pk}"' in text
    row = step(case)
    response = kc.post(
        reverse("cases:complete", args=[case.reference, row.pk]),
        {"art-ba_diskusi-ref": f"document:{doc.pk}", **other_inputs(case, "ba_diskusi")},
    )
    assert response.status_code == 302, [
        response.content.decode().split('step-5-errors" role="alert">')[1][:1500]
    ]
    row.refresh_from_db()
    assert row.status == StepStatus.COMPLETED
    case.refresh_from_db()
    assert case.state["artifacts"]["ba_diskusi"]["ref"] == f"document:{doc.pk}"


def test_the_case_page_lists_the_documents_and_the_dossier(bali, case):
    doc = draft(bali, case)
    page = client_of(bali["dinkes_staf"]).get(reverse("cases:detail", args=[case.reference]))
    text = page.content.decode()
    assert reverse("documents:detail", args=[doc.pk]) in text
    assert reverse("documents:dossier", args=[case.reference]) in text
    assert "Print the disposition sheet" in text


def test_the_disposition_sheet_is_made_from_the_case_page(bali, case):
    disposition = case.dispositions.order_by("pk").first()
    assert disposition is not None
    c = client_of(bali["kadis"])
    response = c.post(reverse("documents:disposition_sheet", args=[case.reference, disposition.pk]))
    assert response.status_code == 302
    sheet = Document.objects.get(kind="lembar_disposisi")
    assert response["Location"] == reverse("documents:detail", args=[sheet.pk])
    assert sheet.status == DocumentStatus.FINAL


def test_my_documents_and_the_menu_badge(bali, case):
    circulate(bali, case)
    page = client_of(bali["ketuatim"]).get(reverse("documents:mine"))
    assert page.status_code == 200
    assert page.context["waiting"] and page.context["drafts"]
    text = page.content.decode()
    assert 'id="documents-badge"' in text
    badge = text.split('id="documents-badge"', 1)[1].split("</span></span>", 1)[0]
    assert "1" in badge


def test_an_administrator_saves_the_agencys_and_a_units_letterhead_with_a_logo(bali):
    from tests.cases.helpers import png

    admin = bali["kadis"]
    roles.grant(admin, RoleKind.AGENCY_ADMIN)
    c = client_of(admin)
    response = c.post(
        reverse("documents:letterhead"),
        {
            "government": "Pemerintah Provinsi Bali",
            "agency_name": "Dinas Komunikasi, Informatika dan Statistik",
            "address": "Jl. D.I. Panjaitan No. 7, Denpasar",
            "email": "diskominfos@baliprov.go.id",
            "logo": png("logo.png"),
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    saved = Letterhead.objects.get(agency=admin.agency, unit=None)
    assert saved.government == "Pemerintah Provinsi Bali" and saved.logo
    unit = bali["dinkes"].unit
    response = c.post(
        reverse("documents:unit_letterhead", args=[unit.pk]),
        {"agency_name": "Pemerintah Provinsi Bali", "unit_name": unit.name},
    )
    assert response.status_code == 302
    assert Letterhead.objects.get(agency=admin.agency, unit=unit).unit_name == unit.name
    assert c.get(reverse("documents:letterhead")).context["form"].initial["email"] == (
        "diskominfos@baliprov.go.id"
    )


def test_the_form_of_a_steps_document_is_refused_to_who_may_not_work_the_step(bali, case):
    response = client_of(bali["dinkes_staf"]).get(new_url(case))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.reference])
    assert messages_of(response)
    assert not Document.objects.exists()
