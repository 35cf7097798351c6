"""The demo's satisfaction surveys (SKM, PermenPANRB No. 14/2017) and an application's
periodic evaluation (SOP 001 f), written through the real services with past ``now=`` times.

* UTN's **annual survey of its IT helpdesk** (the service of the Divisi Layanan dan
  Sosialisasi) for the present's year: :data:`HELPDESK_ANSWERS` paper questionnaires typed
  into a spreadsheet and imported (:func:`laksana.survey.imports.import_answers`), a spread
  of scores that grades the service B (Baik); the unit's follow-up plan on the weakest unsur;
  the public link open for walk-in respondents.
* UTN's **survey of the e-Learning** for the same year: :data:`LMS_ANSWERS` answers given
  through the public form over the past weeks (:func:`laksana.survey.answers.record`).
* The Diskominfos Bali's **survey of its problem handling (SOP 002)** over the months around
  the present: the requesters of its finished cases invited
  (:func:`laksana.survey.invitations.invite` at their finishing time), the invitations sent
  when due, and answered through their links (:func:`laksana.survey.invitations.answer`).
* UTN's **evaluation of the e-Learning** over the last twelve months, concluded "improve"
  (:mod:`laksana.evaluation.services`).
* Diskominfo Sukamaju's **survey of the e-Retribusi** and the application's **evaluation**,
  written in its SOP 001 case's story (:mod:`laksana.demo.cases`) at rows f.1–f.2: the
  market traders' questionnaires imported (:func:`retribusi_survey`), the evaluation
  concluded "keep" on the case (:func:`retribusi_evaluation`), and the survey's report made
  and signed on row f.2 (:func:`retribusi_report`).

The scores come from a seeded generator: the demo is the same every time it is built on the
same day.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from laksana import tabular
from laksana.cases.models import Case, CaseStatus
from laksana.demo.orgs import SOP_002, DemoOrg
from laksana.documents.models import Document, DocumentStatus
from laksana.survey.models import Invitation, Survey

HELPDESK_ANSWERS = 150
LMS_ANSWERS = 60
HELPDESK_POPULATION = 240  # people served in the year: Krejcie–Morgan's minimum is 144
RETRIBUSI_ANSWERS = 170
RETRIBUSI_POPULATION = 300  # market traders paying through the application: minimum 169

# Per unsur (in the regulation's order) the weights of the scores 1, 2, 3, 4: the helpdesk
# is quick and free, its complaint handling and its facilities weakest.
HELPDESK_MIX: tuple[tuple[int, int, int, int], ...] = (
    (1, 8, 60, 31),  # persyaratan
    (2, 10, 58, 30),  # prosedur
    (2, 14, 56, 28),  # waktu
    (0, 2, 18, 80),  # biaya: gratis
    (1, 8, 61, 30),  # produk
    (1, 7, 55, 37),  # kompetensi
    (0, 5, 52, 43),  # perilaku
    (4, 20, 56, 20),  # pengaduan
    (3, 18, 58, 21),  # sarana
)
LMS_MIX: tuple[tuple[int, int, int, int], ...] = (
    (2, 12, 60, 26),
    (3, 15, 57, 25),
    (6, 22, 52, 20),  # slow in the examination weeks
    (0, 1, 14, 85),
    (3, 14, 58, 25),
    (2, 10, 60, 28),
    (1, 8, 58, 33),
    (5, 20, 55, 20),
    (4, 18, 58, 20),
)
# e-Retribusi: free to use and quick, the weak signal in the markets and the new QRIS
# procedure its traders' weakest marks.
RETRIBUSI_MIX: tuple[tuple[int, int, int, int], ...] = (
    (1, 8, 62, 29),  # persyaratan
    (3, 16, 58, 23),  # prosedur: QRIS baru
    (1, 9, 60, 30),  # waktu
    (0, 3, 40, 57),  # biaya: tarif retribusi sesuai perda, aplikasi gratis
    (1, 8, 60, 31),  # produk
    (1, 7, 58, 34),  # kompetensi
    (0, 5, 55, 40),  # perilaku
    (3, 17, 58, 22),  # pengaduan
    (5, 20, 55, 20),  # sarana: sinyal di pasar
)
SEXES = ("L", "P")
EDUCATION = ("sma", "d1_d3", "d4_s1", "d4_s1", "s2", "s3")
OCCUPATIONS = ("pns", "pns", "pelajar", "swasta", "wirausaha", "lainnya")
SUGGESTIONS = (
    "",
    "",
    "",
    "Mohon jam layanan diperpanjang saat masa registrasi.",
    "Petugas ramah dan membantu.",
    "Sediakan nomor antrean daring.",
    "Informasi status tiket agar dikirim lewat WhatsApp.",
    "Ruang tunggu perlu kursi tambahan.",
)
FOLLOW_UP: tuple[tuple[str, str, str], ...] = (
    (
        "pengaduan",
        "Menerbitkan alur pengaduan helpdesk di portal dan menanggapi setiap pengaduan paling "
        "lambat 3 hari kerja.",
        "Kepala Divisi Layanan dan Sosialisasi",
    ),
    (
        "sarana",
        "Menambah kursi ruang tunggu dan satu komputer layanan mandiri di loket helpdesk.",
        "Kepala Divisi Infrastruktur",
    ),
    (
        "waktu",
        "Menetapkan target waktu penyelesaian tiket per kategori dan memantaunya tiap bulan.",
        "Kepala Divisi Layanan dan Sosialisasi",
    ),
)
RETRIBUSI_FOLLOW_UP: tuple[tuple[str, str, str], ...] = (
    (
        "sarana",
        "Memasang titik akses internet di enam pasar dan menyediakan QRIS statis sebagai "
        "cadangan saat sinyal lemah.",
        "Ketua Tim Teknologi Informasi",
    ),
    (
        "prosedur",
        "Menempel panduan bergambar pembayaran QRIS di setiap los dan mendampingi pedagang "
        "selama satu bulan.",
        "Kepala Badan Pengelolaan Keuangan dan Aset Daerah",
    ),
    (
        "pengaduan",
        "Membuka layanan pengaduan melalui WhatsApp dan menanggapinya paling lambat 2 hari kerja.",
        "Ketua Tim Teknologi Informasi",
    ),
)
RETRIBUSI_REASONING = (
    "Aplikasi masih relevan dan efektif: pembayaran retribusi pasar nontunai berjalan di "
    "seluruh pasar dan kepuasan pedagang baik (mutu B). Satu temuan uji keamanan tingkat "
    "sedang masih terbuka dan dijadwalkan dalam pembaruan berikutnya. Aplikasi dipertahankan "
    "untuk periode operasi berikutnya; sarana jaringan di pasar dan alur pengaduan "
    "ditindaklanjuti sesuai rencana tindak lanjut survei."
)


@dataclass
class DemoSurveys:
    """What :func:`build_surveys` wrote (None where a service was not there)."""

    helpdesk: Survey | None = None
    lms: Survey | None = None
    problems: Survey | None = None
    invitations: list[Invitation] = field(default_factory=list)
    evaluation: Any = None


def _answer(rng: random.Random, mix: tuple[tuple[int, int, int, int], ...]) -> dict[str, Any]:
    row: dict[str, Any] = {
        f"u{i}": rng.choices((1, 2, 3, 4), weights=weights)[0]
        for i, weights in enumerate(mix, start=1)
    }
    row["age"] = rng.randint(18, 62) if rng.random() < 0.9 else ""
    row["sex"] = rng.choice(SEXES) if rng.random() < 0.95 else ""
    row["education"] = rng.choice(EDUCATION)
    row["occupation"] = rng.choice(OCCUPATIONS)
    row["suggestion"] = rng.choice(SUGGESTIONS)
    return row


def helpdesk_csv(count: int = HELPDESK_ANSWERS, seed: int = 2017) -> bytes:
    """The helpdesk's questionnaires as a spreadsheet a unit would save (the columns U1..U9
    and the profile's)."""
    rng = random.Random(seed)
    header: list[object] = [f"U{i}" for i in range(1, 10)]
    rows: list[list[object]] = [[*header, "Umur", "Jenis Kelamin", "Pendidikan", "Pekerjaan"]]
    for _ in range(count):
        row = _answer(rng, HELPDESK_MIX)
        rows.append(
            [row[f"u{i}"] for i in range(1, 10)]
            + [row["age"], row["sex"], row["education"], row["occupation"]]
        )
    return tabular.csv_bytes(rows)


RETRIBUSI_SUGGESTIONS = (
    "",
    "",
    "",
    "Sinyal di dalam pasar sering hilang saat membayar.",
    "Petugas sabar mengajari cara membayar dengan QRIS.",
    "Mohon bukti bayar bisa dikirim lewat WhatsApp.",
)


def retribusi_csv(count: int = RETRIBUSI_ANSWERS, seed: int = 2024) -> bytes:
    """The market traders' questionnaires of the e-Retribusi, as typed into a spreadsheet."""
    rng = random.Random(seed)
    rows: list[list[object]] = [
        [
            *(f"U{i}" for i in range(1, 10)),
            "Umur",
            "Jenis Kelamin",
            "Pendidikan",
            "Pekerjaan",
            "Saran",
        ]
    ]
    for _ in range(count):
        row = _answer(rng, RETRIBUSI_MIX)
        suggestion = rng.choice(RETRIBUSI_SUGGESTIONS)
        rows.append(
            [row[f"u{i}"] for i in range(1, 10)]
            + [row["age"], row["sex"], row["education"], "wirausaha", suggestion]
        )
    return tabular.csv_bytes(rows)


def retribusi_survey(org: DemoOrg, login: str, at: dt.datetime) -> Survey:
    """The e-Retribusi's survey of the six months before ``at``: the traders' questionnaires
    imported, the follow-up plan on its weakest unsur, closed at ``at``."""
    from laksana.survey import imports, services

    tz = zoneinfo.ZoneInfo(org.agency.time_zone)
    end = at.astimezone(tz).date() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=182)
    person = org[login]
    survey = services.create_survey(
        person,
        {
            "title": f"SKM e-Retribusi Pasar Daerah Semester {1 if end.month <= 6 else 2} "
            f"Tahun {end.year}",
            "service_kind": "application",
            "application": org.applications["retribusi"].pk,
            "period_start": start,
            "period_end": end,
            "population": RETRIBUSI_POPULATION,
            "method": "Kuesioner tertulis kepada pedagang wajib retribusi di enam pasar daerah, "
            "diketik ke lembar kerja dan diimpor.",
        },
        now=at,
    )
    services.open_survey(person, survey.pk, now=at)
    imports.import_answers(
        person, survey.pk, retribusi_csv(), "kuesioner-eretribusi.csv", submitted_on=end, now=at
    )
    due = end + dt.timedelta(days=90)
    services.set_follow_up(
        person,
        survey.pk,
        [
            {"unsur": key, "action": action, "due": due.isoformat(), "responsible": who}
            for key, action, who in RETRIBUSI_FOLLOW_UP
        ],
    )
    survey = services.close_survey(person, survey.pk, now=at)
    survey.refresh_from_db()
    return survey


