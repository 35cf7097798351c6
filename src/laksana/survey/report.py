"""The "Laporan Hasil Survei Kepuasan Masyarakat": the fields of its document (kind
``laporan_skm``) from a survey's records, and the page a preview prints before the official
document is made (:mod:`laksana.survey.views_report`).

Every figure is :mod:`laksana.survey.index`'s: the IKM with the weight exactly one ninth and
beside it the figure with the weight rounded to 0,111 (labelled so), the converted values, the
grade, the NRR of each unsur and the three weakest; the respondents, their profile and whether
they reach the Krejcie–Morgan minimum for the service's population (said plainly when they do
not); the method, the period, the follow-up plan the unit wrote, and the charts
(:mod:`laksana.survey.charts`) as SVG data URIs a reader can lift into a slide.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from laksana.documents import words
from laksana.procedures.models import ProcedureVersion
from laksana.survey import charts, index
from laksana.survey.models import Answer, Channel, ServiceKind, Survey

KIND = "laporan_skm"
MAX_TEXT = 500  # the documents module's limits of a text and a long text
MAX_LONG_TEXT = 10_000
MAX_ROWS = 200
PROFILE_GROUPS = (
    ("sex", "Jenis kelamin"),
    ("age", "Umur"),
    ("education", "Pendidikan"),
    ("occupation", "Pekerjaan"),
)
# The document is written in Indonesian (as its template): the profile's and the channels'
# words as the regulation's questionnaire prints them, whatever the reader's language.
WORDS: dict[str, str] = {
    "sex:L": "Laki-laki",
    "sex:P": "Perempuan",
    "education:sd": "SD ke bawah",
    "education:smp": "SMP",
    "education:sma": "SMA/SMK",
    "education:d1_d3": "D1–D3",
    "education:d4_s1": "D4/S1",
    "education:s2": "S2",
    "education:s3": "S3",
    "occupation:pns": "PNS/PPPK",
    "occupation:tni_polri": "TNI/POLRI",
    "occupation:swasta": "Pegawai swasta",
    "occupation:wirausaha": "Wirausaha",
    "occupation:pelajar": "Pelajar/Mahasiswa",
    "occupation:lainnya": "Lainnya",
    "channel:invitation": "undangan setelah layanan selesai",
    "channel:public": "tautan publik/kode QR",
    "channel:import": "impor lembar kerja",
}


def _word(group: str, value: str, label: str) -> str:
    return WORDS.get(f"{group}:{value}", label)


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    text = " ".join(str(text).split()) if limit == MAX_TEXT else str(text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def figure(value: Fraction | Decimal | None) -> str:
    """A figure as printed in Indonesian: two decimals, half up, a decimal comma ("91,48")."""
    return index.shown(value).replace(".", ",")


def _nrr(value: Fraction) -> str:
    # The NRR to three decimals as the regulation's tables print it ("3,103").
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal("0.001"))).replace(".", ",")


def service_text(survey: Survey) -> str:
    """What the survey asks about, as a report names it."""
    if survey.service_kind == ServiceKind.APPLICATION and survey.application is not None:
        return survey.application.name
    if survey.service_kind == ServiceKind.PROCEDURE:
        version = (
            ProcedureVersion.objects.filter(
                agency_id=survey.agency_id, procedure_key=survey.procedure_key
            )
            .order_by("-number")
            .values_list("title", flat=True)
            .first()
        )
        return str(version or survey.procedure_key)
    unit = survey.unit.name if survey.unit is not None else ""
    return " — ".join(t for t in (survey.service_name, unit) if t) or survey.title


def period_text(survey: Survey) -> str:
    return f"{words.long_date(survey.period_start)} s.d. {words.long_date(survey.period_end)}"


def method_text(survey: Survey) -> str:
    """The unit's description of its method, else the regulation's."""
    if survey.method.strip():
        return survey.method.strip()
    return _(
        "Questionnaire of the nine elements of PermenPANRB No. 14/2017, each answered on a "
        "scale of 1 to 4. The value of each element (NRR) is the sum of its scores divided by "
        "the number of respondents; IKM = the sum of the nine NRR × 1/9, converted × 25; the "
        "quality of service is read on the converted value (A ≥ 88.31, B ≥ 76.61, "
        "C ≥ 65.00, else D)."
    )


def channels_text(survey: Survey) -> str:
    """How many answers came by each channel (never who gave them)."""
    counts = dict(
        Answer.objects.filter(survey_id=survey.pk)
        .order_by()
        .values_list("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    parts = [
        f"{_word('channel', value, str(label))}: {counts[value]}"
        for value, label in Channel.choices
        if counts.get(value)
    ]
    return "; ".join(parts)


def sample_text(sample: index.Sample) -> str:
    """The sample statement: plain when the respondents are below the minimum."""
    if sample.enough is None:
        return _(
            "The population of the service is not recorded, so whether %(respondents)s "
            "respondents reach the minimum sample (Krejcie–Morgan table) cannot be judged."
        ) % {"respondents": sample.respondents}
    values = {
        "respondents": sample.respondents,
        "minimum": sample.minimum,
        "population": sample.population,
    }
    if sample.enough:
        return (
            _(
                "%(respondents)s respondents reach the minimum sample of %(minimum)s for a "
                "population of %(population)s (Krejcie–Morgan table)."
            )
            % values
        )
    return (
        _(
            "%(respondents)s respondents are below the minimum sample of %(minimum)s for a "
            "population of %(population)s (Krejcie–Morgan table): the index does not "
            "represent the users of the service and is to be read with care."
        )
        % values
    )


def _data_uri(svg: str) -> str:
    """An SVG as a data URI, or "" when it would not fit a long text of the document."""
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return uri if len(uri) <= MAX_LONG_TEXT else ""


def _share(count: int, total: int) -> str:
    if total <= 0:
        return "-"
    return figure(Fraction(count * 100, total)) + "%"


def _profile_rows(profile: Mapping[str, list[tuple[str, str, int]]]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for key, group in PROFILE_GROUPS:
        counted = profile.get(key, [])
        total = sum(n for _v, _l, n in counted)
        for value, label, n in counted:
            if n == 0:
                continue  # a category nobody is in: left out of the table (the total stands)
            rows.append(
                {
                    "group": group,
                    "label": _word(key, value, str(label)) if value else _("Not stated"),
                    "count": str(n),
                    "share": _share(n, total),
                }
            )
    return rows[:MAX_ROWS]


def _pie(group: str, rows: Sequence[tuple[str, str, int]]) -> str:
    items = [
        (_word(group, value, str(label)) if value else _("Not stated"), n)
        for value, label, n in rows
        if n
    ]
    return _data_uri(charts.pie(items)) if items else ""


def _follow_up(survey: Survey) -> list[dict[str, str]]:
    names = {str(e.get("key")): str(e.get("name", "")) for e in survey.elements or []}
    rows = []
    for row in survey.follow_up or []:
        if not isinstance(row, Mapping) or not str(row.get("action", "")).strip():
            continue
        due = str(row.get("due", "") or "")
        try:
            due = dt.date.fromisoformat(due[:10]).isoformat() if due else ""
        except ValueError:
            due = ""
        unsur = str(row.get("unsur", "") or "")
        rows.append(
            {
                "unsur": _cut(names.get(unsur, unsur)),
                "action": _cut(str(row.get("action", ""))),
                "due": due,
                "responsible": _cut(str(row.get("responsible", "") or "")),
            }
        )
    return rows[:MAX_ROWS]


def document_fields(survey: Survey, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The fields of the survey's report (kind ``laporan_skm``), in Indonesian, every figure
    from the survey's answers as they stand (``now``: when it is made)."""
    del now  # the answers as they stand; the document carries its own date
    result = index.of_survey(survey)
    respondents = result.respondents if result is not None else 0
    sample = index.sample(survey, respondents)
    profile = index.profile(survey)
    with translation.override("id"):
        fields: dict[str, Any] = {
            "survey": _cut(survey.title),
            "service": _cut(service_text(survey)),
            "period": period_text(survey),
            "method": _cut(method_text(survey), MAX_LONG_TEXT),
            "channels": channels_text(survey),
            "respondents": str(respondents),
            "sample": sample_text(sample),
            "sample_below": "ya" if sample.enough is False else "",
            "profile": _profile_rows(profile),
            "follow_up": _follow_up(survey),
            "chart_sex": _pie("sex", profile["sex"]),
            "chart_education": _pie("education", profile["education"]),
            "chart_occupation": _pie("occupation", profile["occupation"]),
        }
        if result is not None:
            fields.update(
                {
                    "ikm": figure(result.ikm),
                    "converted": figure(result.converted),
                    "ikm_0111": figure(result.ikm_0111),
                    "converted_0111": figure(result.converted_0111),
                    "grade": result.grade.letter,
                    "grade_label": result.grade.label,
                    "weakest": [
                        f"U{e.position} {e.name}: NRR {_nrr(e.nrr)}, konversi {figure(e.converted)}"
                        for e in result.weakest
                    ],
                    "elements": [
                        {
                            "code": f"U{e.position}",
                            "name": _cut(e.name),
                            "total": str(e.total),
                            "nrr": _nrr(e.nrr),
                            "converted": figure(e.converted),
                            "grade": f"{e.grade.letter} ({e.grade.label})",
                        }
                        for e in result.elements
                    ],
                    "chart_elements": _data_uri(
                        charts.bars(
                            [
                                (f"U{e.position} {e.name}", float(e.converted))
                                for e in result.elements
                            ],
                            maximum=100.0,
                        )
                    ),
                }
            )
    return {k: v for k, v in fields.items() if v not in ("", [], None)}


