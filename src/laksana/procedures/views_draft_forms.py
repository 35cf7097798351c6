"""The draft editor: one tab of forms at a time beside the official document as a live
preview, each check's message next to the field its path names.

Each form posts one section (drafttree.SECTIONS) to drafts.save_section with the draft's
revision, or the YAML tab's text to drafts.save_source; a refused save (someone saved in
between, a shape the service refuses) shows the service's message and keeps what was typed.
The preview endpoint renders the section as typed, without saving: it writes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from laksana.engine.loader import ProcedureErrors, load_text
from laksana.engine.messages import translated
from laksana.engine.spec import ProcedureSpec
from laksana.errors import ServiceError
from laksana.org.models import Person
from laksana.procedures import documents, drafts, drafttree
from laksana.procedures import forms_draft_steps as step_forms
from laksana.procedures import forms_drafts as forms
from laksana.procedures.models import DraftState, ProcedureDraft
from laksana.procedures.views_drafts import MAX_NOTE, draft_of

log = logging.getLogger(__name__)

# The tab slugs of the URL: every section of drafttree, and the YAML source.
SECTION_TABS = tuple(slug for slug, _label in forms.TABS if slug != "yaml")
MAX_SOURCE_CHARS = 512 * 1024


def _document(spec: ProcedureSpec, source: str, agency_id: int) -> SafeString | None:
    """The official document of a draft as an HTML fragment, with the agency's logo as a
    published version prints it (None when it cannot be drawn)."""
    checksum = "draft:" + hashlib.sha256(source.encode()).hexdigest()
    try:
        return documents.html_fragment(checksum, lambda: spec, documents.agency_logo(agency_id))
    except Exception:  # the renderer on a text being written: shown as not available
        log.exception("the preview of a draft could not be rendered")
        return None


def _section_data(tab: str, post: QueryDict, tree: dict[str, Any]) -> tuple[Any, int | None]:
    """The section ``tab`` as the posted form has it, and for the steps tab the step to show."""
    saved = drafttree.section(tree, tab)
    if tab == "identity":
        return forms.read_identity(post, saved), None
    if tab == "service":
        return forms.read_service(post, saved), None
    if tab == "actors":
        return forms.read_actors(post, saved), None
    if tab == "artifacts":
        return forms.read_artifacts(post, saved), None
    if tab == "steps":
        return step_forms.read_steps(post, saved, tree)
    if tab == "flow":
        return forms.read_flow(post, saved), None
    return forms.read_notes(post, saved), None


def _renames(tab: str, post: QueryDict, tree: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The ids the posted form renamed (carried to every reference in the same save)."""
    if tab == "actors":
        return forms.row_renames(post, "actor", "actor")
    if tab == "artifacts":
        return forms.row_renames(post, "artifact", "artifact")
    if tab == "steps":
        return step_forms.step_renames(post, drafttree.section(tree, "steps"))
    return []


def _tab(request: HttpRequest) -> str:
    tab = request.GET.get("tab", "identity")
    return tab if tab in dict(forms.TABS) else "identity"


