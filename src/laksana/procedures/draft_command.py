"""``laksana procedure draft ...``: a draft's YAML written to a file, a YAML file opened as a
draft of an agency (the editor's exchange format at the command line). The rules are
:mod:`laksana.procedures.drafts`'; any refusal or bad input exits 2 with its reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, OutputWrapper


def add_parser(actions: Any) -> None:
    """The ``draft`` action and its own actions, on the ``procedure`` command's parser."""
    draft = actions.add_parser("draft", help="Export a procedure draft, or open a file as one.")
    sub = draft.add_subparsers(dest="draft_action", metavar="DRAFT_ACTION", required=True)
    export = sub.add_parser("export", help="Write a draft's YAML to a file.")
    export.add_argument("draft_id", metavar="ID", type=int, help="the draft's number")
    export.add_argument("--output", "-o", metavar="FILE", required=True, help="the file to write")
    opened = sub.add_parser("open", help="Open a procedure YAML file as a new draft.")
    opened.add_argument("file", metavar="FILE", help="procedure YAML file")
    opened.add_argument("--agency", metavar="SLUG", required=True, help="the agency's slug")
    opened.add_argument(
        "--by", metavar="USERNAME", required=True, help="the author: one of the agency's staff"
    )


def handle(options: dict[str, Any], stdout: OutputWrapper) -> None:
    if options["draft_action"] == "export":
        export(options["draft_id"], options["output"], stdout)
    else:
        open_file(options["file"], options["agency"], options["by"], stdout)


def _refused(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def export(draft_id: int, output: str, stdout: OutputWrapper) -> None:
    from laksana.procedures.drafts import export_yaml
    from laksana.procedures.models import ProcedureDraft

    draft = ProcedureDraft.objects.filter(pk=draft_id).first()
    if draft is None:
        raise _refused(f"no procedure draft {draft_id}")
    try:
        Path(output).write_text(export_yaml(draft), encoding="utf-8")
    except OSError as exc:
        raise _refused(f"{output}: cannot write: {exc.strerror}") from None
    stdout.write(f"{output}: written, draft {draft.pk} ({draft.procedure_key}, {draft.state})")


def open_file(file: str, slug: str, username: str, stdout: OutputWrapper) -> None:
    from laksana.errors import ServiceError
    from laksana.org.models import Agency, Person
    from laksana.procedures import drafts

    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        raise _refused(f"no agency with the slug {slug!r}")
    person = Person.objects.filter(user__username=username).first()
    if person is None:
        raise _refused(f"no person with the user name {username!r}")
    if person.agency_id != agency.pk:
        raise _refused(f"{username} is not one of {slug}'s people")
    try:
        source = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _refused(f"{file}: cannot be read: {exc}") from None
    try:
        draft = drafts.create_from_source(person, source, origin="yaml")
    except ServiceError as exc:
        where = f" ({exc.field})" if exc.field else ""
        raise _refused(f"{file}: not opened{where}: {exc.message}") from None
    result = drafts.check(draft)
    stdout.write(
        f"{file}: opened as draft {draft.pk} of {slug} ({draft.procedure_key}); "
        + ("it checks clean" if result.ok else f"{len(result.messages)} problems to correct")
    )
    for message in result.messages:
        stdout.write(f"  {message.line}:{message.column} {message.path or '-'}: {message.text}")
