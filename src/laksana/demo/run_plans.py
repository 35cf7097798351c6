"""What the demo's testers record in each run: verdicts with the actual results they saw,
screenshots, findings with owners and follow-up dates, and the minutes' place and
participants. Pure data, played by :mod:`laksana.demo.quality`.

Runs by case (:data:`laksana.demo.cases.TITLES`):

* ``bali_uat`` (SIKESDA, NIK validation): SIT accepted after a finding fixed during it; the
  UAT of Dinas Kesehatan under way (half of the scenarios tested).
* ``bali_handover`` (SIMPEG, SKP upload): SIT accepted; UAT accepted with notes (a low finding).
* ``bali_finished`` (SIMPEG, SK printing): SIT accepted; UAT rejected (a high-priority scenario
  failed, a high finding); back to the fix; the set revised; SIT again; the UAT retested and
  accepted.
* ``utn_building`` (laboratory website): the security test, ASVS level 1 and a ZAP scan.
"""

from __future__ import annotations

from laksana.demo.quality import Issue, Plan, Tested
from laksana.quality.models import Verdict

F, B, N = Verdict.FAILED, Verdict.BLOCKED, Verdict.NOT_RUN

_SPBE_ROOM = "Ruang Tim SPBE, Diskominfos Provinsi Bali"
# Who took part besides the testers (the minutes name the testers themselves).
_QA = {"name": "Kadek Ayu Lestari", "position": "Penguji (QA) Tim SPBE"}
_DEV = {"name": "Komang Adi Wiguna", "position": "Pengembang Tim SPBE"}
_LEAD = {"name": "I Made Suardana", "position": "Ketua Tim Aplikasi Informatika"}

# --- SIKESDA: NIK validation (bali_uat) --------------------------------------------------------

SIT_NIK = Plan(
    results={
        "NIK-01": Tested(actual="Data tersimpan; nomor rekam medis 00012873 terbit.", photo=True),
        "NIK-02": Tested(actual="Data tersimpan tanpa pesan 'NIK tidak dikenal'."),
        "NIK-03": Tested(
            actual="Tersimpan; jenis kelamin Perempuan, tanggal lahir 17-08-1992 terisi.",
            by="dev1",
        ),
        "NIK-05": Tested(actual="Setelah perbaikan T-1: pesan tampil dan isian lain tetap terisi."),
        "NIK-07": Tested(actual="Pasien lama tampil; tidak ada data ganda.", by="dev1"),
    },
    issues=[
        Issue(
            "sedang",
            "Isian formulir terhapus setelah NIK ditolak",
            "Setelah pesan 'NIK harus 16 digit angka', nama, alamat dan tanggal lahir yang "
            "sudah diisi terhapus sehingga operator mengetik ulang.",
            owner="dev1",
            due_days=2,
            scenario="NIK-05",
            fixed="Formulir mempertahankan isian saat validasi gagal (commit 8f3c21a).",
        )
    ],
    place=_SPBE_ROOM,
    participants=[_LEAD],
    notes="Diuji di server staging dengan data uji anonim.",
)

UAT_NIK = Plan(
    results={
        "NIK-01": Tested(
            actual="Pasien baru dari Kec. Denpasar Utara tersimpan, RM 00013102.", photo=True
        ),
        "NIK-02": Tested(actual="Pasien asal Kota Bandung tersimpan."),
        "NIK-03": Tested(actual="Data terisi otomatis dengan benar."),
    },
    place="Ruang Rapat Dinas Kesehatan Provinsi Bali",
    tested=3,
)

# --- SIMPEG: SKP upload (bali_handover) -------------------------------------------------------

SIT_SKP = Plan(
    results={
        "SKP-02": Tested(actual="Berkas 3 MB tersimpan dalam 4 detik."),
        "SKP-03": Tested(actual="Berkas 5.242.880 bita tersimpan.", photo=True),
        "SKP-04": Tested(actual="Berkas ditolak; pesan batas ukuran tampil.", by="dev1"),
    },
    place=_SPBE_ROOM,
    participants=[_LEAD],
)

