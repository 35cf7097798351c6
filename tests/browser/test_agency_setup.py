"""End-to-end in a real browser (issue 23 item 6): an agency set up from nothing by its own
administrator, and a citizen who files a request on its public form and follows it by link.

The installation's operator creates the agency and its first administrator (``laksana org
agency create``); everything else happens in the product's screens: the administrator adds a
team and a position, imports the staff from a SIMPEG export, makes themself the procedure
administrator and publishes SOP 002, binds its actors, and opens it to the public. A citizen
with no account then files a request (the form refuses a too quick send), confirms their
e-mail, follows the case by its secret link and does the requester's first step there."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from laksana.cases.models import Case, StepStatus
from laksana.intake.models import OutsideRequest, RequestStatus
from laksana.org.bootstrap import NewAgency, create_agency
from laksana.org.models import ActorBinding, OrgChange, Person, Position, Unit
from laksana.outbox.models import Message
from laksana.procedures.models import ProcedureVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "tanah-datar"
SOP_002 = "sop-002-penanganan-masalah-aplikasi"
SOURCE = (
    Path(__file__).resolve().parents[2]
    / "src/laksana/procedures/sop-002-penanganan-masalah-aplikasi.yaml"
)
KADIS, KABID, KETUA, DEV = (
    "197001011995031001",
    "198002022005011002",
    "198503032010011003",
    "199004042015031004",
)
SIMPEG = (
    "NIP;Nama;Jabatan;Unit Kerja;NIP Atasan;Email;Telepon;Golongan\n"
    f"{KADIS};Drs. Syafrizal;Kepala Dinas;Dinas Kominfo Tanah Datar;;kadis@tanahdatar.go.id;"
    "0752 71001;IV/c\n"
    f"{KABID};Yulia Fitri, S.Kom.;Kepala Bidang Aplikasi Informatika;Bidang Aplikasi;{KADIS};"
    "kabid@tanahdatar.go.id;0812 6600 1122;IV/a\n"
    f"{KETUA};Andri Saputra;Ketua Tim Aplikasi;Tim SPBE;{KABID};andri@tanahdatar.go.id;;III/c\n"
    f"{DEV};Rahmi Wulandari;Pranata Komputer Ahli Pertama;Tim SPBE;{KETUA};"
    "rahmi@tanahdatar.go.id;;III/a\n"
)


def _pdf(path: Path, name: str) -> str:
    file = path / name
    file.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return str(file)


def _png(path: Path, name: str) -> str:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    file = path / name
    file.write_bytes(buffer.getvalue())
    return str(file)


def _link(message: Message, prefix: str) -> str:
    found = re.search(rf"https?://[^\s]*({re.escape(prefix)}[^\s/]+/)", message.body)
    assert found, message.body
    return found.group(1)


def _ok(page) -> None:
    page.wait_for_load_state("networkidle")
    errors = page.locator(".field-error, .errorlist, .message--error").all_inner_texts()
    assert not errors, (page.url, errors)


@pytest.fixture
def agency():
    agency, admin = create_agency(
        NewAgency(
            name="Dinas Komunikasi dan Informatika Kabupaten Tanah Datar",
            short_name="Diskominfo Tanah Datar",
            slug=SLUG,
            unit_name="Dinas Kominfo Tanah Datar",
            admin_username="admin.td",
            admin_name="Rina Marlina",
            admin_email="admin@tanahdatar.go.id",
            admin_password="laksana-demo",
        )
    )
    return agency, admin


def test_an_agency_sets_itself_up_and_a_citizen_files_and_follows_a_request(
    sign_in, chromium_browser, live_server, agency, tmp_path
) -> None:
    agency, admin = agency
    page = sign_in("admin.td").page

    # The administrator's home names every part of the agency's settings.
    page.goto(f"/organisasi/{SLUG}/")
    for part in ("unit/", "jabatan/", "pegawai/", "impor-pegawai/", "layanan-publik/"):
        expect(page.locator(f"a[href$='/organisasi/{SLUG}/{part}']").first).to_be_visible()

    # A team under the office, and a position in it.
    page.goto(f"/organisasi/{SLUG}/unit/")
    page.fill("input[name=name]", "Tim SPBE")
    page.select_option("select[name=kind]", "team")
    page.select_option("select[name=parent]", label="Dinas Kominfo Tanah Datar")
    page.locator("form.form button[type=submit]").click()
    _ok(page)
    team = Unit.objects.get(agency=agency, name="Tim SPBE")
    page.goto(f"/organisasi/{SLUG}/jabatan/")
    page.fill("input[name=name]", "Anggota Tim SPBE")
    page.select_option("select[name=unit]", str(team.pk))
    page.locator("form.form button[type=submit]").click()
    _ok(page)
    assert Position.objects.filter(agency=agency, unit=team, name="Anggota Tim SPBE").exists()

    # The staff from a SIMPEG export: the preview first, then applied.
    sheet = tmp_path / "simpeg.csv"
    sheet.write_text(SIMPEG, encoding="utf-8-sig")
    page.goto(f"/organisasi/{SLUG}/impor-pegawai/")
    page.set_input_files("input[name=file]", str(sheet))
    page.locator("form:has(input[name=file]) button[type=submit]").click()
    _ok(page)
    expect(page.locator("body")).to_contain_text("Yulia Fitri, S.Kom.")
    assert not Person.objects.filter(agency=agency, nip=KABID).exists()  # a preview only
    # The plan: the units and positions it makes, everyone new.
    expect(page.locator("body")).to_contain_text("Bidang Aplikasi")
    page.locator("form:has(input[name=token]) button[type=submit]").click()
    _ok(page)
    people = {p.nip: p for p in Person.objects.filter(agency=agency).exclude(nip="")}
    assert set(people) == {KADIS, KABID, KETUA, DEV}
    assert people[DEV].superior == people[KETUA] and people[KABID].superior == people[KADIS]
    assert people[DEV].unit == team  # matched to the team made above

    # Imported people have no sign-in yet: the administrator gives them their accounts.
    for nip, login in ((KADIS, "syafrizal"), (KABID, "yulia"), (KETUA, "andri"), (DEV, "rahmi")):
        page.goto(f"/organisasi/{SLUG}/pegawai/{people[nip].pk}/")
        account = page.locator("form:has(input[name=action][value=account])")
        account.locator("input[name=username]").fill(login)
        account.locator("input[name=password]").fill("Pagaruyung#Istano-77")
        account.locator("input[name=password_again]").fill("Pagaruyung#Istano-77")
        account.locator("button[type=submit]").click()
        _ok(page)
    assert Person.objects.filter(agency=agency, user__isnull=False).count() == 5

    # The administrator makes themself the procedure administrator and publishes SOP 002.
    page.goto(f"/organisasi/{SLUG}/peran/")
    page.select_option("form.form select[name=person]", str(admin.pk))
    page.select_option("form.form select[name=kind]", "procedure_admin")
    page.locator("form.form button[type=submit]").click()
    _ok(page)
    page.goto("/prosedur/terbitkan/")
    page.set_input_files("input[name=source]", str(SOURCE))
    page.locator("form:has(input[name=source]) button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    version = ProcedureVersion.objects.get(agency=agency, procedure_key=SOP_002)

    # Every actor bound through the binding screen, to the imported staff's positions.
    def position(nip: str) -> str:
        return f"position:{people[nip].positions.get().pk}"

    page.goto(f"/organisasi/{SLUG}/{SOP_002}/")
    page.select_option("select[name=actor-kadis]", position(KADIS))
    page.select_option("select[name=actor-kabid]", position(KABID))
    page.select_option("select[name=actor-ketua_tim]", position(KETUA))
    page.select_option("select[name=actor-tim_spbe]", f"unit:{team.pk}")
    page.locator("form:has(select[name=actor-kadis]) button[type=submit]").click()
    _ok(page)
    assert ActorBinding.objects.filter(agency=agency, procedure_key=SOP_002).count() == 4

    # Opened to the public.
    page.goto(f"/organisasi/{SLUG}/layanan-publik/")
    page.select_option("select[name=procedure_key]", SOP_002)
    page.fill("input[name=title]", "Pengaduan Masalah Aplikasi")
    page.fill("input[name=slug]", "pengaduan-aplikasi")
    page.check("input[name=is_open]")
    page.check("input[name=accepts_files]")
    page.locator("form:has(select[name=procedure_key]) button[type=submit]").click()
    _ok(page)
    # Every change above is in the agency's history, by its administrator.
    subjects = set(
        OrgChange.objects.filter(agency=agency, by=admin).values_list("subject", flat=True)
    )
    assert {"unit", "position", "person", "role", "binding", "public_service"} <= subjects
    page.goto(f"/organisasi/{SLUG}/riwayat/")
    expect(page.locator("body")).to_contain_text("Yulia Fitri, S.Kom.")

    # A citizen, with no account, on a phone.
    citizen_context = chromium_browser.new_context(
        base_url=live_server.url, locale="id-ID", viewport={"width": 375, "height": 800}
    )
    try:
        citizen = citizen_context.new_page()
        citizen.set_default_timeout(30_000)
        citizen.goto(f"/layanan/{SLUG}/")
        citizen.locator(f"a[href$='/layanan/{SLUG}/pengaduan-aplikasi/']").first.click()
        citizen.wait_for_load_state("networkidle")
        citizen.fill("#f-name", "Nofriadi")
        citizen.fill("#f-email", "nofriadi@contoh.id")
        citizen.fill("#f-phone", "0813 7444 1200")
        citizen.fill("#f-title", "Aplikasi izin usaha tidak bisa mengunggah berkas")
        citizen.fill("#f-description", "Sejak Senin unggahan KTP selalu gagal.")
        # Sent at once, the form is a script's: refused, nothing filed.
        citizen.locator("form.intake-form button[type=submit]").click()
        citizen.wait_for_load_state("networkidle")
        assert OutsideRequest.objects.count() == 0
        # Sent after filling at a person's pace.
        citizen.goto(f"/layanan/{SLUG}/pengaduan-aplikasi/")
        citizen.fill("#f-name", "Nofriadi")
        citizen.fill("#f-email", "nofriadi@contoh.id")
        citizen.fill("#f-title", "Aplikasi izin usaha tidak bisa mengunggah berkas")
        citizen.fill("#f-description", "Sejak Senin unggahan KTP selalu gagal.")
        citizen.set_input_files("#f-files", _png(tmp_path, "galat.png"))
        time.sleep(3.2)
        citizen.locator("form.intake-form button[type=submit]").click()
        citizen.wait_for_load_state("networkidle")
        request = OutsideRequest.objects.get()
        assert request.status == RequestStatus.AWAITING and request.case is None

        # The e-mail's link, confirmed: the case opens and the follow link is sent.
        confirm = Message.objects.filter(to="nofriadi@contoh.id").order_by("pk").last()
        citizen.goto(_link(confirm, "/layanan/konfirmasi/"))
        assert Case.objects.filter(agency=agency).count() == 0  # opening the link is not enough
        citizen.locator("main form button.button--primary").click()
        citizen.wait_for_load_state("networkidle")
        case = Case.objects.get(agency=agency)
        follow = Message.objects.filter(to="nofriadi@contoh.id").order_by("pk").last()
        assert case.reference in follow.subject + follow.body

        # Followed by the secret link: the reference, and the first step is theirs to do.
        citizen.goto(_link(follow, "/layanan/permohonan/"))
        expect(citizen.locator("body")).to_contain_text(case.reference)
        body = citizen.locator("body").inner_text()
        for staff in ("Syafrizal", "Yulia Fitri", "Rina Marlina"):
            assert staff not in body  # no staff names on the requester's page
        citizen.set_input_files("input[name=art-surat_permohonan]", _pdf(tmp_path, "surat.pdf"))
        citizen.set_input_files("input[name=art-foto_masalah]", _png(tmp_path, "foto.png"))
        citizen.fill(
            "textarea[name=art-keterangan_proses-uraian]", "Unggah KTP, lalu muncul galat 500."
        )
        citizen.set_input_files("input[name=art-dokumen_analisis]", _pdf(tmp_path, "analisis.pdf"))
        citizen.locator("form.step-form button[type=submit]").first.click()
        citizen.wait_for_load_state("networkidle")
        step1 = case.steps.get(step_key="s1")
        assert step1.status == StepStatus.COMPLETED
        assert step1.completed_by_id == request.agency.public_desk.robot_id
        expect(citizen.locator("body")).to_contain_text(case.reference)
    finally:
        citizen_context.close()
    assert version.cases.count() == 1