def retribusi_evaluation(
    org: DemoOrg, login: str, case: Case, made: dt.datetime, concluded: dt.datetime
) -> Any:
    """The e-Retribusi's evaluation over the twelve months before ``made``, made on the case
    (its row f.1 active) and concluded "keep"."""
    from laksana.evaluation import services

    tz = zoneinfo.ZoneInfo(org.agency.time_zone)
    today = made.astimezone(tz).date()
    person = org[login]
    evaluation = services.create_evaluation(
        person,
        {
            "application": org.applications["retribusi"].pk,
            "period_start": today - dt.timedelta(days=365),
            "period_end": today - dt.timedelta(days=1),
            "case": case.pk,
        },
        now=made,
    )
    return services.conclude(
        person, evaluation.pk, "keep", RETRIBUSI_REASONING, case=case.pk, now=concluded
    )


def retribusi_report(
    org: DemoOrg, login: str, survey: Survey, tick: Callable[[float], dt.datetime]
) -> Document:
    """The survey's report made on the active row f.2 of its application's case, sent round
    and signed in turn: a final ``laporan_skm``."""
    from laksana.demo import documents as demo_documents
    from laksana.documents import services as documents
    from laksana.survey import report_plugin

    person = org[login]
    doc = report_plugin.make_report(person, survey.pk, now=tick(0.5))
    if doc.status == DocumentStatus.DRAFT:
        doc = documents.submit(person, doc, at=tick(0.25))
    return demo_documents.sign_in_turn(doc, tick)


