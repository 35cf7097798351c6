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

The scores come from a seeded generator: the demo is the same every time it is built on the
same day.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from laksana import tabular
from laksana.cases.models import Case, CaseStatus
from laksana.demo.orgs import SOP_002, DemoOrg
from laksana.survey.models import Invitation, Survey

HELPDESK_ANSWERS = 150
LMS_ANSWERS = 60
HELPDESK_POPULATION = 240  # people served in the year: Krejcie–Morgan's minimum is 144

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