UAT_SKP = Plan(
    results={
        "SKP-02": Tested(actual="SKP hasil pindai 3,1 MB tersimpan."),
        "SKP-04": Tested(
            actual="Berkas 5,2 MB ditolak, tetapi pesannya berbahasa Inggris: 'File too "
            "large (max 5MB)'.",
            photo=True,
        ),
        "SKP-06": Tested(actual="Dokumen lama diganti; riwayat mencatat penggantian."),
    },
    issues=[
        Issue(
            "rendah",
            "Pesan batas ukuran berkas berbahasa Inggris",
            "Pesan penolakan berkas di atas 5 MB tampil 'File too large (max 5MB)'; "
            "seharusnya 'Ukuran berkas maksimal 5 MB'.",
            owner="dev1",
            due_days=10,
            scenario="SKP-04",
        )
    ],
    place="Ruang Bidang Mutasi, Badan Kepegawaian Daerah Provinsi Bali",
    participants=[{"name": "Made Dwi Astuti", "position": "Operator SIMPEG BKD"}, _DEV],
    notes="Diterima dengan catatan: pesan berbahasa Indonesia menyusul dalam 10 hari kerja.",
)

# --- SIMPEG: SK printing, the rejected UAT and its retest (bali_finished) ---------------------

SIT_SK_1 = Plan(
    results={
        "SK-01": Tested(actual="Ditandatangani Kepala BKD, NIP benar."),
        "SK-02": Tested(actual="Ditandatangani Sekretaris Daerah."),
        "SK-03": Tested(
            actual="Penandatangan Kepala BKD yang menjabat 1 April.", photo=True, by="dev1"
        ),
        "SK-04": Tested(actual="Kop dan jabatan 'GUBERNUR BALI' tampil."),
    },
    place=_SPBE_ROOM,
    participants=[_LEAD],
)

UAT_SK_1 = Plan(
    results={
        "SK-01": Tested(actual="Nama dan NIP Kepala BKD benar."),
        "SK-03": Tested(actual="Pejabat sesuai tanggal SK."),
        "SK-04": Tested(
            F,
            "SK IV/b ditandatangani 'a.n. GUBERNUR BALI, Sekretaris Daerah' dengan NIP "
            "Sekda; seharusnya Gubernur sendiri.",
            photo=True,
        ),
    },
    issues=[
        Issue(
            "tinggi",
            "SK golongan IV/b ke atas ditandatangani Sekda atas nama Gubernur",
            "Untuk kenaikan pangkat IV/a ke IV/b, blok tanda tangan memuat 'a.n. GUBERNUR "
            "BALI' dan nama serta NIP Sekretaris Daerah. SK seperti ini tidak sah dan harus "
            "dicetak ulang.",
            owner="dev1",
            due_days=5,
            scenario="SK-04",
        )
    ],
    place="Ruang Bidang Mutasi, Badan Kepegawaian Daerah Provinsi Bali",
    participants=[{"name": "Made Dwi Astuti", "position": "Operator SIMPEG BKD"}, _QA],
    notes="UAT ditolak: SK-04 gagal. Tim SPBE memperbaiki lalu SIT dan UAT diulang.",
)

SIT_SK_2 = Plan(
    results={
        "SK-04": Tested(
            actual="'GUBERNUR BALI', nama Gubernur tanpa NIP; tembusan Kanreg X BKN.",
            photo=True,
        ),
        "SK-09": Tested(actual="Cetak ulang sama dengan SK asli.", by="dev1"),
    },
    place=_SPBE_ROOM,
    participants=[_LEAD],
)

UAT_SK_2 = Plan(
    results={
        "SK-04": Tested(
            actual="SK IV/b ditandatangani Gubernur Bali, tanpa NIP, sesuai contoh BKN.",
            photo=True,
        ),
        "SK-09": Tested(actual="SK bulan lalu dicetak ulang tanpa perubahan."),
    },
    place="Ruang Bidang Mutasi, Badan Kepegawaian Daerah Provinsi Bali",
    participants=[{"name": "Made Dwi Astuti", "position": "Operator SIMPEG BKD"}, _QA],
    notes="Uji ulang UAT 1: temuan T-1 telah diperbaiki dan lulus.",
)

# --- UTN: the security test of the laboratory website (utn_building) -------------------------

