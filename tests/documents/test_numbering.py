"""Numbers as offices number: patterns checked, the final number taken gap-free when the last
signer signs, and never twice under contention (real threads and transactions, on SQLite and
on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import translation

from laksana.cases import services as case_services
from laksana.cases.servicebase import ServiceError
from laksana.documents import numbering, pdfstore, services
from laksana.documents.kinds import KINDS
from laksana.documents.models import Document, DocumentStatus, NumberCounter

MEMO = {"to": "Kepala Dinas", "subject": "Laporan", "body": "Isi nota dinas."}


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("{nomor}/BAST/{year}", "Unknown placeholder {nomor}"),
        ("BAST/{year}", "must hold the sequence number {seq}"),
        ("{seq:q}/BAST", "the format q does not fit"),
        ("{seq!r}/BAST", "takes no conversion"),
        ("{seq/BAST", "cannot be read"),
        ("{seq.real}/BAST", "Unknown placeholder {seq.real}"),
        ("", "Write a numbering pattern"),
        ("{seq}" + "x" * 120, "at most 120 characters"),
    ],
)
def test_a_bad_pattern_is_refused_saying_why(pattern, problem):
    with translation.override("en"):
        problems = numbering.check_pattern(pattern)
    assert any(problem in p for p in problems), problems


def test_a_good_pattern_has_no_problem():
    assert numbering.check_pattern("{seq:03d}/BAST/{unit_code}/{month_roman}/{year}") == []
    assert numbering.check_pattern(KINDS["bast"].default_pattern) == []


def test_the_number_reads_as_the_pattern_says(bali):
    text = numbering.format_number(
        "{seq:03d}/{code}/{agency_code}/{unit_code}/{month}/{month_roman}/{year}",
        seq=7,
        kind=KINDS["bast"],
        agency=bali.agency,
        unit=bali.units["iai"],
        on=dt.date(2026, 12, 7),
    )
    assert text == "007/BAST/Diskominfos Bali/Bidang IAI/12/XII/2026"


def test_sequences_are_per_agency_kind_and_year(bali, djki):
    assert numbering.next_number(bali.agency, "bast", 2026)[0] == 1
    assert numbering.next_number(bali.agency, "bast", 2026)[0] == 2
    assert numbering.next_number(bali.agency, "ba_uat", 2026)[0] == 1
    assert numbering.next_number(bali.agency, "bast", 2027)[0] == 1
    assert numbering.next_number(djki.agency, "bast", 2026) == (1, "001/BAST/DJKI/2026")


def _memo(bali, title: str) -> Document:
    case = case_services.open_case(bali["dinkes_staf"], bali.versions[SOP_002], title)
    doc = services.make_draft(
        bali["dinkes_staf"],
        case,
        kind="nota_dinas",
        fields=MEMO,
        signatories=[{"person": bali["dinkes"].pk, "role": "sign", "order": 1}],
    )
    return services.submit(bali["dinkes_staf"], doc)


SOP_002 = "sop-002-penanganan-masalah-aplikasi"


def test_a_failed_finalisation_gives_its_number_back(bali, monkeypatch):
    first, second = _memo(bali, "Satu"), _memo(bali, "Dua")
    real = pdfstore.render

    def broken(document, *, final=False, number=None):
        if final:
            raise RuntimeError("printer on fire")
        return real(document, final=final, number=number)

    monkeypatch.setattr(pdfstore, "render", broken)
    with pytest.raises(RuntimeError):
        services.sign(bali["dinkes"], first)
    first.refresh_from_db()
    assert first.status == DocumentStatus.CIRCULATING and not first.number
    assert not NumberCounter.objects.filter(last__gt=0).exists()
    monkeypatch.setattr(pdfstore, "render", real)
    assert services.sign(bali["dinkes"], second).seq == 1
    assert services.sign(bali["dinkes"], first).seq == 2


ROUNDS = 6


def _sign(person, pk, results, barrier):
    try:
        translation.activate("en")
        barrier.wait(timeout=30)
        doc = services.sign(person, pk)
        results.append(("ok", doc.seq, doc.number))
    except ServiceError as exc:
        results.append((exc.code, None, exc.message))
    except Exception as exc:  # recorded, so the test fails naming it
        results.append(("error", None, repr(exc)))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_documents_finalised_at_the_same_moment_never_share_a_number(bali):
    docs = [_memo(bali, f"Bersamaan {i}") for i in range(ROUNDS)]
    results: list[tuple[str, int | None, str]] = []
    barrier = threading.Barrier(ROUNDS)
    threads = [
        threading.Thread(target=_sign, args=(bali["dinkes"], d.pk, results, barrier)) for d in docs
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [r[0] for r in results] == ["ok"] * ROUNDS, results
    assert sorted(r[1] for r in results) == list(range(1, ROUNDS + 1))
    assert len({r[2] for r in results}) == ROUNDS
    final = Document.objects.filter(status=DocumentStatus.FINAL)
    assert sorted(final.values_list("seq", flat=True)) == list(range(1, ROUNDS + 1))
    assert NumberCounter.objects.get(agency=bali.agency, kind="nota_dinas").last == ROUNDS
