"""Making a BAST PDF, beside a bare WeasyPrint rendering of the same HTML in the same run.

Laksana's path is what a signature costs in documents: the template variables from the
records (:func:`laksana.documents.context.build`), the template rendered in its frame
(:func:`laksana.documents.templating.render_html`) and the PDF/A-3b with the data embedded
(:func:`laksana.documents.render.pdf`). The bare path is ``HTML(string=html).write_pdf()`` of
the very HTML Laksana made. The two run in turns, so both see the same machine; the figure
is the median of the rounds' ratios (target: at most 1.3). The rows it makes (the Bali demo
agency, a SOP 002 case with a contract, a BAST with its signatories) are rolled back.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from laksana.benchmarks.common import Figure

Log = Callable[[str], None]


class _Rollback(Exception):
    pass


def _bast() -> Any:
    from django.utils import timezone

    from laksana.cases import services as case_services
    from laksana.catalog.models import Contract, Vendor
    from laksana.demo.orgs import SOP_002, build_bali
    from laksana.documents import templating
    from laksana.documents.models import (
        Document,
        Letterhead,
        Signatory,
        SignatoryRole,
        TemplateVersion,
    )

    bali = build_bali()
    application = bali.applications["sikesda"]
    vendor = Vendor.objects.create(agency=bali.agency, name="PT Bench Makmur")
    Contract.objects.create(
        application=application,
        vendor=vendor,
        number="027/SPK/DISKOMINFOS/2026",
        signed_on=dt.date(2026, 3, 2),
        value=Decimal("150000000"),
        starts_on=dt.date(2026, 3, 2),
        support_ends_on=dt.date(2027, 12, 31),
    )
    Letterhead.objects.create(
        agency=bali.agency,
        government="Pemerintah Provinsi Bali",
        agency_name=bali.agency.name,
        address="Jl. D.I. Panjaitan No. 7, Denpasar",
        phone="(0361) 229000",
    )
    case = case_services.open_case(
        bali["dinkes_staf"], bali.versions[SOP_002], "Gangguan SIKESDA", application=application
    )
    template = TemplateVersion.objects.create(
        kind="bast",
        number=1,
        source=templating.shipped_source("bast"),
        sha256="0" * 64,
        created_at=timezone.now(),
    )
    doc = Document.objects.create(
        agency=bali.agency,
        case=case,
        kind="bast",
        title="Berita Acara Serah Terima Aplikasi",
        template=template,
        author=bali["ketuatim"],
        fields={
            "place": "Denpasar",
            "warranty": "3 (tiga) bulan",
            "items": [
                {"item": f"Butir serah terima {i}", "quantity": "1", "condition": "Baik"}
                for i in range(1, 7)
            ],
        },
        date=dt.date(2026, 12, 7),
        draft_number="DRAF-1",
        code="BENCH0001",
        created_at=timezone.now(),
    )
    for order, (login, role, label) in enumerate(
        (
            ("kabid", SignatoryRole.INITIAL, ""),
            ("kadis", SignatoryRole.SIGN, "PIHAK PERTAMA"),
            ("dinkes", SignatoryRole.SIGN, "PIHAK KEDUA"),
        ),
        start=1,
    ):
        Signatory.objects.create(
            document=doc, order=order, role=role, person=bali[login], label=label
        )
    return doc


def measure(quick: bool, log: Log) -> list[Figure]:
    """The ratio of making a BAST PDF to a bare WeasyPrint rendering of its HTML."""
    from django.db import connection, transaction
    from weasyprint import HTML

    from laksana.documents import context, render, templating

    rounds = 5 if quick else 25
    ours: list[float] = []
    bare: list[float] = []
    try:
        with transaction.atomic():
            doc = _bast()
            source = templating.shipped_source("bast")

            def laksana() -> str:
                data = context.build(
                    doc, number="001/BAST/DISKOMINFOS/2026", final=True, verify_url="https://x/v"
                )
                html = templating.render_html(source, data)
                render.pdf(html, data)
                return html

            html = laksana()  # warm: fonts, templates, the first queries
            HTML(string=html).write_pdf()
            for _ in range(rounds):
                t0 = time.perf_counter()
                laksana()
                t1 = time.perf_counter()
                HTML(string=html).write_pdf()
                t2 = time.perf_counter()
                ours.append(t1 - t0)
                bare.append(t2 - t1)
            raise _Rollback
    except _Rollback:
        pass
    ours_ms = statistics.median(ours) * 1000
    bare_ms = statistics.median(bare) * 1000
    # The median of the rounds' own ratios: each round's two renderings ran back to back, so
    # a busy moment of the machine weighs on both sides of its ratio.
    ratio = statistics.median(o / b for o, b in zip(ours, bare, strict=True))
    log(f"documents: BAST PDF {ours_ms:.0f} ms, bare WeasyPrint {bare_ms:.0f} ms: {ratio:.2f}x")
    return [
        Figure(
            "documents",
            "ratio: BAST PDF (context, template, PDF/A-3b) / bare WeasyPrint of the same HTML",
            ratio,
            "x",
            backend=connection.vendor,
            target=1.3,
            higher_is_better=False,
            extra={
                "laksana_p50_ms": round(ours_ms, 1),
                "bare_p50_ms": round(bare_ms, 1),
                "laksana_min_ms": round(min(ours) * 1000, 1),
                "bare_min_ms": round(min(bare) * 1000, 1),
                "ratio_of_medians": round(ours_ms / bare_ms, 3),
                "rounds": rounds,
            },
        )
    ]
