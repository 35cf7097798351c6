"""Uploaded files kept on the server between a preview and its confirmation (the staff
import's "Terapkan"), never in the session or the page.

:func:`keep` stores the bytes under a random token and returns it; the page carries only the
token. :func:`take` gives the bytes back only to the same person, for the same agency, within
:data:`LIFETIME`, and only if their SHA-256 is still the one recorded. The files live in a
private folder below ``MEDIA_ROOT`` under the token's hash (the token itself is never a
path), and expired ones are removed whenever a file is kept.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

LIFETIME = 30 * 60  # seconds
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "upload-previews"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(token: str) -> tuple[Path, Path]:
    name = hashlib.sha256(token.encode()).hexdigest()
    folder = _folder()
    return folder / f"{name}.bin", folder / f"{name}.json"


def keep(content: bytes, file_name: str, person_id: int | None, agency_id: int) -> str:
    """Store ``content`` for its uploader and agency; the token naming it."""
    purge()
    token = secrets.token_urlsafe(32)
    data, meta = _paths(token)
    data.write_bytes(content)
    meta.write_text(
        json.dumps(
            {
                "person": person_id,
                "agency": agency_id,
                "name": file_name[:200],
                "at": time.time(),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        )
    )
    return token


def take(token: str, person_id: int | None, agency_id: int) -> tuple[str, bytes] | None:
    """The file's name and bytes, if ``token`` names a file kept for this person and agency
    that has not expired and is unchanged; else None."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    data, meta = _paths(token)
    try:
        info = json.loads(meta.read_text())
        content = data.read_bytes()
    except (OSError, ValueError):
        return None
    if (
        info.get("person") != person_id
        or info.get("agency") != agency_id
        or time.time() - float(info.get("at", 0)) > LIFETIME
        or hashlib.sha256(content).hexdigest() != info.get("sha256")
    ):
        return None
    return str(info.get("name", "")), content


def drop(token: str) -> None:
    """Remove the file ``token`` names (once applied)."""
    if isinstance(token, str) and _TOKEN.match(token):
        for path in _paths(token):
            path.unlink(missing_ok=True)


def purge() -> None:
    """Remove the kept files older than :data:`LIFETIME`."""
    limit = time.time() - LIFETIME
    for path in _folder().glob("*.*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue
