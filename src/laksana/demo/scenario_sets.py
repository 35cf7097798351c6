"""The demo's test scenarios: what the QA staff of each demo agency wrote for its applications.

Each set is a :class:`DemoSet`: the application (by the demo's key), the author's login, the
set's name and version, and its scenarios as the mappings
:func:`laksana.quality.scenarios.create_set` takes (the columns of the agencies' spreadsheet:
number, title, requirement, preconditions, steps, input data, expected result, priority).
Pure data; :mod:`laksana.demo.quality` writes them through the services. The Bali sets
(SOP 002's cases) are here, the other agencies' in :mod:`laksana.demo.scenario_sets_more`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HIGH, MEDIUM, LOW = "tinggi", "sedang", "rendah"


def sc(
    number: str,
    title: str,
    requirement: str,
    preconditions: str,
    steps: str,
    input_data: str,
    expected: str,
    priority: str = MEDIUM,
) -> dict[str, str]:
    """One scenario, as a row of the agencies' spreadsheet."""
    return {
        "number": number,
        "title": title,
        "requirement": requirement,
        "preconditions": preconditions,
        "steps": steps,
        "input_data": input_data,
        "expected": expected,
        "priority": priority,
    }


@dataclass(frozen=True)
class DemoSet:
    """A scenario set of a demo application, as its author wrote it."""

    org: str  # the demo agency's key ("bali")
    application: str  # the application's key in DemoOrg.applications
    author: str  # the login of the person who writes it
    name: str
    app_version: str
    description: str
    scenarios: list[dict[str, str]] = field(default_factory=list)
    # For a set written outside a case's story: how many working days ago.
    days_ago: float = 30


_OPERATOR_SIKESDA = "Masuk sebagai operator pendaftaran Puskesmas Denpasar Selatan I."

SIKESDA_NIK = DemoSet(
    "bali",
    "sikesda",
    "qa1",
    "Pendaftaran pasien: validasi NIK",
    "3.4.2",
    "Skenario pengujian perbaikan aturan validasi NIK pada formulir pendaftaran pasien "
    "(kode wilayah Dukcapil terbaru).",
    [
        sc(
            "NIK-01",
            "NIK valid dengan kode wilayah kecamatan baru diterima",
            "Validasi NIK memakai tabel kode wilayah Kemendagri terbaru",
            _OPERATOR_SIKESDA,
            "1. Buka menu Pendaftaran > Pasien Baru.\n2. Isi NIK dan data pasien.\n"
            "3. Tekan Simpan.",
            "NIK 5171046502890003 (Kec. Denpasar Utara), nama Ni Wayan Sari",
            "Data tersimpan; pasien mendapat nomor rekam medis baru.",
            HIGH,
        ),
        sc(
            "NIK-02",
            "NIK valid dari luar Provinsi Bali diterima",
            "Validasi NIK seluruh provinsi",
            _OPERATOR_SIKESDA,
            "1. Buka Pendaftaran > Pasien Baru.\n2. Isi NIK pasien pendatang.\n3. Simpan.",
            "NIK 3273012807910002 (Kota Bandung)",
            "Data tersimpan tanpa pesan 'NIK tidak dikenal'.",
            HIGH,
        ),
        sc(
            "NIK-03",
            "NIK perempuan (tanggal lahir +40) diterima",
            "Validasi tanggal lahir dalam NIK",
            _OPERATOR_SIKESDA,
            "1. Buka Pendaftaran > Pasien Baru.\n2. Isi NIK perempuan.\n3. Simpan.",
            "NIK 5103055708920001 (lahir 17-08-1992, perempuan)",
            "Data tersimpan; jenis kelamin dan tanggal lahir terisi otomatis dari NIK.",
            HIGH,
        ),
        sc(
            "NIK-04",
            "NIK kurang dari 16 digit ditolak",
            "Validasi panjang NIK",
            _OPERATOR_SIKESDA,
            "1. Isi NIK 15 digit.\n2. Tekan Simpan.",
            "NIK 517104650289000",
            "Pesan 'NIK harus 16 digit angka' di bawah isian NIK; data tidak tersimpan.",
        ),
        sc(
            "NIK-05",
            "NIK berisi huruf ditolak",
            "Validasi format NIK",
            _OPERATOR_SIKESDA,
            "1. Isi NIK yang memuat huruf.\n2. Tekan Simpan.",
            "NIK 51710465028900O3 (huruf O)",
            "Pesan 'NIK harus 16 digit angka'; isian lain tidak terhapus.",
        ),
        sc(
            "NIK-06",
            "NIK dengan tanggal lahir tidak mungkin ditolak",
            "Validasi tanggal lahir dalam NIK",
            _OPERATOR_SIKESDA,
            "1. Isi NIK dengan tanggal 31 Februari.\n2. Tekan Simpan.",
            "NIK 5171043102890003",
            "Pesan 'Tanggal lahir pada NIK tidak valid'; data tidak tersimpan.",
        ),
        sc(
            "NIK-07",
            "NIK yang sudah terdaftar menampilkan pasien lama",
            "Pencegahan data pasien ganda",
            _OPERATOR_SIKESDA + " Pasien dengan NIK uji sudah terdaftar.",
            "1. Isi NIK pasien yang sudah terdaftar.\n2. Tekan Cari.",
            "NIK 5171046502890003",
            "Data pasien lama tampil untuk kunjungan baru; tidak ada pasien ganda.",
            HIGH,
        ),
        sc(
            "NIK-08",
            "Bayi baru lahir didaftarkan dengan NIK ibu",
            "Pendaftaran pasien tanpa NIK",
            _OPERATOR_SIKESDA,
            "1. Pilih 'Bayi baru lahir (belum memiliki NIK)'.\n2. Isi NIK ibu.\n3. Simpan.",
            "NIK ibu 5171046502890003, bayi By. Ny. Sari",
            "Pasien bayi tersimpan dan terhubung dengan rekam medis ibu.",
            LOW,
        ),
    ],
)

