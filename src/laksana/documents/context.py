"""Everything a document's template shows, gathered from the records in one set of queries.

:func:`build` returns a plain, JSON-serialisable dict: it is what the template is rendered
with and what the final PDF embeds (``laksana-dokumen.json``). The variables below are THE
list a template may use; :func:`laksana.documents.templating.check` refuses any other (an
agency's administrator edits templates against this list). Texts are as printed (dates in
Indonesian, NIP grouped), never objects.

``jenis``
    ``kode`` (``bast``), ``nama`` (Berita Acara Serah Terima Aplikasi), ``berita_acara``
    (true for minutes, false for letters).
``dokumen``
    ``judul``, ``nomor`` (the final number, or the temporary one of a draft), ``final``
    (true/false), ``tanggal`` (ISO), ``tanggal_teks`` (7 Desember 2026), ``hari`` (Senin),
    ``kalimat_tanggal`` (Pada hari ini Senin tanggal tujuh bulan Desember tahun dua ribu dua
    puluh enam), ``tempat``, ``sifat`` (Biasa, ...), ``perihal``, ``lampiran`` (1 (satu)
    berkas, or -).
``kop`` (the letterhead)
    ``pemerintah``, ``instansi``, ``unit``, ``alamat``, ``telepon``, ``laman``, ``email``,
    ``logo`` (a data URI, or empty).
``instansi``
    ``nama``, ``singkatan``.
``kasus``
    ``nomor`` (the case's reference), ``judul``, ``uraian``, ``dibuka`` (7 Desember 2026),
    ``prosedur`` (the SOP's title).
``unit_pemohon``
    ``nama``, ``kepala`` (a person, below, or None).
``aplikasi`` (None when the case is about no application)
    ``nama``, ``singkatan``, ``url``, ``versi``.
``kontrak`` (None when no contract of the application covers the document's date)
    ``nomor``, ``tanggal_teks``, ``nilai_rupiah`` (Rp150.000.000,00), ``nilai_terbilang``
    (seratus lima puluh juta rupiah), ``vendor``, ``garansi_sampai`` (7 Desember 2026).
A person (``penandatangan``, ``paraf``, ``pihak_pertama``, ``pihak_kedua``, ``mengetahui``,
``unit_pemohon.kepala``)
    ``nama``, ``nip`` (19680531 199703 1 002, or empty), ``jabatan``, ``unit``, ``instansi``;
    and for signatories: ``label`` (PIHAK PERTAMA, ...), ``status`` (pending, done, refused),
    ``selesai`` (true once initialled or signed), ``waktu`` (7 Desember 2026 10.15 WITA, or
    empty), ``urutan``.
``pihak_pertama``, ``pihak_kedua``
    The first two signers not labelled Mengetahui, or None.
``mengetahui``
    The list of signers labelled Mengetahui.
``penandatangan``
    Every signer, in order. ``paraf``: every verifier who initials, in order.
``penulis``
    ``nama``, ``jabatan``.
``isian``
    What the author typed: the fields of the kind (:mod:`laksana.documents.kinds`); a date
    field ``x`` also as ``x_teks`` (7 Desember 2026); a table is a list of rows (a row's
    date column ``x`` also as ``x_teks``); a lines field is a list of texts. The minutes of
    a test run (``ba_sit``, ``ba_uat``, ``laporan_uji_keamanan``) are made from the run
    (:mod:`laksana.quality.minutes`): ``run``, ``retest_of``, ``version``, ``environment``,
    ``scenario_set``, ``conclusion``, ``reasons`` (lines), ``place``, ``notes``; ``tests``
    (``id``, ``description``, ``steps``, ``input_data``, ``expected``, ``actual``,
    ``verdict``), ``findings`` (``number``, ``finding``, ``severity``, ``description``,
    ``owner``, ``follow_up``, ``due``), ``participants`` (``name``, ``position``).
``disposisi`` (a disposition sheet only, else None)
    ``surat_dari``, ``nomor_surat``, ``tanggal_surat``, ``diterima_tanggal``,
    ``nomor_agenda``, ``sifat``, ``hal``, ``dari``, ``kepada``, ``instruksi``,
    ``batas_waktu``, ``catatan``, ``tanggal``, and ``rantai``: the list of dispositions that
    led to it, first first, each with ``dari``, ``kepada``, ``instruksi``, ``sifat``,
    ``batas_waktu``, ``catatan``, ``tanggal`` (``dari`` and ``kepada`` are persons).
``verifikasi`` (a final document only, else None)
    ``kode`` (the short code), ``url`` (the verification address), ``qr`` (an SVG data URI).
``blok`` (given by :func:`laksana.documents.templating.render_html`, ready HTML)
    ``kop`` (the letterhead), ``tanda_tangan`` (the signature blocks), ``paraf`` (the
    verifiers' initial boxes), ``verifikasi`` (the QR code and address of a final document).
"""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from laksana.cases.models import Case, Disposition
from laksana.catalog.models import Contract
from laksana.documents import words
from laksana.documents.kinds import KINDS
from laksana.documents.models import Document, Letterhead, Signatory, SignatoryRole
from laksana.org.models import Agency, Person, Unit, UnitKind

