"""Checking uploads: size, type by content (never by name), containers, images, file names.

Every uploaded file of a case or of the catalogue passes :func:`check_upload` before anything
is stored; a refused file raises :class:`UploadRejected` with a message naming the file, what
is wrong with it and what is accepted. The checks, in order:

1. the name kept for display is cleaned (:func:`display_name`): directories are dropped,
   characters that mean nothing in a name are refused; the stored file's path is generated
   (``cases/<case>/<uuid>.<ext>``) and never comes from this name;
2. the size: at most ``LAKSANA_MAX_UPLOAD_BYTES``, counted on the bytes actually read (a
   declared size is not trusted) and bounded while the request is received
   (:class:`LimitedUploadHandler`);
3. the type, judged from the bytes (:func:`sniff`); it must be one of the accepted kinds
   (:data:`laksana.engine.artifacts.FILE_KINDS`) and the name's extension must not claim
   another accepted type (a ZIP named ``.docx``, a PNG named ``.pdf``);
4. polyglots: a file that is also a ZIP archive, or an image carrying HTML or script;
5. ZIP containers (ZIP archives and office documents) from their central directory only,
   never extracted: member count, total uncompressed size, compression ratio, member names
   (no traversal), nested archives, macros, and the office structure the name claims;
6. images decoded completely with Pillow, with a pixel limit checked before decoding
   (decompression bombs), then a thumbnail.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from laksana.engine.artifacts import FILE_KINDS

ALLOWED_TYPES = {t for kind, types in FILE_KINDS.items() for t in types}
THUMBNAIL_SIZE = (320, 320)

MAX_NAME_LENGTH = 150
"""The longest name kept for display; a longer one is shortened, its extension kept."""
MAX_IMAGE_PIXELS = 40_000_000
"""The largest image accepted, in pixels (40 megapixels: 8000 x 5000); checked from the
image's header before it is decoded, so a small file claiming a huge image is refused."""
MAX_DECODED_PIXELS = 16_000_000
"""The largest image other than a JPEG (decoded reduced) accepted: decoded whole, <= 64 MB."""
MAX_ZIP_MEMBERS = 2_000
"""The most files a ZIP archive or office document may hold."""
MAX_ZIP_UNCOMPRESSED = 200_000_000
"""The largest total size of a ZIP container's files once uncompressed (200 MB)."""
MAX_ZIP_RATIO = 100
"""The highest compression ratio of one member larger than :data:`ZIP_RATIO_FLOOR`."""
ZIP_RATIO_FLOOR = 1024 * 1024
"""Members up to this size (1 MiB) may compress better than :data:`MAX_ZIP_RATIO` (a small
text of spaces does); beyond it, such a ratio marks a decompression bomb."""
MAX_NESTED_BYTES = 20 * 1024 * 1024
"""The largest document embedded in an office document or archive (a spreadsheet in a
report) that is opened to be checked in turn; a larger embedded container is refused."""

# Extensions per accepted type: the first is the one added to a name without one.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/gif": (".gif",),
    "application/msword": (".doc", ".dot"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.ms-powerpoint": (".ppt", ".pps"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "application/vnd.oasis.opendocument.presentation": (".odp",),
    "video/mp4": (".mp4", ".m4v"),
    "video/webm": (".webm",),
    "video/quicktime": (".mov", ".qt"),
    "application/zip": (".zip",),
    "application/x-7z-compressed": (".7z",),
    "application/gzip": (".gz", ".tgz"),
    "text/plain": (".txt",),
    "text/csv": (".csv",),
}
_TYPE_OF_EXTENSION = {ext: t for t, exts in EXTENSIONS.items() for ext in exts}

_DOCX, _XLSX, _PPTX = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)
# The part that makes an Office Open XML package a document, spreadsheet or presentation.
_OOXML_MAIN = {"word/document.xml": _DOCX, "xl/workbook.xml": _XLSX, "ppt/presentation.xml": _PPTX}
_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
_ZIP_TYPES = {"application/zip", *_OOXML_MAIN.values(), *_ODF_TYPES}
# What reading a damaged ZIP file raises.
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, zlib.error)

