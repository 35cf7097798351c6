"""The nine elements (unsur) of PermenPANRB No. 14/2017 with the regulation's questionnaire
wording: each question and its four answer labels, scored 1 to 4. An agency may change the
order (sources disagree on the last two) and the wording (:class:`SurveySettings.elements
<laksana.survey.models.SurveySettings>`); a survey keeps a copy of what it asked.

Also the Krejcie–Morgan table of minimum samples (confidence 95 %, error 5 %) that the
regulation's annex uses, and how the older instruments are recognised.
"""

from __future__ import annotations

from typing import Any

# (key, name, question, labels for scores 1..4)
_ELEMENTS: tuple[tuple[str, str, str, tuple[str, str, str, str]], ...] = (
    (
        "persyaratan",
        "Persyaratan",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis "
        "pelayanannya?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    (
        "prosedur",
        "Sistem, Mekanisme, dan Prosedur",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    ),
    (
        "waktu",
        "Waktu Penyelesaian",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    ),
    (
        "biaya",
        "Biaya/Tarif",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    ),
    (
        "produk",
        "Produk Spesifikasi Jenis Pelayanan",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
        "dalam standar pelayanan dengan hasil yang diberikan?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    (
        "kompetensi",
        "Kompetensi Pelaksana",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    ),
    (
        "perilaku",
        "Perilaku Pelaksana",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan "
        "dan keramahan?",
        (
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ),
    ),
    (
        "pengaduan",
        "Penanganan Pengaduan, Saran dan Masukan",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        (
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ),
    ),
    (
        "sarana",
        "Sarana dan Prasarana",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
    ),
)

KEYS: tuple[str, ...] = tuple(e[0] for e in _ELEMENTS)


def default_elements() -> list[dict[str, Any]]:
    """The nine elements in the regulation's order, as stored (a fresh copy)."""
    return [
        {"key": key, "name": name, "question": question, "labels": list(labels)}
        for key, name, question, labels in _ELEMENTS
    ]


# Krejcie & Morgan (1970): population N -> minimum sample S (95 % confidence, 5 % error).
KREJCIE_MORGAN: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40),
    (50, 44), (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70),
    (90, 73), (95, 76), (100, 80), (110, 86), (120, 92), (130, 97), (140, 103), (150, 108),
    (160, 113), (170, 118), (180, 123), (190, 127), (200, 132), (210, 136), (220, 140),
    (230, 144), (240, 148), (250, 152), (260, 155), (270, 159), (280, 162), (290, 165),
    (300, 169), (320, 175), (340, 181), (360, 186), (380, 191), (400, 196), (420, 201),
    (440, 205), (460, 210), (480, 214), (500, 217), (550, 226), (600, 234), (650, 242),
    (700, 248), (750, 254), (800, 260), (850, 265), (900, 269), (950, 274), (1000, 278),
    (1100, 285), (1200, 291), (1300, 297), (1400, 302), (1500, 306), (1600, 310),
    (1700, 313), (1800, 317), (1900, 320), (2000, 322), (2200, 327), (2400, 331),
    (2600, 335), (2800, 338), (3000, 341), (3500, 346), (4000, 351), (4500, 354),
    (5000, 357), (6000, 361), (7000, 364), (8000, 367), (9000, 368), (10000, 370),
    (15000, 375), (20000, 377), (30000, 379), (40000, 380), (50000, 381), (75000, 382),
    (1000000, 384),
)  # fmt: skip


def minimum_sample(population: int) -> int:
    """The table's sample for ``population``: the row of the smallest tabulated population
    not below it (the safe side between rows); at most 384. A population under 10 is asked
    whole."""
    if population <= 0:
        return 0
    if population < 10:
        return population
    for n, s in KREJCIE_MORGAN:
        if population <= n:
            return s
    return 384