Leaf = None
# The shape of the variables: a dict is an object with these keys, a list of one element a
# list of such elements, ``Leaf`` a text, number or true/false.
Schema = dict[str, Any]

_PERSON: Schema = dict.fromkeys(("nama", "nip", "jabatan", "unit", "instansi"), Leaf)
_SIGNATORY: Schema = {
    **_PERSON,
    **dict.fromkeys(("label", "status", "selesai", "waktu", "urutan"), Leaf),
}
_LINK: Schema = {
    "dari": _PERSON,
    "kepada": _PERSON,
    **dict.fromkeys(("instruksi", "sifat", "batas_waktu", "catatan", "tanggal"), Leaf),
}

VARIABLES: Schema = {
    "jenis": dict.fromkeys(("kode", "nama", "berita_acara"), Leaf),
    "dokumen": dict.fromkeys(
        (
            "judul",
            "nomor",
            "final",
            "tanggal",
            "tanggal_teks",
            "hari",
            "kalimat_tanggal",
            "tempat",
            "sifat",
            "perihal",
            "lampiran",
        ),
        Leaf,
    ),
    "kop": dict.fromkeys(
        ("pemerintah", "instansi", "unit", "alamat", "telepon", "laman", "email", "logo"), Leaf
    ),
    "instansi": dict.fromkeys(("nama", "singkatan"), Leaf),
    "kasus": dict.fromkeys(("nomor", "judul", "uraian", "dibuka", "prosedur"), Leaf),
    "unit_pemohon": {"nama": Leaf, "kepala": _PERSON},
    "aplikasi": dict.fromkeys(("nama", "singkatan", "url", "versi"), Leaf),
    "kontrak": dict.fromkeys(
        ("nomor", "tanggal_teks", "nilai_rupiah", "nilai_terbilang", "vendor", "garansi_sampai"),
        Leaf,
    ),
    "pihak_pertama": _SIGNATORY,
    "pihak_kedua": _SIGNATORY,
    "mengetahui": [_SIGNATORY],
    "penandatangan": [_SIGNATORY],
    "paraf": [_SIGNATORY],
    "penulis": dict.fromkeys(("nama", "jabatan"), Leaf),
    "disposisi": {
        **dict.fromkeys(
            (
                "surat_dari",
                "nomor_surat",
                "tanggal_surat",
                "diterima_tanggal",
                "nomor_agenda",
                "sifat",
                "hal",
                "instruksi",
                "batas_waktu",
                "catatan",
                "tanggal",
            ),
            Leaf,
        ),
        "dari": _PERSON,
        "kepada": _PERSON,
        "rantai": [_LINK],
    },
    "verifikasi": dict.fromkeys(("kode", "url", "qr"), Leaf),
    "blok": dict.fromkeys(("kop", "tanda_tangan", "paraf", "verifikasi"), Leaf),
}

_ZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
_URGENCY = {"biasa": "Biasa", "segera": "Segera", "sangat_segera": "Sangat Segera"}


def variables(kind: str) -> Schema:
    """The variables a template of ``kind`` may use: :data:`VARIABLES` and the kind's
    ``isian``."""
    return {**VARIABLES, "isian": isian_schema(kind)}