SIKESDA_REPORTS = DemoSet(
    "bali",
    "sikesda",
    "qa1",
    "Modul laporan bulanan puskesmas",
    "3.4",
    "Skenario regresi modul pelaporan: LB1, rekap kabupaten/kota dan unduhan.",
    [
        sc(
            "LAP-01",
            "Membuat laporan LB1 bulan lalu",
            "Laporan bulanan data kesakitan (LB1)",
            "Masuk sebagai operator puskesmas; data kunjungan bulan lalu lengkap.",
            "1. Buka Laporan > LB1.\n2. Pilih bulan lalu.\n3. Tekan Tampilkan.",
            "Puskesmas Denpasar Selatan I, bulan lalu",
            "Tabel LB1 tampil dengan jumlah kasus per diagnosis sesuai data kunjungan.",
            HIGH,
        ),
        sc(
            "LAP-02",
            "Mengunduh laporan LB1 sebagai XLSX",
            "Unduhan laporan",
            "Laporan LB1 bulan lalu sudah tampil.",
            "1. Tekan Unduh XLSX.\n2. Buka berkas dengan aplikasi spreadsheet.",
            "-",
            "Berkas XLSX berisi data yang sama dengan tabel di layar, tidak kosong.",
            HIGH,
        ),
        sc(
            "LAP-03",
            "Rekap kabupaten/kota oleh Dinas Kesehatan",
            "Rekap laporan seluruh puskesmas",
            "Masuk sebagai pengelola data Dinas Kesehatan Provinsi.",
            "1. Buka Laporan > Rekap Kabupaten/Kota.\n2. Pilih Kota Denpasar dan bulan lalu.",
            "Kota Denpasar, bulan lalu",
            "Rekap memuat semua puskesmas Kota Denpasar; puskesmas yang belum lapor ditandai.",
            HIGH,
        ),
        sc(
            "LAP-04",
            "Bulan tanpa data menampilkan pesan",
            "Penanganan laporan kosong",
            "Masuk sebagai operator puskesmas.",
            "1. Buka Laporan > LB1.\n2. Pilih bulan depan.",
            "Bulan depan",
            "Pesan 'Belum ada data untuk periode ini'; tombol unduh tidak aktif.",
            LOW,
        ),
        sc(
            "LAP-05",
            "Operator hanya melihat laporan puskesmasnya",
            "Hak akses laporan",
            "Masuk sebagai operator Puskesmas Denpasar Selatan I.",
            "1. Ubah alamat halaman laporan ke kode puskesmas lain.",
            "Kode puskesmas Kuta I",
            "Akses ditolak; data puskesmas lain tidak tampil.",
            HIGH,
        ),
        sc(
            "LAP-06",
            "Laporan terlambat ditandai pada rekap",
            "Pemantauan ketepatan waktu laporan",
            "Satu puskesmas mengirim laporan setelah tanggal 10.",
            "1. Buka Rekap Kabupaten/Kota bulan lalu.",
            "-",
            "Puskesmas yang terlambat diberi tanda 'Terlambat' beserta tanggal kirimnya.",
            MEDIUM,
        ),
        sc(
            "LAP-07",
            "Cetak laporan PDF dengan kop Dinas Kesehatan",
            "Cetak laporan",
            "Rekap kabupaten/kota bulan lalu tampil.",
            "1. Tekan Cetak PDF.",
            "-",
            "PDF berkop Dinas Kesehatan Provinsi Bali, bertanggal, memuat tabel lengkap.",
            LOW,
        ),
    ],
    days_ago=40,
)