# Signatures of archives, to find one inside another.
_ARCHIVE_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"MSCF", "cab"),
)
_ARCHIVE_EXTENSIONS = frozenset(
    [
        ".zip",
        ".7z",
        ".gz",
        ".tgz",
        ".rar",
        ".tar",
        ".bz2",
        ".xz",
        ".cab",
        ".iso",
        ".jar",
        ".war",
        ".apk",
        ".z",
        ".lz",
        ".lzma",
        ".zst",
    ]
)
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(1, 10)]
    + [f"lpt{i}" for i in range(1, 10)]
)
# Characters Windows does not allow in a file name; replaced so a download keeps its name.
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
# Markup a browser would run, found in an image (an HTML or SVG file named .png, a polyglot).
_ACTIVE_MARKUP = re.compile(rb"<\s*(script|html|svg|iframe|object|embed|body)[\s>/]", re.I)
# The start of a document a browser would read as HTML or XML, in a text file.
_MARKUP_START = re.compile(
    rb"^(\xef\xbb\xbf)?\s*<\s*(!doctype|html|svg|\?xml|script|head|body)", re.I
)


class UploadRejected(ValueError):
    """An upload that is not stored; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks, with its sniffed type and digest."""

    name: str
    content: bytes
    content_type: str
    sha256: str
    thumbnail: bytes | None


def max_upload_bytes() -> int:
    return int(settings.LAKSANA_MAX_UPLOAD_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f}".removesuffix(".0")


# --- names -----------------------------------------------------------------------------------


def display_name(raw: str | None) -> str:
    """The name kept for display and offered on download, cleaned from what was sent.

    Sanitised (an honest browser or program may send them): directories before the name
    (``../../etc/passwd.pdf``, ``C:\\Users\\x\\surat.pdf``, ``/tmp/x.pdf``) are dropped,
    spaces and dots around it trimmed, characters Windows forbids replaced by ``_``, a Windows
    device name (``CON.pdf``) prefixed with ``_``, a name too long shortened (its extension
    kept). Refused: control characters and NUL bytes, and invisible formatting characters
    (a right-to-left override hides the real extension), which no honest name holds, and a
    name with nothing left (only dots or spaces)."""
    text = raw or ""
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc" or (category == "Cf" and ch != "\u200d"):
            raise UploadRejected(
                _(
                    "The file name %(name)s contains control or invisible characters; rename "
                    "the file using letters, digits, spaces and punctuation only."
                )
                % {"name": ascii(text)[:80]}
            )
    text = unicodedata.normalize("NFC", text)
    base = re.split(r"[\\/]", text)[-1]
    if re.fullmatch(r"[A-Za-z]:.*", base):  # a drive letter: C:surat.pdf
        base = base[2:]
    base = _WINDOWS_FORBIDDEN.sub("_", base).strip(" .")
    if not base:
        raise UploadRejected(
            _("The file name %(name)s has no usable name; rename the file.") % {"name": text[:80]}
        )
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    if stem.split(".")[0].strip().lower() in _WINDOWS_RESERVED:
        base = "_" + base
    if len(base) > MAX_NAME_LENGTH:
        suffix = ("." + ext) if dot and len(ext) <= 10 else ""
        base = base[: MAX_NAME_LENGTH - len(suffix)].rstrip(" .") + suffix
    return base


def _extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def _named_for(name: str, content_type: str) -> str:
    """The name with an extension of its real type, so a download opens in the program that
    reads it: kept when it has one; otherwise the type's extension replaces an extension of
    another accepted type (``layar.jpg`` that is a PNG becomes ``layar.png``) or is added
    (``scan`` becomes ``scan.pdf``, ``x.exe`` holding a PDF ``x.exe.pdf``). A plain ZIP
    named as an office document is refused: it is not the document it claims to be."""
    ext = _extension(name)
    expected = EXTENSIONS.get(content_type, ())
    if not expected or ext in expected:
        return name
    claimed = _TYPE_OF_EXTENSION.get(ext)
    if claimed is None:
        return name + expected[0]
    if content_type == "application/zip" and claimed in _ZIP_TYPES:
        raise UploadRejected(
            _(
                "%(name)s is named as an office document (%(ext)s) but is not one: it is a ZIP "
                "archive without the parts of such a document. Save it again from the office "
                "program, or name it .zip."
            )
            % {"name": name, "ext": ext}
        )
    return name[: -len(ext)] + expected[0]


