"""``laksana procedure ACTION``: work with procedure files from the command line.

- ``check FILE...`` loads each file and prints every problem as ``file:line:col: message``
  (the form editors and CI logs link to), ``FILE: ok (...)`` for a clean file, and a summary;
  the exit status is 1 when any file has a problem.
- ``render FILE --format html|pdf|svg|bpmn -o OUT`` writes the official document.
- ``types`` lists the registered artifact types a procedure may use.
- ``import-docx FILE.docx -o OUT.yaml`` turns an SOP AP Word document into a draft, prints
  what the author must confirm and the draft's check; 0 when it checks clean, 1 when not,
  2 for a file that is not a .docx or has no flowchart table.
- ``publish FILE... --agency SLUG [--by USERNAME]`` publishes files as the agency's next
  versions; ``adopt KEY... --agency SLUG [--by USERNAME]`` publishes shipped SOPs (templates)
  as the agency's own. Without ``--by`` it is the installation's operator; with it, that
  person must be a procedure administrator of the agency.

Problems are never shown as a traceback: a missing file, a folder or a broken file are all
reported as lines of the same form.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.engine.artifacts import known_types
from laksana.engine.loader import ProcedureErrors, load_procedure
from laksana.engine.spec import ProcedureSpec
from laksana.procedures import draft_command


def _render_html(spec: ProcedureSpec) -> bytes:
    from laksana.engine.render.html import render_html

    return render_html(spec).encode("utf-8")


def _render_pdf(spec: ProcedureSpec) -> bytes:
    # Imported on use: WeasyPrint (and its system libraries) load only when a PDF is asked for.
    from laksana.documents.pdf import render_pdf

    return render_pdf(spec)


def _render_svg(spec: ProcedureSpec) -> bytes:
    from laksana.engine.render.svg import render_svg

    return render_svg(spec).encode("utf-8")


def _render_bpmn(spec: ProcedureSpec) -> bytes:
    from laksana.engine.render.bpmn import render_bpmn

    return render_bpmn(spec).encode("utf-8")


RENDERERS: dict[str, Callable[[ProcedureSpec], bytes]] = {
    "html": _render_html,
    "pdf": _render_pdf,
    "svg": _render_svg,
    "bpmn": _render_bpmn,
}
# Output file suffix -> format, so `-o sop.pdf` needs no --format.
SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".svg": "svg", ".bpmn": "bpmn"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def describe(spec: ProcedureSpec) -> str:
    """The short size of a checked procedure: ``N steps, M actors, K decisions``."""
    decisions = sum(1 for step in spec.steps if step.is_decision)
    return ", ".join(
        (
            _plural(len(spec.steps), "step"),
            _plural(len(spec.actors), "actor"),
            _plural(decisions, "decision"),
        )
    )


class Command(BaseCommand):
    help = "Check, render and inspect procedure (SOP) files."

    # Checking files needs no database and no migrations.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

        check = actions.add_parser(
            "check", help="Check procedure files; report every problem as file:line:col."
        )
        check.add_argument("files", nargs="+", metavar="FILE", help="procedure YAML files")

        render = actions.add_parser("render", help="Render a procedure as a document.")
        render.add_argument("file", metavar="FILE", help="procedure YAML file")
        render.add_argument(
            "--format",
            "-f",
            choices=sorted(RENDERERS),
            help="document format (default: from the output file's suffix, else html)",
        )
        render.add_argument(
            "--output",
            "-o",
            metavar="OUT",
            help="file to write; '-' writes to standard output (default: FILE's name with "
            "the format's suffix, in the current folder)",
        )

        actions.add_parser("types", help="List the registered artifact types.")

        import_docx = actions.add_parser(
            "import-docx", help="Turn an SOP AP Word document into a draft procedure file."
        )
        import_docx.add_argument("file", metavar="FILE", help="the SOP AP document (.docx)")
        import_docx.add_argument(
            "--output", "-o", metavar="OUT", required=True, help="the draft YAML file to write"
        )

        publish = actions.add_parser(
            "publish",
            help="Publish procedure files as new numbered versions (unchanged text: no new "
            "version); every file must pass the checks.",
        )
        publish.add_argument("files", nargs="+", metavar="FILE", help="procedure YAML files")
        adopt = actions.add_parser(
            "adopt",
            help="Adopt shipped SOPs (templates) as the agency's own published procedures.",
        )
        adopt.add_argument("keys", nargs="+", metavar="KEY", help="keys of shipped SOPs")
        draft_command.add_parser(actions)
        for parser_ in (publish, adopt):
            parser_.add_argument(
                "--agency", metavar="SLUG", help="the agency the versions belong to (required)"
            )
            parser_.add_argument(
                "--by",
                metavar="USERNAME",
                help="publish as this person (a procedure administrator of the agency); "
                "default: the installation's operator",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check":
            self.check_files(options["files"])
        elif action == "render":
            self.render_file(options["file"], options["format"], options["output"])
        elif action == "types":
            self.list_types()
        elif action == "import-docx":
            self.import_docx(options["file"], options["output"])
        elif action == "publish":
            agency, by = self.publisher(options["agency"], options["by"])
            self.publish_files(options["files"], agency, by)
        elif action == "adopt":
            agency, by = self.publisher(options["agency"], options["by"])
            self.adopt_keys(options["keys"], agency, by)
        elif action == "draft":
            draft_command.handle(options, self.stdout)
        else:  # argparse only lets the seven actions through
            raise CommandError(f"unknown action {action!r}")

    # --- check ---------------------------------------------------------------------------

    def _load(self, file: str) -> tuple[ProcedureSpec | None, int]:
        """The checked spec and 0, or None and the number of problems, each one printed."""
        try:
            return load_procedure(file), 0
        except ProcedureErrors as exc:
            for error in exc.errors:
                self.stdout.write(str(error))
            return None, len(exc.errors)
        except (OSError, UnicodeDecodeError) as exc:
            # The loader reports these itself; this is the last guard against a traceback.
            self.stdout.write(f"{file}:1:1: cannot be read: {exc}")
            return None, 1

    def check_files(self, files: list[str]) -> None:
        failed = 0
        errors = 0
        for file in files:
            spec, problems = self._load(file)
            if spec is None:
                failed += 1
                errors += problems
            else:
                self.stdout.write(f"{file}: ok ({describe(spec)})")
        checked = _plural(len(files), "file")
        if failed:
            self.stdout.write(
                f"{checked} checked: {len(files) - failed} ok, {failed} with problems "
                f"({_plural(errors, 'problem')})."
            )
            raise CommandError(
                f"{_plural(errors, 'problem')} in {_plural(failed, 'file')}.", returncode=1
            )
        self.stdout.write(f"{checked} checked: all ok.")

    # --- render --------------------------------------------------------------------------

    def render_file(self, file: str, fmt: str | None, output: str | None) -> None:
        if fmt is None:
            suffix = Path(output).suffix.lower() if output and output != "-" else ""
            fmt = SUFFIX_FORMATS.get(suffix, "html")
        spec, problems = self._load(file)
        if spec is None:
            raise CommandError(
                f"{file}: not rendered, {_plural(problems, 'problem')}.", returncode=1
            )
        content = RENDERERS[fmt](spec)
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        target = Path(output) if output else Path(f"{Path(file).stem}.{fmt}")
        try:
            target.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"{target}: cannot write: {exc.strerror}", returncode=1) from None
        self.stdout.write(f"{target}: written ({fmt}, {len(content)} bytes)")

    # --- import-docx ---------------------------------------------------------------------

    def import_docx(self, file: str, output: str) -> None:
        """Write the draft, print what to confirm and the check's problems; exit 1 when the
        draft does not check clean, 2 when the file cannot be imported."""
        from laksana.procedures.docx_confirm import ImportRefused
        from laksana.procedures.docx_import import import_docx

        try:
            draft = import_docx(file)
        except ImportRefused as exc:
            raise CommandError(str(exc), returncode=2) from None
        try:
            Path(output).write_text(draft.yaml(), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{output}: cannot write: {exc.strerror}", returncode=2) from None
        self.stdout.write(f"{output}: written from {file}")
        if draft.to_confirm:
            self.stdout.write(f"To confirm ({len(draft.to_confirm)}):")
            for item in draft.to_confirm:
                self.stdout.write(f"  - {item}")
        spec, problems = self._load(output)
        if spec is None:
            raise CommandError(
                f"{output}: the draft does not check clean, {_plural(problems, 'problem')}.",
                returncode=1,
            )
        self.stdout.write(f"{output}: ok ({describe(spec)})")

    # --- publish -------------------------------------------------------------------------

    def publisher(self, slug: str | None, username: str | None) -> tuple[Any, Any]:
        """The agency named by ``--agency`` and the person named by ``--by`` (or None)."""
        from laksana.org.models import Agency, Person

        if not slug:
            raise CommandError(
                "name the agency the procedures belong to: --agency SLUG", returncode=2
            )
        agency = Agency.objects.filter(slug=slug).first()
        if agency is None:
            raise CommandError(f"no agency with the slug {slug!r}", returncode=2)
        if not username:
            return agency, None
        person = Person.objects.filter(user__username=username).first()
        if person is None:
            raise CommandError(f"no person with the user name {username!r}", returncode=2)
        return agency, person

    def publish_files(self, files: list[str], agency: Any, by: Any) -> None:
        # Imported here: checking and rendering need no database, publishing does.
        from laksana.procedures.services import (
            PublishRefused,
            check_may_publish,
            load_publishable,
            publish,
        )

        try:
            check_may_publish(agency, by)
        except PublishRefused as exc:
            raise CommandError(exc.message, returncode=1) from None
        failed = 0
        for file in files:
            spec, _problems = self._load(file)
            text = Path(file).read_text(encoding="utf-8") if spec is not None else ""
            if spec is not None:
                try:
                    load_publishable(text, file)
                except ProcedureErrors as exc:
                    for error in exc.errors:
                        self.stdout.write(str(error))
                    spec = None
            if spec is None:
                failed += 1
                continue
            before = publish_count(agency, spec.id)
            version = publish(text, Path(file).name, agency, by)
            state = "published" if publish_count(agency, spec.id) > before else "unchanged"
            self.stdout.write(
                f"{file}: {state}, {version.procedure_key} version {version.number} "
                f"of {agency.slug}"
            )
        if failed:
            raise CommandError(
                f"{_plural(failed, 'file')} not published: fix the problems above.", returncode=1
            )

    def adopt_keys(self, keys: list[str], agency: Any, by: Any) -> None:
        from laksana.procedures import library
        from laksana.procedures.services import PublishRefused, adopt

        unknown = [k for k in keys if k not in {e.id for e in library.entries()}]
        if unknown:
            raise CommandError(f"no shipped SOP {', '.join(unknown)}", returncode=2)
        for key in keys:
            before = publish_count(agency, key)
            try:
                version = adopt(key, agency, by)
            except PublishRefused as exc:
                raise CommandError(exc.message, returncode=1) from None
            state = "adopted" if publish_count(agency, key) > before else "unchanged"
            self.stdout.write(f"{key}: {state}, version {version.number} of {agency.slug}")

    # --- types ---------------------------------------------------------------------------

    def list_types(self) -> None:
        types = known_types()
        width = max((len(name) for name, _ in types), default=0)
        for name, label in types:
            self.stdout.write(f"{name.ljust(width)}  {label}")


def publish_count(agency: Any, procedure_key: str) -> int:
    """How many versions of a procedure the agency has published."""
    from laksana.procedures.models import ProcedureVersion

    return ProcedureVersion.objects.filter(agency=agency, procedure_key=procedure_key).count()