_BKD_OPERATOR = "Masuk sebagai operator kenaikan pangkat BKD; usulan kenaikan pangkat disetujui."

SIMPEG_SK = DemoSet(
    "bali",
    "simpeg",
    "qa1",
    "Cetak SK kenaikan pangkat",
    "4.2.1",
    "Skenario pengujian perbaikan cetak SK kenaikan pangkat: pejabat penandatangan sesuai "
    "golongan dan tanggal SK.",
    [
        sc(
            "SK-01",
            "Cetak SK kenaikan pangkat III/a ke III/b",
            "Penandatangan SK golongan III: Kepala BKD",
            _BKD_OPERATOR,
            "1. Buka Kenaikan Pangkat > Cetak SK.\n2. Pilih pegawai.\n3. Tekan Cetak.",
            "NIP 199001012015031001, periode April",
            "PDF SK memuat nama dan NIP Kepala BKD sebagai penandatangan.",
            HIGH,
        ),
        sc(
            "SK-02",
            "Cetak SK kenaikan pangkat III/d ke IV/a",
            "Penandatangan SK golongan IV/a: Sekretaris Daerah",
            _BKD_OPERATOR,
            "1. Buka Kenaikan Pangkat > Cetak SK.\n2. Pilih pegawai.\n3. Tekan Cetak.",
            "NIP 197503102000031004, periode April",
            "PDF SK memuat nama dan NIP Sekretaris Daerah sebagai penandatangan.",
            HIGH,
        ),
        sc(
            "SK-03",
            "Pejabat penandatangan sesuai tanggal SK",
            "Pejabat diambil dari riwayat jabatan pada tanggal SK",
            _BKD_OPERATOR + " Kepala BKD berganti setelah tanggal SK.",
            "1. Cetak SK bertanggal sebelum pergantian Kepala BKD.",
            "SK tanggal 1 April; Kepala BKD baru dilantik 15 April",
            "Penandatangan adalah Kepala BKD yang menjabat pada 1 April.",
            HIGH,
        ),
        sc(
            "SK-04",
            "Cetak SK kenaikan pangkat IV/b ke atas",
            "Penandatangan SK golongan IV/b ke atas: Gubernur",
            _BKD_OPERATOR,
            "1. Buka Kenaikan Pangkat > Cetak SK.\n2. Pilih pegawai IV/a ke IV/b.\n3. Tekan Cetak.",
            "NIP 196908121994031007, periode April",
            "PDF SK ditandatangani Gubernur Bali.",
            HIGH,
        ),
        sc(
            "SK-05",
            "Nama bergelar ditulis lengkap",
            "Penulisan nama pegawai",
            _BKD_OPERATOR,
            "1. Cetak SK pegawai dengan gelar depan dan belakang.",
            "dr. I Gusti Ayu Made Wahyuni, M.Kes.",
            "Nama tertulis lengkap dengan gelar, tanpa terpotong.",
        ),
        sc(
            "SK-06",
            "Nomor SK berurutan dan tidak ganda",
            "Penomoran SK",
            _BKD_OPERATOR,
            "1. Cetak tiga SK berturut-turut.",
            "Tiga pegawai periode April",
            "Nomor SK berurutan tanpa nomor ganda.",
        ),
        sc(
            "SK-07",
            "Pratinjau sama dengan hasil cetak",
            "Pratinjau SK",
            _BKD_OPERATOR,
            "1. Tekan Pratinjau.\n2. Tekan Cetak.\n3. Bandingkan.",
            "NIP 199001012015031001",
            "Isi pratinjau dan PDF cetak sama.",
            LOW,
        ),
        sc(
            "SK-08",
            "Pengguna tanpa hak cetak tidak dapat mencetak SK",
            "Hak akses cetak SK",
            "Masuk sebagai operator OPD (bukan BKD).",
            "1. Buka alamat halaman cetak SK secara langsung.",
            "-",
            "Akses ditolak dengan pesan; tidak ada PDF yang dibuat.",
        ),
    ],
)