def _at(day: dt.date, hour: int, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tz)


def _helpdesk(utn: DemoOrg, now: dt.datetime, tz: zoneinfo.ZoneInfo) -> Survey:
    from laksana.survey import imports, services

    today = now.astimezone(tz).date()
    start = dt.date(today.year, 1, 1)
    kadiv = utn["utn_kadiv_layanan"]
    made = now - dt.timedelta(days=min(30, (today - start).days))
    survey = services.create_survey(
        kadiv,
        {
            "title": f"SKM Layanan Helpdesk TIK UTN Tahun {today.year}",
            "service_kind": "unit_service",
            "unit": utn.units["div_layanan"].pk,
            "service_name": "Layanan Helpdesk TIK",
            "period_start": start,
            "period_end": dt.date(today.year, 12, 31),
            "population": HELPDESK_POPULATION,
            "method": "Kuesioner tertulis di loket helpdesk, diketik ke lembar kerja dan "
            "diimpor; tautan publik dan kode QR untuk pengunjung.",
            "public_enabled": True,
        },
        now=made,
    )
    survey = services.open_survey(kadiv, survey.pk, now=made)
    # The questionnaires of the first half of the year (or of the days so far).
    collected = max(start, min(dt.date(today.year, 6, 30), today - dt.timedelta(days=1)))
    imports.import_answers(
        kadiv,
        survey.pk,
        helpdesk_csv(),
        "kuesioner-helpdesk.csv",
        submitted_on=collected,
        now=made,
    )
    due = min(dt.date(today.year, 12, 31), today + dt.timedelta(days=60))
    services.set_follow_up(
        kadiv,
        survey.pk,
        [
            {"unsur": key, "action": action, "due": due.isoformat(), "responsible": who}
            for key, action, who in FOLLOW_UP
        ],
    )
    survey.refresh_from_db()
    return survey


