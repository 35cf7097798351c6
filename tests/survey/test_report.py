"""The "Laporan Hasil Survei Kepuasan Masyarakat" (kind laporan_skm): its fields from a
survey's answers (a hand-computed example), the preview printed by WeasyPrint and read back
with pypdf (IKM exact and with 0,111, the grade, the weakest unsur, the sample warning), and
the official document drafted on SOP 001's step f.2 of a running case of the survey's
application — refused by field when there is none, to people who do not keep surveys, and as
not found to another agency."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from laksana.cases import services as case_services
from laksana.cases.artifacts import producer_of
from laksana.cases.models import Case, CaseStep, StepStatus
from laksana.catalog.models import Vendor
from laksana.demo.orgs import SOP_001, build_generic
from laksana.documents import plugin as documents_plugin
from laksana.documents import templating
from laksana.documents.models import Document
from laksana.errors import NotAllowed, ServiceError
from laksana.survey import report, report_plugin
from laksana.survey.elements import default_elements
from laksana.survey.models import Answer, Channel, ServiceKind, Survey, SurveyStatus

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)

# Four answers whose totals divide exactly: NRR 3.5, 3.25, 3, 4, 2.75, 3.75, 3.75, 1.5, 3
# (sum 28.5). IKM = 28.5 / 9 = 3.1666… (3,17), converted 79.1666… (79,17), grade B; with the
# weight 0,111: 28.5 × 0.111 = 3.1635 (3,16), × 25 = 79.0875 (79,09).
SCORES = (
    (4, 4, 3, 4, 3, 4, 4, 2, 3),
    (4, 3, 3, 4, 3, 4, 4, 2, 3),
    (3, 3, 3, 4, 3, 4, 4, 1, 3),
    (3, 3, 3, 4, 2, 3, 3, 1, 3),
)
PROFILES: tuple[dict[str, Any], ...] = (
    {"sex": "L", "age": 25, "education": "d4_s1", "occupation": "pns"},
    {"sex": "P", "age": 34, "education": "sma", "occupation": "swasta"},
    {"sex": "P", "age": 61, "education": "d4_s1", "occupation": "pns"},
    {},
)


@pytest.fixture
def suka(db: Any) -> Any:
    return build_generic()


def _survey(org: Any, *, population: int | None = 100, answers: bool = True) -> Survey:
    survey = Survey.objects.create(
        agency=org.agency,
        title="Survei Kepuasan SIANDUK 2026",
        service_kind=ServiceKind.APPLICATION,
        application=org.applications["antrean"],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        population=population,
        elements=default_elements(),
        status=SurveyStatus.OPEN,
        public_code=f"kode-{population}-{answers}",
        follow_up=[
            {
                "unsur": "pengaduan",
                "action": "Menyediakan kanal pengaduan daring",
                "due": "2027-03-31",
                "responsible": "Tim TI",
            }
        ],
        created_by=org["skm_ketua_ti"],
        created_at=NOW,
    )
    if answers:
        Answer.objects.bulk_create(
            Answer(
                survey=survey,
                submitted_on=dt.date(2026, 11, 2),
                channel=Channel.PUBLIC,
                **{f"u{i}": score for i, score in enumerate(scores, start=1)},
                **profile,
            )
            for scores, profile in zip(SCORES, PROFILES, strict=True)
        )
    return survey


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _at_f2(org: Any) -> tuple[Case, CaseStep]:
    """A running SOP 001 case of SIANDUK whose step f.2 (the satisfaction survey) is active.
    The earlier stages are not walked here (they need documents of their own): the active
    step is moved to f.2 directly."""
    version = org.versions[SOP_001]
    case = case_services.open_case(
        org["skm_dukcapil_staf"],
        version,
        "Operasional SIANDUK 2026",
        application=org.applications["antrean"],
        now=NOW,
    )
    CaseStep.objects.filter(case=case, status=StepStatus.ACTIVE).update(status=StepStatus.CANCELLED)
    row = CaseStep.objects.create(
        case=case, step_key="f2", actor_key="tim_ti", status=StepStatus.ACTIVE, activated_at=NOW
    )
    return case, row


# --- the fields -------------------------------------------------------------------------------


def test_the_fields_hold_the_exact_index_the_0111_figure_and_the_weakest(suka: Any) -> None:
    fields = report.document_fields(_survey(suka), now=NOW)
    assert fields["respondents"] == "4"
    assert (fields["ikm"], fields["converted"]) == ("3,17", "79,17")
    assert (fields["ikm_0111"], fields["converted_0111"]) == ("3,16", "79,09")
    assert (fields["grade"], fields["grade_label"]) == ("B", "Baik")
    assert [e["nrr"] for e in fields["elements"]] == [
        "3,500", "3,250", "3,000", "4,000", "2,750", "3,750", "3,750", "1,500", "3,000",
    ]  # fmt: skip
    assert fields["elements"][7] == {
        "code": "U8",
        "name": "Penanganan Pengaduan, Saran dan Masukan",
        "total": "6",
        "nrr": "1,500",
        "converted": "37,50",
        "grade": "D (Tidak Baik)",
    }
    # Lowest NRR first; the tie of U3 and U9 (3,000) goes to the earlier position.
    assert [w.split(":")[0] for w in fields["weakest"]] == [
        "U8 Penanganan Pengaduan, Saran dan Masukan",
        "U5 Produk Spesifikasi Jenis Pelayanan",
        "U3 Waktu Penyelesaian",
    ]
    assert fields["sample_below"] == "ya"
    assert "80" in fields["sample"] and "100" in fields["sample"]
    assert fields["follow_up"] == [
        {
            "unsur": "Penanganan Pengaduan, Saran dan Masukan",
            "action": "Menyediakan kanal pengaduan daring",
            "due": "2027-03-31",
            "responsible": "Tim TI",
        }
    ]
    sexes = {row["label"]: (row["count"], row["share"]) for row in fields["profile"][:3]}
    assert sexes == {
        "Laki-laki": ("1", "25,00%"),
        "Perempuan": ("2", "50,00%"),
        "Tidak menyebutkan": ("1", "25,00%"),
    }
    # Categories nobody is in are left out; the words are the questionnaire's.
    assert ("Pendidikan", "D4/S1", "2") in [
        (row["group"], row["label"], row["count"]) for row in fields["profile"]
    ]
    assert all(row["count"] != "0" for row in fields["profile"])
    assert fields["channels"] == "tautan publik/kode QR: 4"
    assert fields["chart_elements"].startswith("data:image/svg+xml;base64,")
    assert fields["chart_sex"].startswith("data:image/svg+xml;base64,")
    assert fields["service"] == "Sistem Antrean Daring Pelayanan Adminduk"
    assert fields["period"] == "1 Januari 2026 s.d. 31 Desember 2026"


def test_enough_respondents_and_an_unknown_population_are_said_as_such(suka: Any) -> None:
    enough = report.document_fields(_survey(suka, population=4), now=NOW)
    assert "sample_below" not in enough
    assert "mencapai" in enough["sample"]
    unknown = report.document_fields(_survey(suka, population=None), now=NOW)
    assert "sample_below" not in unknown
    assert "tidak tercatat" in unknown["sample"]


def test_a_survey_without_answers_has_fields_but_no_figures(suka: Any) -> None:
    fields = report.document_fields(_survey(suka, answers=False), now=NOW)
    assert fields["respondents"] == "0"
    assert "ikm" not in fields and "elements" not in fields and "weakest" not in fields


def test_the_shipped_template_passes_the_documents_check() -> None:
    assert templating.check(templating.shipped_source("laporan_skm"), "laporan_skm") == []


# --- the preview PDF --------------------------------------------------------------------------


def test_the_preview_pdf_holds_the_index_the_grade_the_weakest_and_the_warning(
    suka: Any,
) -> None:
    data = report.preview_pdf(_survey(suka), now=NOW)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert "LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT" in text
    assert "PRATINJAU" in text and "DRAF" in text
    assert "3,17" in text and "79,17" in text  # exact
    assert "3,16" in text and "79,09" in text  # weight 0,111
    assert "dibulatkan 0,111" in text
    assert "Mutu pelayanan: B" in text and "Baik" in text
    assert "U8 Penanganan Pengaduan, Saran dan Masukan: NRR 1,500" in text
    assert "U5 Produk Spesifikasi Jenis Pelayanan" in text
    assert "U3 Waktu Penyelesaian" in text
    assert "Perhatian:" in text and "di bawah sampel minimum" in text
    assert "Menyediakan kanal pengaduan daring" in text
    assert "Perempuan" in text and "Male" not in text
    assert "31 Maret 2027" in text


def test_the_preview_is_read_by_the_agency_and_not_found_elsewhere(
    suka: Any, bali: Any, client: Any
) -> None:
    survey = _survey(suka)
    url = reverse("survey:report_pdf", args=[survey.pk])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(suka["skm_dukcapil_staf"].user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(bali["kadis"].user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("survey:report_pdf", args=[10**9])).status_code == 404


# --- the official document --------------------------------------------------------------------


def test_the_report_is_drafted_on_the_active_survey_step_and_made_again(suka: Any) -> None:
    survey = _survey(suka)
    case, row = _at_f2(suka)
    maker = suka["skm_ti1"]
    doc = report_plugin.make_report(maker, survey.pk, now=NOW)
    assert (doc.kind, doc.case_id, doc.step_id, doc.artifact_key) == (
        "laporan_skm",
        case.pk,
        row.pk,
        "survei_kepuasan",
    )
    assert doc.source == f"survey:{survey.pk}"
    assert doc.fields["converted"] == "79,17"
    # One more answer: the draft is made again, not a second document.
    Answer.objects.create(
        survey=survey,
        submitted_on=dt.date(2026, 11, 3),
        channel=Channel.IMPORT,
        **{f"u{i}": 4 for i in range(1, 10)},
    )
    again = report_plugin.make_report(maker, survey.pk, now=NOW)
    assert again.pk == doc.pk
    assert again.fields["respondents"] == "5"
    assert Document.objects.filter(case=case, kind="laporan_skm").count() == 1
    # The step's page is told where the document stands.
    produced = producer_of("quality.satisfaction_survey")
    assert produced is report_plugin.survey_produced  # the survey module's, not the documents'
    spec = case.version.spec.artifact("survei_kepuasan")
    assert produced(case, row, spec).url == reverse("documents:detail", args=[doc.pk])


def test_the_step_tells_where_the_applications_survey_stands(suka: Any) -> None:
    survey = _survey(suka)
    case, row = _at_f2(suka)
    produced = report_plugin.survey_produced(
        case, row, case.version.spec.artifact("survei_kepuasan")
    )
    assert produced.value is None
    assert "4" in produced.status and "79.17" in produced.status
    assert produced.url == documents_plugin._url("survey:detail", args=[survey.pk])


def test_without_a_running_case_at_the_step_the_report_is_refused_by_field(suka: Any) -> None:
    survey = _survey(suka)
    with pytest.raises(ServiceError) as refused:
        report_plugin.make_report(suka["skm_ti1"], survey.pk, now=NOW)
    assert (refused.value.code, refused.value.field) == ("not_active", "survey")
    assert not Document.objects.filter(kind="laporan_skm").exists()


def test_a_survey_without_answers_or_of_no_application_is_refused(suka: Any) -> None:
    _at_f2(suka)
    empty = _survey(suka, answers=False)
    with pytest.raises(ServiceError) as refused:
        report_plugin.make_report(suka["skm_ti1"], empty.pk, now=NOW)
    assert (refused.value.code, refused.value.field) == ("no_answers", "survey")
    unit_survey = _survey(suka, population=7)
    Survey.objects.filter(pk=unit_survey.pk).update(
        service_kind=ServiceKind.UNIT_SERVICE,
        application=None,
        unit=suka.units["tim_ti"],
        service_name="Layanan helpdesk",
    )
    with pytest.raises(ServiceError) as refused:
        report_plugin.make_report(suka["skm_ti1"], unit_survey.pk, now=NOW)
    assert (refused.value.code, refused.value.field) == ("no_case", "survey")
    assert not Document.objects.filter(kind="laporan_skm").exists()


def test_only_keepers_make_it_and_another_agency_finds_nothing(suka: Any, bali: Any) -> None:
    survey = _survey(suka)
    _at_f2(suka)
    with pytest.raises(NotAllowed):
        report_plugin.make_report(suka["skm_dukcapil_staf"], survey.pk, now=NOW)
    with pytest.raises(ServiceError) as refused:
        report_plugin.make_report(bali["ketuatim"], survey.pk, now=NOW)
    assert refused.value.code == "not_found"
    with pytest.raises(ServiceError) as refused:
        report_plugin.make_report(suka["skm_ti1"], 10**9, now=NOW)
    assert refused.value.code == "not_found"
    assert not Document.objects.filter(kind="laporan_skm").exists()


def test_the_make_screen_drafts_it_and_opens_the_document(
    suka: Any, bali: Any, client: Any
) -> None:
    survey = _survey(suka)
    _at_f2(suka)
    url = reverse("survey:make_report", args=[survey.pk])
    client.force_login(bali["ketuatim"].user)
    assert client.post(url).status_code == 404
    assert not Document.objects.exists()
    client.force_login(suka["skm_ti1"].user)
    assert client.get(url).status_code == 405
    response = client.post(url)
    doc = Document.objects.get(kind="laporan_skm")
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[doc.pk])
    assert doc.created_at <= timezone.now()


def test_a_vendors_staff_neither_previews_nor_makes_it(suka: Any, client: Any) -> None:
    survey = _survey(suka)
    _at_f2(suka)
    staff = suka["skm_dev1"]
    staff.vendor = Vendor.objects.create(agency=suka.agency, name="PT Mitra Sukamaju")
    staff.save(update_fields=["vendor"])
    with pytest.raises(ServiceError) as refused:
        report_plugin.make_report(staff, survey.pk, now=NOW)
    assert refused.value.code == "not_found"
    client.force_login(staff.user)
    assert client.get(reverse("survey:report_pdf", args=[survey.pk])).status_code == 404
    assert client.post(reverse("survey:make_report", args=[survey.pk])).status_code == 404
    assert not Document.objects.filter(kind="laporan_skm").exists()
