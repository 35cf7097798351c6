"""The template variables of a document, from the records: the letterhead of the nearest
unit, the people as printed, the contract current on the document's date, the disposition
chain of the document's own case only, all in a bounded number of queries, and nothing a
template is not told about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from laksana.cases import services as case_services
from laksana.cases.models import Disposition, Urgency
from laksana.catalog.models import Contract
from laksana.documents import context
from laksana.documents.models import Letterhead
from tests.documents.test_render import _document, made  # noqa: F401 (the fixture)


def _shape_agrees(value: Any, schema: Any, path: str) -> None:
    """Every key the build gives is one the list of variables documents."""
    if value is None or schema is None or schema == "any":
        return
    if isinstance(schema, list):
        assert isinstance(value, list), path
        for item in value:
            _shape_agrees(item, schema[0], path + "[]")
        return
    if isinstance(schema, dict):
        assert isinstance(value, dict), path
        for key, item in value.items():
            assert key in schema, f"{path}.{key} is not in the documented variables"
            _shape_agrees(item, schema[key], f"{path}.{key}")


def test_every_variable_given_is_documented(made: dict[str, Any]) -> None:  # noqa: F811
    for kind in ("bast", "ba_uat", "lembar_disposisi", "surat_permohonan"):
        doc = _document(made, kind)
        data = context.build(doc, final=True, verify_url="https://l.test/v/x")
        schema = context.variables(kind)
        _shape_agrees(data, schema, "")
        # ... and every documented top-level variable is given (blok by render_html).
        assert set(schema) - set(data) == {"blok"}
        for name in context.VARIABLES:
            assert f"``{name}``" in context.__doc__


def test_people_parties_and_the_requesting_unit(made: dict[str, Any]) -> None:  # noqa: F811
    data = context.build(_document(made, "bast"))
    first, second = data["pihak_pertama"], data["pihak_kedua"]
    assert first["nama"] == "Gede Pramana"
    assert first["nip"] == "19680531 199703 1 002"
    assert first["jabatan"] == "Kepala Dinas"
    assert first["instansi"] == "Dinas Komunikasi, Informatika dan Statistik Provinsi Bali"
    assert first["selesai"] and first["waktu"] == "7 Desember 2026 10.15 WITA"
    assert second["nama"] == "dr. Ketut Sudiarta"
    assert second["instansi"] == "Dinas Kesehatan Provinsi Bali"  # the OPD, not the agency
    assert not second["selesai"] and second["waktu"] == ""
    assert [p["nama"] for p in data["paraf"]] == ["Ni Luh Putu Ariani"]
    assert data["unit_pemohon"]["kepala"]["nama"] == "dr. Ketut Sudiarta"
    assert data["penulis"] == {
        "nama": "I Made Suardana",
        "jabatan": "Ketua Tim Aplikasi Informatika",
    }
    assert data["dokumen"]["kalimat_tanggal"] == (
        "Pada hari ini Senin tanggal tujuh bulan Desember tahun dua ribu dua puluh enam"
    )
    assert data["dokumen"]["nomor"] == "DRAF-bast-1" and data["verifikasi"] is None
    assert data["kasus"]["prosedur"]


def test_the_contract_current_on_the_document_date(made: dict[str, Any]) -> None:  # noqa: F811
    doc = _document(made, "bast")
    kontrak = context.build(doc)["kontrak"]
    assert kontrak == {
        "nomor": "027/SPK/DISKOMINFOS/2026",
        "tanggal_teks": "2 Maret 2026",
        "nilai_rupiah": "Rp150.000.000,00",
        "nilai_terbilang": "seratus lima puluh juta rupiah",
        "vendor": "PT Sukses Makmur",
        "garansi_sampai": "28 Februari 2027",
    }
    doc.date = dt.date(2027, 6, 1)  # after the warranty: no contract covers it
    assert context.build(doc)["kontrak"] is None
    Contract.objects.update(value=None)
    doc.date = dt.date(2026, 12, 7)
    assert context.build(doc)["kontrak"]["nilai_rupiah"] == ""


def test_the_letterhead_of_the_nearest_unit(made: dict[str, Any]) -> None:  # noqa: F811
    bali = made["bali"]
    doc = _document(made, "bast")  # by the Ketua Tim, of Tim AI under Bidang IAI
    assert context.build(doc)["kop"]["instansi"] == "Dinas Komunikasi, Informatika dan Statistik"
    Letterhead.objects.create(
        agency=bali.agency, unit=bali.units["iai"], agency_name="Diskominfos", unit_name="IAI"
    )
    kop = context.build(doc)["kop"]
    assert (kop["instansi"], kop["unit"]) == ("Diskominfos", "IAI")
    assert kop["logo"] == ""  # the unit's letterhead has none
    Letterhead.objects.all().delete()
    kop = context.build(doc)["kop"]
    assert kop["instansi"] == bali.agency.name and kop["alamat"] == ""


def test_logo_is_a_data_uri(made: dict[str, Any]) -> None:  # noqa: F811
    kop = context.build(_document(made, "bast"))["kop"]
    assert kop["logo"].startswith("data:image/png;base64,")


def test_the_disposition_chain_of_the_document_case_only(made: dict[str, Any]) -> None:  # noqa: F811
    bali, case = made["bali"], made["case"]
    doc = _document(made, "lembar_disposisi")  # the Kadis disposed to the Kabid
    first = Disposition.objects.get(case=case, sender=bali["kadis"])
    case_services.dispose(
        bali["kabid"],
        case.pk,
        [bali["ketuatim"]],
        "Koordinasikan",
        parent_id=first.pk,
        urgency=Urgency.SEGERA,
        note="Segera ditangani",
    )
    second = Disposition.objects.get(case=case, sender=bali["kabid"])
    doc.fields = {"disposition": second.pk}
    sheet = context.build(doc)["disposisi"]
    assert sheet["instruksi"] == "Koordinasikan" and sheet["sifat"] == "Segera"
    assert sheet["catatan"] == "Segera ditangani"
    assert sheet["kepada"]["nama"] == "I Made Suardana"
    assert [d["dari"]["nama"] for d in sheet["rantai"]] == ["Gede Pramana", "Ni Luh Putu Ariani"]
    assert sheet["surat_dari"] == "Dinas Kesehatan Provinsi Bali"
    # A disposition of another case is never shown.
    other = case_services.open_case(bali["dinkes_staf"], case.version, "Kasus lain")
    case_services.dispose(bali["kadis"], other.pk, [bali["kabid"]], "Untuk diketahui")
    foreign = Disposition.objects.get(case=other)
    doc.fields = {"disposition": foreign.pk}
    assert context.build(doc)["disposisi"] is None
    for junk in ("x", None, [1], 10**9):
        doc.fields = {"disposition": junk}
        assert context.build(doc)["disposisi"] is None


def test_one_cheap_set_of_queries(made: dict[str, Any], django_assert_max_num_queries) -> None:  # noqa: F811
    doc = _document(made, "bast")
    with django_assert_max_num_queries(14):
        context.build(doc, final=True, verify_url="https://l.test/v/x")


def test_final_carries_the_qr_code(made: dict[str, Any]) -> None:  # noqa: F811
    doc = _document(made, "bast")
    data = context.build(doc, number="007/BAST/2026", final=True, verify_url="https://l.test/v/K")
    assert data["dokumen"] == {**data["dokumen"], "nomor": "007/BAST/2026", "final": True}
    assert data["verifikasi"]["kode"] == doc.code
    assert data["verifikasi"]["url"] == "https://l.test/v/K"
    assert data["verifikasi"]["qr"].startswith("data:image/svg+xml")
