"""Publishing procedures: the only code that writes procedure versions."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.db import transaction
from django.db.models import Max

from laksana.engine.loader import load_text
from laksana.org.models import Person
from laksana.procedures.library import PROCEDURES_DIR
from laksana.procedures.models import ProcedureVersion


@transaction.atomic
def publish(source: str, filename: str, by: Person | None = None) -> ProcedureVersion:
    """Publish procedure text as the next version of its procedure.

    The text must pass every check (``ProcedureErrors`` is raised otherwise, and nothing is
    written). Publishing text identical to the latest version returns that version: a new
    number means a real revision.
    """
    spec = load_text(source, filename)
    checksum = hashlib.sha256(source.encode("utf-8")).hexdigest()
    # Lock the procedure's versions so two publishers cannot take the same number.
    latest = (
        ProcedureVersion.objects.select_for_update()
        .filter(procedure_key=spec.id)
        .order_by("-number")
        .first()
    )
    if latest is not None and latest.checksum == checksum:
        return latest
    number = (
        ProcedureVersion.objects.filter(procedure_key=spec.id).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    return ProcedureVersion.objects.create(
        procedure_key=spec.id,
        number=number,
        title=spec.identity.title,
        sop_number=spec.identity.number,
        source=source,
        checksum=checksum,
        published_by=by,
    )


def publish_shipped(by: Person | None = None) -> list[ProcedureVersion]:
    """Publish every procedure shipped with Laksana (new or changed ones get a new version)."""
    return [
        publish(path.read_text(encoding="utf-8"), path.name, by)
        for path in sorted(Path(PROCEDURES_DIR).glob("*.yaml"))
    ]


def latest_versions(*fields: str) -> list[ProcedureVersion]:
    """The newest version of every published procedure, by key, in one statement; with
    ``fields``, only those are read besides the key and number (a menu needs no YAML
    source)."""
    versions = ProcedureVersion.objects.order_by("procedure_key", "number")
    if fields:
        versions = versions.only("procedure_key", "number", *fields)
    newest: dict[str, ProcedureVersion] = {}
    for version in versions:
        newest[version.procedure_key] = version  # the last of each key has the highest number
    return list(newest.values())