def _lms(utn: DemoOrg, now: dt.datetime, tz: zoneinfo.ZoneInfo) -> Survey:
    from laksana.survey import answers, services

    today = now.astimezone(tz).date()
    start = dt.date(today.year, 1, 1)
    kasi = utn["utn_kasi_ops"]
    weeks = min(8, (today - start).days // 7)
    opened = _at(today - dt.timedelta(days=7 * weeks), 8, tz)
    survey = services.create_survey(
        kasi,
        {
            "title": f"SKM e-Learning UTN Tahun {today.year}",
            "service_kind": "application",
            "application": utn.applications["lms"].pk,
            "period_start": start,
            "period_end": dt.date(today.year, 12, 31),
            "method": "Tautan publik di halaman masuk e-Learning.",
            "public_enabled": True,
        },
        now=opened,
    )
    survey = services.open_survey(kasi, survey.pk, now=opened)
    rng = random.Random(14)
    span = max((today - opened.astimezone(tz).date()).days, 0)
    for n in range(LMS_ANSWERS):
        day = opened.astimezone(tz).date() + dt.timedelta(days=span * n // LMS_ANSWERS)
        data = _answer(rng, LMS_MIX)
        answers.record(survey, data, channel="public", now=_at(day, 9 + n % 8, tz))
    return survey


def _problems(bali: DemoOrg, now: dt.datetime, tz: zoneinfo.ZoneInfo) -> Survey:
    from laksana.survey import services

    today = now.astimezone(tz).date()
    start = today - dt.timedelta(days=90)
    made = _at(start, 8, tz)
    kabid = bali["kabid"]
    survey = services.create_survey(
        kabid,
        {
            "title": "SKM Penanganan Masalah Aplikasi",
            "service_kind": "procedure",
            "procedure_key": SOP_002,
            "period_start": start,
            "period_end": today + dt.timedelta(days=90),
            "method": "Undangan kepada pemohon setiap kasus yang selesai.",
            "invite_requesters": True,
        },
        now=made,
    )
    survey = services.open_survey(kabid, survey.pk, now=made)
    survey.refresh_from_db()
    return survey


def _invite(orgs: dict[str, DemoOrg], now: dt.datetime) -> list[Invitation]:
    """Invite the requesters of the demo's finished cases as their cases finished, send the
    invitations when due, and answer the first ones through their links."""
    from laksana.survey import invitations

    agencies = [org.agency.pk for org in orgs.values()]
    finished = Case.objects.filter(
        agency_id__in=agencies, status=CaseStatus.FINISHED, finished_at__lt=now
    ).order_by("finished_at", "pk")
    made: list[Invitation] = []
    for case in finished:
        assert case.finished_at is not None
        invitation = invitations.invite(case, at=case.finished_at)
        if invitation is not None:
            made.append(invitation)
    rng = random.Random(25)
    for n, invitation in enumerate(made):
        if invitation.send_after >= now:
            continue
        invitations.send_due(now=invitation.send_after)
        answered = invitation.send_after + dt.timedelta(hours=20)
        if n % 3 != 2 and answered < min(now, invitation.expires_at):
            data = _answer(rng, HELPDESK_MIX)
            data["suggestion"] = "Terima kasih, masalah kami ditangani dengan baik."
            invitations.answer(invitations.secret_of(invitation), data, now=answered)
    invitations.send_due(now=now)
    for invitation in made:
        invitation.refresh_from_db()
    return made


def _evaluation(utn: DemoOrg, now: dt.datetime, tz: zoneinfo.ZoneInfo) -> Any:
    from laksana.evaluation import services

    today = now.astimezone(tz).date()
    kasi = utn["utn_kasi_ops"]
    evaluation = services.create_evaluation(
        kasi,
        {
            "application": utn.applications["lms"].pk,
            "period_start": today - dt.timedelta(days=365),
            "period_end": today - dt.timedelta(days=1),
        },
        now=now - dt.timedelta(hours=3),
    )
    return services.conclude(
        kasi,
        evaluation.pk,
        "improve",
        "Kepuasan pengguna baik (B) tetapi waktu penyelesaian dan penanganan pengaduan "
        "terendah; ketersediaan sempat di bawah kriteria kontrak satu bulan. Aplikasi "
        "dipertahankan dengan perbaikan: penambahan kapasitas saat ujian dan alur pengaduan.",
        now=now - dt.timedelta(hours=2),
    )


def build_surveys(orgs: dict[str, DemoOrg], now: dt.datetime) -> DemoSurveys:
    """Write the demo's surveys, their answers and invitations, and the evaluation (see the
    module's text)."""
    utn, bali = orgs["utn"], orgs["bali"]
    tz = zoneinfo.ZoneInfo(utn.agency.time_zone)
    out = DemoSurveys()
    out.helpdesk = _helpdesk(utn, now, tz)
    out.lms = _lms(utn, now, tz)
    out.problems = _problems(bali, now, zoneinfo.ZoneInfo(bali.agency.time_zone))
    out.invitations = _invite(orgs, now)
    out.evaluation = _evaluation(utn, now, tz)
    return out