def _type_label(content_type: str) -> str:
    exts = EXTENSIONS.get(content_type)
    return f"{exts[0][1:].upper()} ({content_type})" if exts else content_type


# --- the check -------------------------------------------------------------------------------


def sniff(content: bytes, name: str) -> str:
    """The content type of the bytes, judged by their content; ZIP containers by their
    central directory, plain text by decoding."""
    if content[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_type(content)
    kind = filetype.guess(content)
    if kind is not None:
        return str(kind.mime)
    if name.lower().endswith((".txt", ".csv")):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
        if "\x00" in text:
            return "application/octet-stream"
        return "text/csv" if name.lower().endswith(".csv") else "text/plain"
    return "application/octet-stream"


def _zip_type(content: bytes) -> str:
    """A ZIP container's type from its member names: an office document when it has the
    parts of one, otherwise a plain ZIP archive (application/octet-stream: unreadable)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                for part, content_type in _OOXML_MAIN.items():
                    if part in names:
                        return content_type
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    declared = archive.read(info).decode("ascii", "replace").strip()
                    if declared in _ODF_TYPES:
                        return declared
    except _DAMAGED:
        return "application/octet-stream"
    except NotImplementedError:  # an unknown compression method of the mimetype member
        return "application/zip"
    return "application/zip"


def check_upload(upload: UploadedFile[bytes]) -> CheckedUpload:
    """Read and check an upload, or raise :class:`UploadRejected` with a clear reason."""
    name = display_name(upload.name or "berkas")
    limit = max_upload_bytes()
    # A size one byte over the limit is what LimitedUploadHandler kept of a larger file.
    if upload.size is not None and upload.size > limit + 1:
        raise UploadRejected(
            _("%(name)s is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"name": name, "size": _megabytes(upload.size), "limit": _megabytes(limit)}
        )
    # At most one byte more than the limit is read, whatever size the upload declared.
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise UploadRejected(
            _("%(name)s is too large; the limit is %(limit)s MB.")
            % {"name": name, "limit": _megabytes(limit)}
        )
    if not content:
        raise UploadRejected(_("%(name)s is empty.") % {"name": name})
    content_type = sniff(content, name)
    if content_type not in ALLOWED_TYPES:
        raise UploadRejected(
            _(
                "%(name)s is not an accepted kind of file: its content is not a PDF, an image "
                "(JPEG, PNG, WebP, GIF), an office document, a video (MP4, WebM, MOV), an "
                "archive (ZIP, 7z, gzip) or text (.txt, .csv)."
            )
            % {"name": name}
        )
    name = _named_for(name, content_type)
    _refuse_polyglot(name, content, content_type)
    thumbnail = None
    if content_type in _ZIP_TYPES:
        check_zip(name, content, content_type)
    elif content_type == "application/gzip":
        _check_gzip(name, content)
    elif content_type.startswith("image/"):
        thumbnail = _verify_image(name, content)
    return CheckedUpload(
        name=name,
        content=content,
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
        thumbnail=thumbnail,
    )


def _refuse_polyglot(name: str, content: bytes, content_type: str) -> None:
    """A file that is two things at once: a PDF, image, video or text that is also a ZIP
    archive (read from its end), an image carrying markup a browser runs, a text that is an
    HTML or XML document."""
    if content_type not in _ZIP_TYPES and zipfile.is_zipfile(io.BytesIO(content)):
        raise UploadRejected(
            _(
                "%(name)s is at the same time a %(kind)s and a ZIP archive; such a file is not "
                "accepted. Upload the two separately."
            )
            % {"name": name, "kind": _type_label(content_type)}
        )
    if content_type.startswith("image/") and _ACTIVE_MARKUP.search(content):
        raise UploadRejected(
            _(
                "%(name)s is an image that also contains HTML or script; such a file is not "
                "accepted. Export the image again from an image program."
            )
            % {"name": name}
        )
    if content_type.startswith("text/") and _MARKUP_START.match(content):
        raise UploadRejected(
            _(
                "%(name)s is an HTML or XML document, not plain text; such files are not "
                "accepted. Save it as PDF instead."
            )
            % {"name": name}
        )


# --- ZIP containers --------------------------------------------------------------------------


def check_zip(name: str, content: bytes, content_type: str = "application/zip") -> None:
    """Check a ZIP archive or office document from its central directory, without
    extracting it; raise :class:`UploadRejected` naming the first problem."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_members(name, archive, content_type, depth=0, total=[0])
    except UploadRejected:
        raise
    except _DAMAGED as exc:
        raise UploadRejected(
            _("%(name)s is a damaged ZIP file and cannot be read.") % {"name": name}
        ) from exc


def _bomb(name: str, detail: str) -> UploadRejected:
    return UploadRejected(
        _(
            "%(name)s is refused: %(detail)s. It may be a decompression bomb; archives and "
            "office documents may hold at most %(members)s files and %(size)s MB uncompressed."
        )
        % {
            "name": name,
            "detail": detail,
            "members": MAX_ZIP_MEMBERS,
            "size": _megabytes(MAX_ZIP_UNCOMPRESSED),
        }
    )


def _check_members(
    name: str, archive: zipfile.ZipFile, content_type: str, *, depth: int, total: list[int]
) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _bomb(name, _("it holds %(count)s files") % {"count": len(infos)})
    seen: set[str] = set()
    for info in infos:
        _check_member_name(name, info.filename)
        key = info.filename
        if key in seen:
            raise UploadRejected(
                _("%(name)s holds the file %(member)s twice; such an archive is not accepted.")
                % {"name": name, "member": info.filename}
            )
        seen.add(key)
        if info.file_size > ZIP_RATIO_FLOOR and (
            info.compress_size == 0 or info.file_size / info.compress_size > MAX_ZIP_RATIO
        ):
            raise _bomb(
                name,
                _("%(member)s is compressed more than %(ratio)s times")
                % {"member": info.filename, "ratio": MAX_ZIP_RATIO},
            )
        total[0] += info.file_size
        if total[0] > MAX_ZIP_UNCOMPRESSED:
            raise _bomb(name, _("its files are larger than that uncompressed"))
    if content_type in _OOXML_MAIN.values() and any(
        n.lower().endswith("vbaproject.bin") for n in seen
    ):
        raise UploadRejected(
            _(
                "%(name)s contains macros; documents with macros are not accepted. Save it "
                "without macros (.docx, .xlsx, .pptx)."
            )
            % {"name": name}
        )
    for info in infos:
        if info.is_dir() or info.file_size == 0:
            continue
        _check_nested(name, archive, info, depth=depth, total=total)


def _check_member_name(name: str, member: str) -> None:
    parts = member.split("/")
    bad = (
        not member
        or member.startswith("/")
        or "\\" in member
        or re.match(r"[A-Za-z]:", member) is not None
        or ".." in parts
        or any(unicodedata.category(ch) == "Cc" for ch in member)
    )
    if bad:
        raise UploadRejected(
            _(
                "%(name)s holds a file with an unsafe path (%(member)s): an absolute path, a "
                "drive letter, a backslash or '..' would write outside the folder it is "
                "unpacked into. Such an archive is not accepted."
            )
            % {"name": name, "member": ascii(member)[:120]}
        )


def _check_nested(
    name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, depth: int, total: list[int]
) -> None:
    """A member that is itself an archive: a ZIP container (an embedded spreadsheet) is
    checked in turn, one level deep; any other archive, or a deeper one, is refused."""
    try:
        with archive.open(info) as member:
            head = member.read(8)
    except NotImplementedError:
        return  # a compression method zipfile cannot read: the member is not inspected
    except RuntimeError:
        return  # an encrypted member: its content cannot be inspected
    kind = next((k for magic, k in _ARCHIVE_MAGIC if head.startswith(magic)), None)
    if kind is None and _extension(info.filename) not in _ARCHIVE_EXTENSIONS:
        return
    if kind != "zip" or depth >= 1 or info.file_size > MAX_NESTED_BYTES:
        raise UploadRejected(
            _(
                "%(name)s contains another archive (%(member)s); archives inside archives are "
                "not accepted. Upload its files directly."
            )
            % {"name": name, "member": info.filename}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(archive.read(info))) as inner:
            _check_members(
                f"{name}/{info.filename}", inner, "application/zip", depth=depth + 1, total=total
            )
    except UploadRejected:
        raise
    except _DAMAGED as exc:
        raise UploadRejected(
            _("%(name)s contains a damaged archive (%(member)s).")
            % {"name": name, "member": info.filename}
        ) from exc


def _check_gzip(name: str, content: bytes) -> None:
    """Decompress a gzip file in memory, stopping at :data:`MAX_ZIP_UNCOMPRESSED`."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    size = 0
    data = content
    try:
        while data:
            chunk = inflater.decompress(data, 1024 * 1024)
            size += len(chunk)
            if size > MAX_ZIP_UNCOMPRESSED:
                raise _bomb(name, _("its content is larger than that uncompressed"))
            data = inflater.unconsumed_tail
            if not data and inflater.eof and inflater.unused_data:
                # Another gzip member follows (concatenated gzip files).
                data = inflater.unused_data
                inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    except zlib.error as exc:
        raise UploadRejected(
            _("%(name)s is a damaged gzip file and cannot be read.") % {"name": name}
        ) from exc


# --- images ----------------------------------------------------------------------------------


def _verify_image(name: str, content: bytes) -> bytes:
    """Decode the image fully (a broken, truncated or forged image is refused), refuse one
    larger than :data:`MAX_IMAGE_PIXELS` before decoding it, and make a thumbnail."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                width, height = probe.size
                # Only a JPEG is decoded reduced (draft mode); any other image is decoded whole.
                limit = MAX_IMAGE_PIXELS if probe.format == "JPEG" else MAX_DECODED_PIXELS
                if width * height > limit:
                    raise UploadRejected(
                        _(
                            "%(name)s is too large an image (%(width)s x %(height)s pixels); "
                            "the limit is %(limit)s megapixels."
                        )
                        % {
                            "name": name,
                            "width": width,
                            "height": height,
                            "limit": limit // 1_000_000,
                        }
                    )
                probe.verify()
            with Image.open(io.BytesIO(content)) as image:
                if image.format == "JPEG":
                    image.draft("RGB", THUMBNAIL_SIZE)
                image.load()
                image.thumbnail(THUMBNAIL_SIZE)
                out = io.BytesIO()
                image.convert("RGB").save(out, format="JPEG", quality=80)
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own limit, met while reading the header (a size far beyond ours).
        raise UploadRejected(
            _("%(name)s is too large an image; the limit is %(limit)s megapixels.")
            % {"name": name, "limit": MAX_IMAGE_PIXELS // 1_000_000}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UploadRejected(
            _("%(name)s is not a valid image: it is damaged, cut short or not an image.")
            % {"name": name}
        ) from exc
    return out.getvalue()


# --- receiving -------------------------------------------------------------------------------


class LimitedUploadHandler(FileUploadHandler):
    """The first upload handler: passes at most ``LAKSANA_MAX_UPLOAD_BYTES + 1`` bytes of
    each file on to the handlers that store it (memory or a temporary file) and drops the
    rest, so a huge upload never fills the disk; :func:`check_upload` then refuses the file
    as too large, whatever size its sender declared."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        allowed = max_upload_bytes() + 1 - self.received
        self.received += len(raw_data)
        if allowed <= 0:
            return None
        return raw_data[:allowed]

    def file_complete(self, file_size: int) -> None:
        return None