SECURITY_WEB_LAB = Plan(
    results={
        "V2.1.1": Tested(actual="Kata sandi 11 karakter ditolak dengan pesan minimal 12."),
        "V2.2.1": Tested(actual="Setelah 5 kali salah, akun dikunci 15 menit."),
        "V3.4.1": Tested(actual="Cookie sessionid: Secure, HttpOnly, SameSite=Lax."),
        "V4.2.1": Tested(actual="Nomor pesanan milik pemohon lain di URL dijawab 404.", photo=True),
        "V4.3.1": Tested(
            F,
            "Halaman admin hanya meminta kata sandi; belum ada autentikasi multi-faktor.",
        ),
        "V5.3.3": Tested(actual="<script>alert(1)</script> tampil sebagai teks biasa."),
        "V5.3.4": Tested(actual="' OR '1'='1 pada pencarian: 0 hasil, tanpa galat."),
        "V9.1.1": Tested(actual="HTTP dialihkan ke HTTPS; sertifikat valid."),
        "V12.4.2": Tested(N, "Pemindai antivirus belum terpasang di server."),
        "V13.1.3": Tested(N, "Website tidak memiliki API."),
        "V13.2.1": Tested(N, "Website tidak memiliki API."),
        "V14.3.3": Tested(actual="Setelah perbaikan: header Server tanpa versi."),
        "V14.4.3": Tested(F, "Respons tanpa header Content-Security-Policy.", photo=True),
        "V14.4.5": Tested(F, "Header Strict-Transport-Security tidak ada."),
        "V14.4.7": Tested(F, "Halaman dapat disematkan dalam iframe situs lain."),
    },
    issues=[
        Issue(
            "sedang",
            "Halaman admin tanpa autentikasi multi-faktor",
            "Akun admin laboratorium hanya dilindungi kata sandi (ASVS V4.3.1).",
            owner="utn_kadiv_app",
            due_days=20,
            scenario="V4.3.1",
        )
    ],
    place="Ruang Divisi Monitoring dan Keamanan, DSTI",
    participants=[
        {
            "name": "Fitri Handayani, S.Kom., M.Cs.",
            "position": "Kepala Divisi Monitoring dan Keamanan",
        },
        {"name": "Hendra Saputra, S.T.", "position": "Kepala Divisi Infrastruktur"},
    ],
    notes="Pemindaian OWASP ZAP (baseline dan active scan) terlampir sebagai temuan.",
    environment="production",
)

# The ZAP alerts' owners and follow-up dates (working days), by ZAP rule; and the alerts
# fixed during the test (retested with a new scan).
SECURITY_OWNERS = {
    "10038": ("utn_dev1", 10),
    "10020-1": ("utn_dev1", 10),
    "10035-1": ("utn_kadiv_infra", 5),
    "10010": ("utn_dev1", 10),
    "10021": ("utn_kadiv_infra", 5),
    "10037": ("utn_kadiv_infra", 2),
}
SECURITY_FIXED = {"10037": "Header X-Powered-By dihapus dari konfigurasi Nginx."}

# --- Sukamaju: e-Retribusi's security test by hand (skm_operation, SOP 001 c.2) --------------

SECURITY_RETRIBUSI = Plan(
    results={
        "V2.2.1": Tested(actual="Akun petugas terkunci 10 menit setelah 5 kali salah."),
        "V3.3.1": Tested(actual="Setelah Keluar, tombol Kembali tidak membuka halaman tagihan."),
        "V4.2.1": Tested(
            actual="Nomor tagihan pasar lain di URL dijawab 'Data tidak ditemukan'.", photo=True
        ),
        "V4.3.1": Tested(F, "Halaman admin BPKAD hanya dengan kata sandi, tanpa OTP."),
        "V5.3.4": Tested(actual="Tanda petik pada isian los: tidak ada galat basis data."),
        "V11.1.5": Tested(actual="Tagihan lunas tidak dapat dibayar dua kali."),
        "V12.1.1": Tested(N, "Aplikasi tidak memiliki fitur unggah berkas."),
        "V12.4.2": Tested(N, "Aplikasi tidak memiliki fitur unggah berkas."),
        "V12.5.2": Tested(N, "Aplikasi tidak memiliki fitur unggah berkas."),
    },
    issues=[
        Issue(
            "sedang",
            "Admin BPKAD tanpa autentikasi multi-faktor",
            "Akun admin yang dapat membatalkan tagihan hanya dilindungi kata sandi "
            "(ASVS V4.3.1); tambahkan OTP sebelum operasi.",
            owner="skm_dev2",
            due_days=15,
            scenario="V4.3.1",
        )
    ],
    place="Ruang Tim Pengembang Aplikasi, Diskominfo Kabupaten Sukamaju",
    participants=[
        {"name": "Dian Permata, S.Kom.", "position": "Pranata Komputer Ahli Pertama"},
        {"name": "Arif Budiman, S.Kom.", "position": "Ketua Tim Teknologi Informasi"},
    ],
    notes="Pemeriksaan manual dengan daftar periksa ASVS level 1 di server staging.",
    url="https://uji-eretribusi.sukamajukab.go.id",
)