def isian_schema(kind: str) -> Schema:
    spec = KINDS.get(kind)
    schema: Schema = {}
    if spec is None:
        return schema
    for field in spec.form.fields:
        schema[field.id] = [Leaf] if field.kind == "lines" else Leaf
        if field.kind == "date":
            schema[f"{field.id}_teks"] = Leaf
    for table in spec.form.tables:
        row: Schema = {}
        for column in table.columns:
            row[column.id] = Leaf
            if column.kind == "date":
                row[f"{column.id}_teks"] = Leaf
        schema[table.id] = [row]
    if kind == "lembar_disposisi":
        schema["disposition"] = Leaf
    return schema


def nip_printed(nip: str) -> str:
    """An 18-digit NIP as printed: "19680531 199703 1 002" (birth date, appointment month,
    sex, number); anything else as given."""
    if len(nip) == 18 and nip.isdigit():
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    return nip


def _date_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return words.long_date(value)
    if isinstance(value, str) and value:
        try:
            return words.long_date(dt.date.fromisoformat(value[:10]))
        except ValueError:
            return value
    return ""


def _lines(value: Any) -> list[str]:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v).strip()]
    return []


def _isian(kind: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The author's fields, with dates also in words and lines as lists."""
    out: dict[str, Any] = dict(fields)
    spec = KINDS.get(kind)
    if spec is None:
        return out
    for field in spec.form.fields:
        value = fields.get(field.id, "")
        if field.kind == "lines":
            out[field.id] = _lines(value)
        elif field.kind == "date":
            out[f"{field.id}_teks"] = _date_text(value)
        else:
            out.setdefault(field.id, "")
    for table in spec.form.tables:
        rows = fields.get(table.id) or []
        dated = [c.id for c in table.columns if c.kind == "date"]
        table_rows = []
        for raw in rows if isinstance(rows, list) else []:
            if not isinstance(raw, Mapping):
                continue
            row = {c.id: raw.get(c.id, "") for c in table.columns}
            for key in dated:
                row[f"{key}_teks"] = _date_text(raw.get(key))
            table_rows.append(row)
        out[table.id] = table_rows
    return out


class _People:
    """Persons as printed, their positions read once."""

    def __init__(self, agency: Agency, zone: ZoneInfo, zone_name: str) -> None:
        self.agency = agency
        self.zone = zone
        self.zone_name = zone_name
        # The agency's units: id → (parent id, name, kind).
        self.units: dict[int, tuple[int | None, str, str]] = {
            pk: (parent, name, kind)
            for pk, parent, name, kind in Unit.objects.filter(agency_id=agency.pk).values_list(
                "id", "parent_id", "name", "kind"
            )
        }

    def instansi(self, person: Person) -> str:
        """The vendor of a vendor's employee; the requesting unit (an OPD) a person belongs
        to; else the agency."""
        if person.vendor_id is not None and person.vendor is not None:
            return person.vendor.name
        unit_id: int | None = person.unit_id
        seen: set[int] = set()
        while unit_id is not None and unit_id not in seen and unit_id in self.units:
            seen.add(unit_id)
            parent, name, kind = self.units[unit_id]
            if kind in (UnitKind.REQUESTING, UnitKind.VENDOR):
                return name
            unit_id = parent
        return self.agency.name

    def person(self, person: Person, position: str = "") -> dict[str, Any]:
        held = [p.name for p in person.positions.all()]
        return {
            "nama": person.name,
            "nip": nip_printed(person.nip),
            "jabatan": position or (held[0] if held else ""),
            "unit": person.unit.name,
            "instansi": self.instansi(person),
        }

    def moment(self, at: dt.datetime | None) -> str:
        if at is None:
            return ""
        local = at.astimezone(self.zone)
        return f"{words.long_date(local.date())} {local:%H.%M} {self.zone_name}"

    def signatory(self, row: Signatory) -> dict[str, Any]:
        return {
            **self.person(row.person, row.position_title),
            "label": row.label,
            "status": row.status,
            "selesai": row.status == "done",
            "waktu": self.moment(row.acted_at) if row.status == "done" else "",
            "urutan": row.order,
        }


def _letterhead(document: Document, author_unit: Unit, units: Mapping[int, int | None]) -> Any:
    heads = {lh.unit_id: lh for lh in Letterhead.objects.filter(agency_id=document.agency_id)}
    unit_id: int | None = author_unit.pk
    seen: set[int] = set()
    while unit_id is not None and unit_id not in seen:
        if unit_id in heads:
            return heads[unit_id]
        seen.add(unit_id)
        unit_id = units.get(unit_id)
    return heads.get(None)


def _logo(letterhead: Letterhead | None) -> str:
    if letterhead is None or not letterhead.logo:
        return ""
    try:
        with letterhead.logo.open("rb") as f:
            data = f.read()
    except OSError:
        return ""
    kind = mimetypes.guess_type(letterhead.logo.name or "")[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _kop(document: Document, author_unit: Unit, agency: Agency, people: _People) -> dict[str, str]:
    units = {pk: row[0] for pk, row in people.units.items()}
    head = _letterhead(document, author_unit, units)
    if head is None:
        return {
            "pemerintah": "",
            "instansi": agency.name,
            "unit": "",
            "alamat": "",
            "telepon": "",
            "laman": "",
            "email": "",
            "logo": "",
        }
    return {
        "pemerintah": head.government,
        "instansi": head.agency_name,
        "unit": head.unit_name,
        "alamat": head.address,
        "telepon": head.phone,
        "laman": head.website,
        "email": head.email,
        "logo": _logo(head),
    }


def _head_of(unit: Unit, people: _People) -> dict[str, Any] | None:
    """The head of a unit: a member holding a position of the unit whose superior position
    is outside it (or none)."""
    members = (
        Person.objects.filter(unit=unit, positions__unit=unit)
        .select_related("unit", "vendor")
        .prefetch_related("positions__superior")
        .distinct()
        .order_by("pk")
    )
    for person in members:
        for position in person.positions.all():
            superior = position.superior
            if position.unit_id == unit.pk and (superior is None or superior.unit_id != unit.pk):
                return people.person(person, position.name)
    return None


def _contract(case: Case, date: dt.date) -> dict[str, str] | None:
    if case.application_id is None:
        return None
    contract = (
        Contract.objects.filter(Contract.in_period(date), application_id=case.application_id)
        .select_related("vendor")
        .order_by("-starts_on", "-pk")
        .first()
    )
    if contract is None:
        return None
    value = contract.value if contract.value is not None else Decimal(0)
    return {
        "nomor": contract.number,
        "tanggal_teks": _date_text(contract.signed_on),
        "nilai_rupiah": words.rupiah(value) if contract.value is not None else "",
        "nilai_terbilang": words.rupiah_words(value) if contract.value is not None else "",
        "vendor": contract.vendor.name,
        "garansi_sampai": _date_text(contract.support_ends_on),
    }


def _disposition(document: Document, case: Case, people: _People) -> dict[str, Any] | None:
    wanted = document.fields.get("disposition") if isinstance(document.fields, dict) else None
    try:
        wanted_id = int(wanted) if wanted is not None else None
    except (TypeError, ValueError):
        wanted_id = None
    if wanted_id is None:
        return None
    # Only the dispositions of the document's own case.
    rows = {
        d.pk: d
        for d in Disposition.objects.filter(case_id=document.case_id)
        .select_related("sender__unit", "sender__vendor", "recipient__unit", "recipient__vendor")
        .prefetch_related("sender__positions", "recipient__positions")
    }
    current = rows.get(wanted_id)
    if current is None:
        return None
    chain: list[Disposition] = []
    node: Disposition | None = current
    while node is not None and node not in chain:
        chain.append(node)
        node = rows.get(node.parent_id) if node.parent_id else None
    chain.reverse()

    def link(d: Disposition) -> dict[str, Any]:
        return {
            "dari": people.person(d.sender),
            "kepada": people.person(d.recipient),
            "instruksi": d.instruction,
            "sifat": _URGENCY.get(d.urgency, d.urgency),
            "batas_waktu": people.moment(d.deadline),
            "catatan": d.note,
            "tanggal": people.moment(d.created_at),
        }

    opened = words.long_date(case.opened_at.astimezone(people.zone).date())
    return {
        "surat_dari": case.requesting_unit.name,
        "nomor_surat": case.reference,
        "tanggal_surat": opened,
        "diterima_tanggal": opened,
        "nomor_agenda": case.reference,
        "hal": case.title,
        **link(current),
        "rantai": [link(d) for d in chain],
    }


def _qr(url: str) -> str:
    import segno

    code = segno.make(url or "-", error="m")
    uri = code.svg_data_uri(scale=4, border=1)
    assert isinstance(uri, str)
    return uri


def build(
    document: Document, *, number: str | None = None, final: bool = False, verify_url: str = ""
) -> dict[str, Any]:
    """The template variables of ``document`` (see the module's docstring): ``number``
    overrides the number printed (the final number being taken), ``final`` prints it as the
    final document with its QR code to ``verify_url``."""
    # The document's own fields as given (perhaps not saved yet); its relations read at once.
    rel = document
    if document.pk is not None:
        rel = (
            Document.objects.select_related(
                "agency",
                "author__unit",
                "author__vendor",
                "case__requesting_unit",
                "case__application",
                "case__version",
            )
            .prefetch_related("author__positions")
            .get(pk=document.pk)
        )
    agency = rel.agency
    zone = ZoneInfo(agency.time_zone)
    people = _People(agency, zone, _ZONES.get(agency.time_zone, ""))
    case = rel.case
    kind = KINDS.get(document.kind)
    fields = document.fields if isinstance(document.fields, dict) else {}
    isian = _isian(document.kind, fields)

    signatories = list(
        Signatory.objects.filter(document_id=document.pk)
        .select_related("person__unit", "person__vendor")
        .prefetch_related("person__positions")
        .order_by("order", "pk")
    )
    signers = [people.signatory(s) for s in signatories if s.role == SignatoryRole.SIGN]
    initials = [people.signatory(s) for s in signatories if s.role == SignatoryRole.INITIAL]
    parties = [s for s in signers if s["label"].strip().lower() != "mengetahui"]
    knowing = [s for s in signers if s["label"].strip().lower() == "mengetahui"]

    application = case.application
    attachments = isian.get("attachments") or []
    date = document.date
    author = people.person(rel.author)
    return {
        "jenis": {
            "kode": document.kind,
            "nama": kind.label if kind else document.kind,
            "berita_acara": kind.minutes if kind else True,
        },
        "dokumen": {
            "judul": document.title,
            "nomor": number if number is not None else (document.number or document.draft_number),
            "final": final,
            "tanggal": date.isoformat(),
            "tanggal_teks": words.long_date(date),
            "hari": words.day_name(date),
            "kalimat_tanggal": words.date_sentence(date),
            "tempat": document.place or str(fields.get("place", "") or ""),
            "sifat": str(fields.get("nature", "") or "Biasa"),
            "perihal": str(fields.get("subject", "") or document.title),
            "lampiran": (
                f"{len(attachments)} ({words.terbilang(len(attachments))}) berkas"
                if attachments
                else "-"
            ),
        },
        "kop": _kop(rel, rel.author.unit, agency, people),
        "instansi": {"nama": agency.name, "singkatan": agency.short_name},
        "kasus": {
            "nomor": case.reference,
            "judul": case.title,
            "uraian": case.description,
            "dibuka": words.long_date(case.opened_at.astimezone(zone).date()),
            "prosedur": case.version.title,
        },
        "unit_pemohon": {
            "nama": case.requesting_unit.name,
            "kepala": _head_of(case.requesting_unit, people),
        },
        "aplikasi": (
            {
                "nama": application.name,
                "singkatan": application.short_name,
                "url": (application.urls or [""])[0],
                "versi": str(fields.get("version", "") or ""),
            }
            if application is not None
            else None
        ),
        "kontrak": _contract(rel.case, date),
        "pihak_pertama": parties[0] if parties else None,
        "pihak_kedua": parties[1] if len(parties) > 1 else None,
        "mengetahui": knowing,
        "penandatangan": signers,
        "paraf": initials,
        "penulis": {"nama": author["nama"], "jabatan": author["jabatan"]},
        "isian": isian,
        "disposisi": (
            _disposition(document, case, people) if document.kind == "lembar_disposisi" else None
        ),
        "verifikasi": (
            {"kode": document.code, "url": verify_url, "qr": _qr(verify_url)} if final else None
        ),
    }
