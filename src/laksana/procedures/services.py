"""Publishing procedures: the only code that writes procedure versions.

A version belongs to the agency that published it, and is numbered per agency and procedure.
The shipped SOPs are templates: an agency adopts one as its own copy (:func:`adopt`). Only the
agency's procedure administrators (and the installation's superuser) may publish; a
publication by nobody's person is the installation's operator at the command line.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from laksana.engine.loader import LoadError, ProcedureErrors, load_text
from laksana.engine.sourcerows import printed_length
from laksana.engine.spec import Position, ProcedureSpec
from laksana.org import roles
from laksana.org.models import Agency, Person
from laksana.procedures.library import PROCEDURES_DIR
from laksana.procedures.models import ProcedureVersion

# The size of a procedure that may be published: every document of one this size renders in
# a few seconds (the PDF, the slowest, grows far faster than the size: a table column per
# actor, text wrapped in it; docs/procedure-format.md gives the measured figures). The
# largest shipped SOP has 24 steps, 9 actors, 2,121 characters of step text and 14 kB.
MAX_SOURCE_BYTES = 64 * 1024
MAX_STEPS = 60
MAX_ACTORS = 10
MAX_STEP_TEXT = 8000  # characters of the table's texts: activities, notes, requirements, output


class PublishRefused(Exception):
    """The person may not publish procedures of this agency."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _too_large(filename: str, message: str) -> ProcedureErrors:
    return ProcedureErrors([LoadError(Position(filename, 1, 1), message)])


def check_size(source: str, filename: str) -> None:
    """Refuse source text over :data:`MAX_SOURCE_BYTES` before it is parsed."""
    size = len(source.encode("utf-8"))
    if size > MAX_SOURCE_BYTES:
        raise _too_large(
            filename,
            _("the procedure is %(size)s kB; the limit is %(limit)s kB")
            % {"size": size // 1024, "limit": MAX_SOURCE_BYTES // 1024},
        )


def check_bounds(spec: ProcedureSpec, filename: str) -> None:
    """Refuse a procedure with more steps, actors or text than its documents render
    quickly."""
    problems = []
    if len(spec.steps) > MAX_STEPS:
        problems.append(
            _("the procedure has %(n)s steps; the limit is %(limit)s")
            % {"n": len(spec.steps), "limit": MAX_STEPS}
        )
    if len(spec.actors) > MAX_ACTORS:
        problems.append(
            _("the procedure has %(n)s actors; the limit is %(limit)s")
            % {"n": len(spec.actors), "limit": MAX_ACTORS}
        )
    text = sum(printed_length(s) for s in spec.steps)
    if text > MAX_STEP_TEXT:
        problems.append(
            _("the steps' texts have %(n)s characters; the limit is %(limit)s")
            % {"n": text, "limit": MAX_STEP_TEXT}
        )
    if problems:
        raise ProcedureErrors([LoadError(Position(filename, 1, 1), p) for p in problems])


def load_publishable(source: str, filename: str) -> ProcedureSpec:
    """The checked spec of text that may be published: within the bounds and passing every
    check of the loader (``ProcedureErrors`` otherwise)."""
    check_size(source, filename)
    spec = load_text(source, filename)
    check_bounds(spec, filename)
    return spec


def check_may_publish(agency: Agency, by: Person | None) -> None:
    """Refuse unless ``by`` may publish ``agency``'s procedures (``None``: the installation's
    operator, at the command line)."""
    if by is not None and not roles.may_publish(by, agency):
        raise PublishRefused(
            _("Only procedure administrators of %(agency)s may publish its procedures.")
            % {"agency": agency}
        )


@transaction.atomic
def publish(
    source: str, filename: str, agency: Agency, by: Person | None = None
) -> ProcedureVersion:
    """Publish procedure text as ``agency``'s next version of its procedure.

    ``by`` must be a procedure administrator of the agency (or the superuser); ``None`` is the
    installation's operator. The text must be within the bounds and pass every check
    (``ProcedureErrors`` is raised otherwise, and nothing is written). Publishing text
    identical to the agency's latest version returns that version: a new number means a real
    revision.
    """
    check_may_publish(agency, by)
    spec = load_publishable(source, filename)
    checksum = hashlib.sha256(source.encode("utf-8")).hexdigest()
    # Lock the agency's versions of the procedure so two publishers cannot take one number.
    own = ProcedureVersion.objects.filter(agency=agency, procedure_key=spec.id)
    latest = own.select_for_update().order_by("-number").first()
    if latest is not None and latest.checksum == checksum:
        return latest
    number = (own.aggregate(n=Max("number"))["n"] or 0) + 1
    return ProcedureVersion.objects.create(
        agency=agency,
        procedure_key=spec.id,
        number=number,
        title=spec.identity.title,
        sop_number=spec.identity.number,
        source=source,
        checksum=checksum,
        published_by=by,
    )


def _shipped_paths() -> list[Path]:
    return sorted(Path(PROCEDURES_DIR).glob("*.yaml"))


def adopt(procedure_key: str, agency: Agency, by: Person | None = None) -> ProcedureVersion:
    """The agency adopts a shipped SOP (a template) as its own procedure: its text is
    published as the agency's next version (unchanged text: the agency's latest). KeyError
    when no shipped SOP has this key."""
    path = next((p for p in _shipped_paths() if p.stem == procedure_key), None)
    if path is None:
        raise KeyError(procedure_key)
    return publish(path.read_text(encoding="utf-8"), path.name, agency, by)


def publish_shipped(agency: Agency, by: Person | None = None) -> list[ProcedureVersion]:
    """The agency adopts every procedure shipped with Laksana (new or changed ones get a new
    version of the agency's)."""
    return [
        publish(path.read_text(encoding="utf-8"), path.name, agency, by)
        for path in _shipped_paths()
    ]


def versions_of(agency: Agency | int | None) -> QuerySet[ProcedureVersion]:
    """The published versions of ``agency`` (none for ``None``)."""
    if agency is None:
        return ProcedureVersion.objects.none()
    agency_id = agency if isinstance(agency, int) else agency.pk
    return ProcedureVersion.objects.filter(agency_id=agency_id)


def latest_version(agency: Agency | int | None, procedure_key: str) -> ProcedureVersion | None:
    """The agency's newest version of a procedure, or None if it has published none."""
    return versions_of(agency).filter(procedure_key=procedure_key).order_by("-number").first()


def latest_versions(agency: Agency | int | None, *fields: str) -> list[ProcedureVersion]:
    """The agency's newest version of every procedure it has published, by key, in one
    statement (``agency=None``: none); with ``fields``, only those are read besides the key
    and number (a menu needs no YAML source)."""
    versions = versions_of(agency).order_by("procedure_key", "number")
    if fields:
        versions = versions.only("procedure_key", "number", *fields)
    newest: dict[str, ProcedureVersion] = {}
    for version in versions:
        newest[version.procedure_key] = version  # the last of each key has the highest number
    return list(newest.values())