def _index(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 6 else 0


def _fields(
    tab: str, tree: dict[str, Any], index: int, typed: list[forms.Row] | None = None
) -> tuple[list[forms.Field], list[list[forms.Field]], dict[str, Any]]:
    """The active tab's single fields, its rows (``typed``: the rows as typed, when a save
    was refused for them), and what else the template needs."""
    extra: dict[str, Any] = {}
    if tab == "identity":
        return forms.identity_fields(drafttree.section(tree, "identity")), [], extra
    if tab == "service":
        return forms.service_fields(drafttree.section(tree, "service")), [], extra
    if tab == "actors":
        return [], forms.actor_rows(typed or drafttree.section(tree, "actors")), extra
    if tab == "artifacts":
        actors = [str(k) for k in drafttree.section(tree, "actors")]
        rows = forms.artifact_rows(typed or drafttree.section(tree, "artifacts"), actors)
        return [], rows, extra
    if tab == "steps":
        steps = drafttree.section(tree, "steps")
        extra["steps"] = step_forms.step_summary(steps)
        if 0 <= index < len(steps) and isinstance(steps[index], dict):
            fields, rows = step_forms.step_fields(steps[index], index, tree)
            extra["step_index"] = index
            extra["also_rows"] = step_forms.also_row_fields(steps[index], index)
            return fields, rows, extra
        return [], [], extra
    if tab == "flow":
        start, ends = forms.flow_fields(drafttree.section(tree, "flow"), step_forms.targets(tree))
        return start, ends, extra
    if tab == "notes":
        return forms.notes_fields(drafttree.section(tree, "notes")), [], extra
    return [], [], extra


def editor_context(
    person: Person,
    draft: ProcedureDraft,
    *,
    tab: str,
    index: int,
    tree: dict[str, Any] | None = None,
    source: str | None = None,
    refusal: ServiceError | None = None,
) -> dict[str, Any]:
    """Everything the editor page shows; ``tree``/``source`` are what was typed when a save
    was refused (else the draft as saved)."""
    parse_error = ""
    if tree is None:
        try:
            tree = drafttree.parse(draft.source)
        except ServiceError as exc:
            parse_error, tree = exc.message, None
    if tree is None and tab != "yaml":
        tab = "yaml"
    check = drafts.check(draft)
    by_path = {path: list(texts) for path, texts in check.by_path().items()}
    duplicate = refusal if isinstance(refusal, forms.DuplicateIds) else None
    if duplicate is None and refusal is not None and refusal.field and "." in refusal.field:
        by_path.setdefault(refusal.field, []).insert(0, refusal.message)
    counts = Counter({t: 0 for t, _label in forms.TABS})
    for path, texts in by_path.items():
        counts[forms.tab_of(path) or "top"] += len(texts)
    top = [t for p, texts in by_path.items() if not forms.tab_of(p) for t in texts]
    fields: list[forms.Field] = []
    rows: list[list[forms.Field]] = []
    extra: dict[str, Any] = {}
    tab_messages: list[str] = []
    if tree is not None and tab != "yaml":
        fields, rows, extra = _fields(tab, tree, index, duplicate.rows if duplicate else None)
        mine = {p: t for p, t in by_path.items() if forms.tab_of(p) == tab}
        if tab == "steps":
            per_step = Counter(
                int(p.split(".")[1])
                for p, t in mine.items()
                if p.count(".") and p.split(".")[1].isdigit()
                for _ in t
            )
            for s in extra["steps"]:
                s["problems"] = per_step.get(s["index"], 0)
            here = f"steps.{index}"
            mine = {
                p: t for p, t in mine.items() if p in ("steps", here) or p.startswith(here + ".")
            }
        also = [f for row in extra.get("also_rows", []) for f in row]
        tab_messages = forms.attach([*fields, *(f for row in rows for f in row), *also], mine)
        if duplicate is not None and duplicate.at < len(rows):
            rows[duplicate.at][0].errors.insert(0, duplicate.message)  # at the second id
    editable = draft.state == DraftState.DRAFT and drafts.may_write(person, draft.agency)
    return {
        "draft": draft,
        "tab": tab,
        "tabs": [(slug, label, counts[slug]) for slug, label in forms.TABS],
        "fields": fields,
        "rows": rows,
        "tab_messages": tab_messages,
        "top_messages": top,
        "parse_error": parse_error,
        "refusal": refusal.message if refusal is not None else "",
        "source": draft.source if source is None else source,
        "document": (
            _document(check.spec, draft.source, draft.agency_id) if check.spec is not None else None
        ),
        "check_messages": [m.text for m in check.messages],
        "check_ok": check.ok,
        "editable": editable,
        "may_review": drafts.may_review(person, draft.agency),
        "may_write": drafts.may_write(person, draft.agency),
        "journal": drafts.journal(person, draft).select_related("by")[:200],
        "to_confirm": draft.to_confirm or [],
        "max_note": MAX_NOTE,
        "rows_prefix": {"actors": "actor", "artifacts": "artifact", "flow": "end"}.get(tab, ""),
        **extra,
    }


@login_required
@require_safe
def draft_editor(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor of a draft (read-only once it is in review, published or withdrawn)."""
    person, draft = draft_of(request, pk)
    context = editor_context(
        person, draft, tab=_tab(request), index=_index(request.GET.get("langkah", "0"))
    )
    return render(request, "procedures/draft_editor.html", context)


def _after_save(draft: ProcedureDraft, tab: str, index: int | None) -> HttpResponse:
    url = reverse("procedures:draft", args=[draft.pk]) + f"?tab={tab}"
    if index is not None:
        url += f"&langkah={index}"
    return redirect(url)


def _source(request: HttpRequest) -> str:
    text = request.POST.get("source", "").replace("\r\n", "\n").replace("\x00", "")
    return text[:MAX_SOURCE_CHARS]


def _revision(request: HttpRequest) -> int:
    raw = request.POST.get("revision", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else -1


@login_required
@require_POST
def draft_save(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """Save one section of the draft from its form."""
    if section not in SECTION_TABS:
        raise Http404("no such section")
    person, draft = draft_of(request, pk)
    tree: dict[str, Any] | None = None
    index: int | None = None
    try:
        saved_tree = drafttree.parse(draft.source)
        renames = _renames(section, request.POST, saved_tree)
        data, index = _section_data(section, request.POST, saved_tree)
        tree = drafttree.with_section(saved_tree, section, data)
        tree = drafttree.apply_renames(tree, renames, saved_tree)
        drafts.save_section(
            person, draft, section, data, revision=_revision(request), renames=renames
        )
    except ServiceError as exc:
        if exc.code == "not_found":
            raise Http404(exc.message) from None
        draft.refresh_from_db()
        context = editor_context(
            person,
            draft,
            tab=section,
            index=index if index is not None else _index(request.POST.get("index", "0")),
            tree=tree,
            refusal=exc,
        )
        return render(request, "procedures/draft_editor.html", context, status=422)
    messages.success(request, _("Saved."))
    return _after_save(draft, section, index)


@login_required
@require_POST
def draft_save_source(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the draft's YAML source as typed in the YAML tab."""
    person, draft = draft_of(request, pk)
    source = _source(request)
    try:
        drafts.save_source(person, draft, source, revision=_revision(request))
    except ServiceError as exc:
        if exc.code == "not_found":
            raise Http404(exc.message) from None
        draft.refresh_from_db()
        context = editor_context(person, draft, tab="yaml", index=0, source=source, refusal=exc)
        return render(request, "procedures/draft_editor.html", context, status=422)
    messages.success(request, _("Saved."))
    return _after_save(draft, "yaml", None)


def _problem(path: str, message: Any) -> str:
    text = translated(message, _)
    return f"{path}: {text}" if path else text


@login_required
@require_POST
def draft_preview(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """The official document of the draft with ``section`` as typed (nothing is saved)."""
    if section not in (*SECTION_TABS, "yaml"):
        raise Http404("no such section")
    _person, draft = draft_of(request, pk)
    problems: list[str] = []
    document: SafeString | None = None
    try:
        if section == "yaml":
            text = _source(request)
        else:
            tree = drafttree.parse(draft.source)
            renames = _renames(section, request.POST, tree)
            data, _index_shown = _section_data(section, request.POST, tree)
            typed = drafttree.with_section(tree, section, data)
            text = drafttree.dump(drafttree.apply_renames(typed, renames, tree))
        spec = load_text(text, f"{draft.procedure_key or 'draf'}.yaml", draft=True)
    except ServiceError as exc:
        problems = [exc.message]
    except ProcedureErrors as exc:
        problems = [
            _problem(
                drafttree.path_at(text, e.position.line, e.position.column, e.message), e.message
            )
            for e in exc.errors
        ]
    else:
        document = _document(spec, text, draft.agency_id)
        if document is None:
            problems = [_("The document cannot be drawn yet.")]
    return render(
        request,
        "procedures/_draft_preview.html",
        {"document": document, "check_messages": problems, "check_ok": not problems},
    )
