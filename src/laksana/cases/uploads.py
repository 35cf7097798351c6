"""Checking uploads: size, type by content (never by name), images verified, thumbnails."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from laksana.engine.artifacts import FILE_KINDS

ALLOWED_TYPES = {t for kind, types in FILE_KINDS.items() for t in types}
THUMBNAIL_SIZE = (320, 320)


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


def sniff(content: bytes, name: str) -> str:
    """The content type of the bytes, judged by their content; plain text by decoding."""
    kind = filetype.guess(content)
    if kind is not None:
        return str(kind.mime)
    if name.lower().endswith((".txt", ".csv")):
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
        return "text/csv" if name.lower().endswith(".csv") else "text/plain"
    return "application/octet-stream"


def check_upload(upload: UploadedFile[bytes]) -> CheckedUpload:
    """Read and check an upload, or raise :class:`UploadRejected` with a clear reason."""
    name = (upload.name or "berkas").replace("\\", "/").rsplit("/", 1)[-1][:200] or "berkas"
    limit = settings.LAKSANA_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadRejected(
            _("%(name)s is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"name": name, "size": round(upload.size / 1e6, 1), "limit": round(limit / 1e6)}
        )
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise UploadRejected(
            _("%(name)s is too large; the limit is %(limit)s MB.")
            % {"name": name, "limit": round(limit / 1e6)}
        )
    if not content:
        raise UploadRejected(_("%(name)s is empty.") % {"name": name})
    content_type = sniff(content, name)
    if content_type not in ALLOWED_TYPES:
        raise UploadRejected(
            _(
                "%(name)s is not an accepted kind of file (PDF, image, office document, video, "
                "archive or text)."
            )
            % {"name": name}
        )
    thumbnail = None
    if content_type.startswith("image/"):
        thumbnail = _verify_image(name, content)
    return CheckedUpload(
        name=name,
        content=content,
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
        thumbnail=thumbnail,
    )


def _verify_image(name: str, content: bytes) -> bytes:
    """Decode the image fully (a broken or forged image is refused) and make a thumbnail."""
    try:
        with Image.open(io.BytesIO(content)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=80)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise UploadRejected(_("%(name)s is not a valid image.") % {"name": name}) from exc
    return out.getvalue()