def preview_context(survey: Survey, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The template variables of a preview of the report (:mod:`laksana.documents.context`'s
    names): the survey's fields, the agency's letterhead, no number, no signature, marked as
    a draft — nothing is written."""
    from laksana.documents import context
    from laksana.documents.kinds import KINDS
    from laksana.documents.models import Letterhead

    at = now or timezone.now()
    day = timezone.localdate(at)
    agency = survey.agency
    head = Letterhead.objects.filter(agency_id=agency.pk, unit__isnull=True).first()
    kop = {
        "pemerintah": head.government if head else "",
        "instansi": head.agency_name if head else agency.name,
        "unit": head.unit_name if head else "",
        "alamat": head.address if head else "",
        "telepon": head.phone if head else "",
        "laman": head.website if head else "",
        "email": head.email if head else "",
        "logo": context._logo(head),
    }
    fields = document_fields(survey, now=at)
    label = KINDS[KIND].label
    return {
        "jenis": {"kode": KIND, "nama": label, "berita_acara": False},
        "dokumen": {
            "judul": label,
            "nomor": "PRATINJAU (belum bernomor)",
            "final": False,
            "tanggal": day.isoformat(),
            "tanggal_teks": words.long_date(day),
            "hari": words.day_name(day),
            "kalimat_tanggal": words.date_sentence(day),
            "tempat": "",
            "sifat": "Biasa",
            "perihal": label,
            "lampiran": "-",
        },
        "kop": kop,
        "instansi": {"nama": agency.name, "singkatan": agency.short_name},
        "kasus": {"nomor": "-", "judul": "", "uraian": "", "dibuka": "", "prosedur": ""},
        "unit_pemohon": {"nama": "", "kepala": None},
        "aplikasi": (
            {
                "nama": survey.application.name,
                "singkatan": survey.application.short_name,
                "url": (survey.application.urls or [""])[0],
                "versi": "",
            }
            if survey.application is not None
            else None
        ),
        "kontrak": None,
        "pihak_pertama": None,
        "pihak_kedua": None,
        "mengetahui": [],
        "penandatangan": [],
        "paraf": [],
        "penulis": {"nama": "", "jabatan": ""},
        "isian": context._isian(KIND, fields),
        "disposisi": None,
        "verifikasi": None,
    }


def preview_pdf(survey: Survey, *, now: dt.datetime | None = None) -> bytes:
    """The report as it would print now, through the documents module's renderer: the
    agency's template of the kind (else the shipped one), marked as a draft, not numbered."""
    from laksana.documents import render, templating
    from laksana.documents.models import TemplateVersion

    own = (
        TemplateVersion.objects.filter(agency_id=survey.agency_id, kind=KIND)
        .order_by("-number")
        .values_list("source", flat=True)
        .first()
    )
    data = preview_context(survey, now=now)
    html = templating.render_html(own or templating.shipped_source(KIND), data)
    return render.pdf(html, data)