# The QA team's second revision, after the first UAT was rejected: SK-04 says exactly what the
# SK of golongan IV/b shows, and a scenario for reprints is added. The first runs keep the
# text they tested.
SIMPEG_SK_REVISED: dict[str, dict[str, str]] = {
    "SK-04": sc(
        "SK-04",
        "Cetak SK kenaikan pangkat IV/b ke atas",
        "Penandatangan SK golongan IV/b ke atas: Gubernur (Perka BKN 12/2002)",
        _BKD_OPERATOR,
        "1. Buka Kenaikan Pangkat > Cetak SK.\n2. Pilih pegawai IV/a ke IV/b.\n3. Tekan Cetak.",
        "NIP 196908121994031007, periode April",
        "PDF SK ditandatangani 'GUBERNUR BALI' dengan nama Gubernur, tanpa NIP, dan tembusan "
        "kepada Kepala Kantor Regional X BKN.",
        HIGH,
    ),
    "SK-09": sc(
        "SK-09",
        "Cetak ulang SK yang sudah terbit",
        "Cetak ulang memakai data pada tanggal SK",
        _BKD_OPERATOR + " SK pegawai sudah terbit bulan lalu.",
        "1. Buka Riwayat SK.\n2. Pilih SK bulan lalu.\n3. Tekan Cetak Ulang.",
        "NIP 196908121994031007",
        "PDF cetak ulang sama dengan SK asli (nomor, tanggal, penandatangan).",
        HIGH,
    ),
}

_BKD_STAFF = "Masuk sebagai pegawai dengan akses unggah SKP."

SIMPEG_SKP = DemoSet(
    "bali",
    "simpeg",
    "qa1",
    "Unggah dokumen SKP",
    "4.2.1",
    "Skenario pengujian batas ukuran unggah dokumen SKP (5 MB).",
    [
        sc(
            "SKP-01",
            "Unggah PDF SKP 0,8 MB",
            "Unggah dokumen SKP",
            _BKD_STAFF,
            "1. Buka Kinerja > Dokumen SKP.\n2. Pilih berkas.\n3. Tekan Unggah.",
            "skp-2025.pdf (0,8 MB)",
            "Berkas tersimpan dan tampil di daftar dokumen.",
            HIGH,
        ),
        sc(
            "SKP-02",
            "Unggah PDF SKP 3 MB",
            "Batas ukuran 5 MB",
            _BKD_STAFF,
            "1. Buka Kinerja > Dokumen SKP.\n2. Pilih berkas 3 MB.\n3. Tekan Unggah.",
            "skp-pindaian.pdf (3 MB)",
            "Berkas tersimpan tanpa pesan galat.",
            HIGH,
        ),
        sc(
            "SKP-03",
            "Unggah PDF tepat 5 MB",
            "Batas ukuran 5 MB",
            _BKD_STAFF,
            "1. Pilih berkas 5 MB.\n2. Tekan Unggah.",
            "skp-5mb.pdf (5.242.880 bita)",
            "Berkas tersimpan.",
            MEDIUM,
        ),
        sc(
            "SKP-04",
            "Unggah PDF di atas 5 MB ditolak",
            "Batas ukuran 5 MB",
            _BKD_STAFF,
            "1. Pilih berkas 5,2 MB.\n2. Tekan Unggah.",
            "skp-besar.pdf (5,2 MB)",
            "Pesan 'Ukuran berkas maksimal 5 MB'; berkas tidak tersimpan.",
            MEDIUM,
        ),
        sc(
            "SKP-05",
            "Berkas bukan PDF ditolak",
            "Jenis berkas SKP",
            _BKD_STAFF,
            "1. Pilih berkas DOCX.\n2. Tekan Unggah.",
            "skp.docx",
            "Pesan 'Dokumen SKP harus PDF'; berkas tidak tersimpan.",
            LOW,
        ),
        sc(
            "SKP-06",
            "Unggah ulang mengganti dokumen lama",
            "Penggantian dokumen SKP",
            _BKD_STAFF + " Dokumen SKP tahun ini sudah diunggah.",
            "1. Unggah berkas SKP baru untuk tahun yang sama.\n2. Konfirmasi penggantian.",
            "skp-2025-revisi.pdf (1,2 MB)",
            "Dokumen lama diganti; riwayat mencatat penggantian.",
            MEDIUM,
        ),
        sc(
            "SKP-07",
            "Dokumen yang diunduh utuh",
            "Unduh dokumen SKP",
            _BKD_STAFF + " Dokumen SKP 3 MB sudah diunggah.",
            "1. Tekan Unduh pada dokumen.\n2. Buka berkas.",
            "-",
            "Berkas terbuka utuh dan sama dengan yang diunggah.",
            LOW,
        ),
    ],
)
