"""The editor's forms: each section of a draft's tree (laksana.procedures.drafttree) as form
fields, and the posted form back as the section's data.

A field knows the path of the value it edits ("identity.number", "steps.3.time",
"steps.3.decision.outcomes.1.to"), so a check's message is shown next to it: a message goes to
the field whose path is the longest prefix of the message's path. Reading a form starts from
the section as saved and replaces only the keys the form edits: keys the forms do not show
(another helper's keys, a time written as {text, unit} edited as two fields) are kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from laksana.engine import artifacts as artifact_registry
from laksana.engine.spec import ActorKind
from laksana.errors import ServiceError
from laksana.procedures.drafttree import SERVICE_KEYS

# The editor's tabs (slug, label): drafttree's sections, then the YAML source. The
# service-level keys (drafttree.SERVICE_KEYS) have their own tab though they live under
# identity: in YAML.
TABS = (
    ("identity", gettext_lazy("Identity")),
    ("service", gettext_lazy("Service standard")),
    ("actors", gettext_lazy("Actors")),
    ("artifacts", gettext_lazy("Documents")),
    ("steps", pgettext_lazy("procedure editor", "Steps")),
    ("flow", gettext_lazy("Start and end")),
    ("notes", gettext_lazy("Notes")),
    ("yaml", gettext_lazy("YAML")),
)
MAX_ROWS = 200  # rows of a repeated form read at most (actors, artifacts, outcomes, ends)


@dataclass
class Field:
    """One form field: its input name, label, value and the path of what it edits."""

    name: str
    label: str
    path: str
    value: Any = ""
    kind: str = "text"  # text, textarea, lines, select, multi, checkbox, number, date
    choices: Sequence[tuple[str, str]] = ()
    help: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The value as the text of an input (a list one item per line)."""
        if isinstance(self.value, list | tuple):
            return "\n".join(str(v) for v in self.value)
        return "" if self.value is None else str(self.value)

    @property
    def choices_values(self) -> set[str]:
        return {str(v) for v, _label in self.choices}

    @property
    def chosen(self) -> set[str]:
        """The chosen values of a select (one or several), as texts."""
        if isinstance(self.value, list | tuple):
            return {str(v) for v in self.value}
        return {str(self.value)} if self.value not in (None, "") else set()


def tab_of(path: str) -> str:
    """The tab a message's path belongs to ("" for none: shown at the top)."""
    head, _sep, rest = path.partition(".")
    if head == "identity":
        return "service" if rest.split(".")[0] in SERVICE_KEYS else "identity"
    if head == "id":
        return "identity"
    if head in ("actors", "artifacts", "steps", "notes"):
        return head
    if head in ("start", "ends"):
        return "flow"
    return ""


def _field_for(fields: Sequence[Field], path: str, text: str) -> Field | None:
    """The field a message at ``path`` belongs to: the field of that path; else, when the path
    is a row's (a required key missing from it), the row's field the message names in quotes
    ("'to' is required"), or its first; else the field of the longest prefix."""
    exact = [f for f in fields if f.path == path]
    if exact:
        return exact[0]
    children = [f for f in fields if f.path.startswith(path + ".")]
    if children:
        named = [f for f in children if f"'{f.path.rsplit('.', 1)[-1]}'" in text]
        return (named or children)[0]
    above = [f for f in fields if f.path and path.startswith(f.path + ".")]
    return max(above, key=lambda f: len(f.path)) if above else None


def attach(fields: Sequence[Field], by_path: Mapping[str, Sequence[str]]) -> list[str]:
    """Give each field the messages that concern it (:func:`_field_for`); the messages no
    field takes are returned (for the top of the tab)."""
    left: list[str] = []
    for path, texts in by_path.items():
        for text in texts:
            target = _field_for(fields, path, text) if path else None
            if target is None:
                left.append(text)
            else:
                target.errors.append(text)
    return left


# --- reading posted values ----------------------------------------------------------------


def _text(post: QueryDict, name: str) -> str:
    # A NUL is no character of a procedure (and no database stores it in text).
    return post.get(name, "").replace("\r\n", "\n").replace("\x00", "").strip()


def _many(post: QueryDict, name: str, limit: int = 50) -> list[str]:
    """The chosen values of a multiple select (ids: no NUL, no blank)."""
    chosen = (v.replace("\x00", "").strip() for v in post.getlist(name)[:limit])
    return [v for v in chosen if v]


def _lines(post: QueryDict, name: str) -> list[str]:
    return [line.strip() for line in _text(post, name).split("\n") if line.strip()]


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key``, or remove it when the value is empty (an optional key left blank)."""
    if value in ("", None, [], False):
        target.pop(key, None)
    else:
        target[key] = value


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _listed(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)] if value not in (None, "") else []


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def _time_fields(prefix: str, path: str, value: Any, label: str) -> list[Field]:
    text, unit = (
        (value.get("text", ""), value.get("unit", ""))
        if isinstance(value, dict)
        else (
            value,
            "",
        )
    )
    return [
        Field(f"{prefix}time", label, path, _as_text(text), help=_("For example: ±3 Hari, 1 jam")),
        Field(
            f"{prefix}time_unit",
            _("Unit of the time, when the text has none"),
            f"{path}.unit",
            _as_text(unit),
            "select",
            [("", "—"), ("menit", "menit"), ("jam", "jam"), ("hari", "hari")],
        ),
    ]


def _read_time(post: QueryDict, prefix: str) -> Any:
    text, unit = _text(post, f"{prefix}time"), _text(post, f"{prefix}time_unit")
    if text and unit:
        return {"text": text, "unit": unit}
    return text


# --- identity and service ---------------------------------------------------------------

_IDENTITY_TEXT = (
    ("number", gettext_lazy("SOP number"), "text"),
    ("title", gettext_lazy("SOP name"), "text"),
    ("agency", gettext_lazy("Agency"), "text"),
    ("government", gettext_lazy("Government"), "text"),
    ("unit", gettext_lazy("Unit"), "text"),
    ("made", gettext_lazy("Date made"), "date"),
    ("revised", gettext_lazy("Date revised"), "date"),
    ("effective", gettext_lazy("Effective date"), "date"),
    ("effective_text", gettext_lazy("Effective period as printed"), "text"),
    ("revision", gettext_lazy("Revision number"), "number"),
)
_IDENTITY_LISTS = (
    ("legal_basis", gettext_lazy("Legal basis")),
    ("qualifications", gettext_lazy("Actor qualifications")),
    ("related", gettext_lazy("Related SOPs")),
    ("equipment", gettext_lazy("Equipment")),
    ("warnings", gettext_lazy("Warnings")),
    ("records", gettext_lazy("Records and data keeping")),
)
_SERVICE_FIELDS = (
    ("purpose", gettext_lazy("Purpose"), "textarea"),
    ("scope", gettext_lazy("Scope"), "textarea"),
    ("definitions", gettext_lazy("Definitions"), "lines"),
    ("service_requirements", gettext_lazy("Service requirements"), "lines"),
    ("cost", gettext_lazy("Cost"), "text"),
    ("product", gettext_lazy("Service product"), "text"),
    ("success_indicators", gettext_lazy("Success indicators"), "lines"),
)
_ONE_PER_LINE = gettext_lazy("One per line.")


def _input_name(key: str) -> str:
    # "revision" is the draft's revision every form posts; the SOP's own is "sop_revision".
    return "sop_revision" if key == "revision" else key


def identity_fields(data: Mapping[str, Any]) -> list[Field]:
    out = [
        Field(
            "id",
            _("Procedure key"),
            "id",
            _as_text(data.get("id")),
            help=_("Lower case letters, digits and '-', e.g. sop-005-layanan-hosting"),
        )
    ]
    for key, label, kind in _IDENTITY_TEXT:
        value = _as_text(data.get(key))
        out.append(Field(_input_name(key), str(label), f"identity.{key}", value, kind))
    approved = data.get("approved_by") or {}
    approved = approved if isinstance(approved, dict) else {}
    for key, said in (
        ("title", _("Approved by: position")),
        ("name", _("Approved by: name")),
        ("nip", _("Approved by: NIP")),
    ):
        out.append(
            Field(
                f"approved_by_{key}",
                said,
                f"identity.approved_by.{key}",
                _as_text(approved.get(key)),
            )
        )
    for key, label in _IDENTITY_LISTS:
        out.append(
            Field(
                key,
                str(label),
                f"identity.{key}",
                _listed(data.get(key)),
                "lines",
                help=str(_ONE_PER_LINE),
            )
        )
    return out


def read_identity(post: QueryDict, saved: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(saved)
    _put(data, "id", _text(post, "id"))
    for key, _label, kind in _IDENTITY_TEXT:
        value: Any = _text(post, _input_name(key))
        if kind == "number" and value.isdigit():
            value = int(value)
        _put(data, key, value)
    approved = (
        dict(saved.get("approved_by") or {}) if isinstance(saved.get("approved_by"), dict) else {}
    )
    for key in ("title", "name", "nip"):
        _put(approved, key, _text(post, f"approved_by_{key}"))
    _put(data, "approved_by", approved or None)
    for key, _label in _IDENTITY_LISTS:
        _put(data, key, _lines(post, key))
    return data


def service_fields(data: Mapping[str, Any]) -> list[Field]:
    out: list[Field] = []
    for key, label, kind in _SERVICE_FIELDS:
        value = _listed(data.get(key)) if kind == "lines" else _as_text(data.get(key))
        out.append(
            Field(
                key,
                str(label),
                f"identity.{key}",
                value,
                kind,
                help=str(_ONE_PER_LINE) if kind == "lines" else "",
            )
        )
        if key == "service_requirements":
            out.extend(
                _time_fields(
                    "service_",
                    "identity.service_time",
                    data.get("service_time"),
                    _("Service time (whole service)"),
                )
            )
    return out


def read_service(post: QueryDict, saved: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(saved)
    for key, _label, kind in _SERVICE_FIELDS:
        _put(data, key, _lines(post, key) if kind == "lines" else _text(post, key))
    _put(data, "service_time", _read_time(post, "service_"))
    return data


# --- repeated rows: actors, artifacts, ends --------------------------------------------------


def _rows(post: QueryDict, prefix: str) -> list[int]:
    try:
        count = int(post.get(f"{prefix}-count", "0"))
    except ValueError:
        count = 0
    return list(range(min(max(count, 0), MAX_ROWS)))


def _row_action(post: QueryDict, rows: list[Any]) -> list[Any]:
    """Apply the row button pressed (``action`` = add, remove:i, up:i, down:i)."""
    action = post.get("action", "")
    verb, _sep, index_text = action.partition(":")
    if not index_text.isdigit():
        return rows
    i = int(index_text)
    if not 0 <= i < len(rows):
        return rows
    if verb == "remove":
        return rows[:i] + rows[i + 1 :]
    if verb == "up" and i > 0:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif verb == "down" and i < len(rows) - 1:
        rows[i + 1], rows[i] = rows[i], rows[i + 1]
    return rows


Row = tuple[str, dict[str, Any], str]  # a typed row of actors/artifacts: id, data, id as saved


class DuplicateIds(ServiceError):
    """Two rows of actors or documents typed with one id: the rows as typed go with the
    refusal, so that the page shows them again with the message at the second one."""

    def __init__(self, message: str, field: str, rows: list[Row], at: int) -> None:
        super().__init__("invalid", message, field=field)
        self.rows, self.at = rows, at


def _mapping(rows: list[Row], what: str, section: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for at, (key, value, _was) in enumerate(rows):
        if key in out:
            raise DuplicateIds(
                _("Two %(what)s have the id %(id)s; give each its own id.")
                % {"what": what, "id": key},
                f"{section}.{key}",
                rows,
                at,
            )
        out[key] = value
    return out


def row_renames(post: QueryDict, prefix: str, kind: str) -> list[tuple[str, str, str]]:
    """The ids the rows' forms changed, as (kind, id as saved, id as typed)."""
    out = []
    for i in _rows(post, prefix):
        was, key = _text(post, f"{prefix}-{i}-was"), _text(post, f"{prefix}-{i}-id")
        if was and key and was != key:
            out.append((kind, was, key))
    return out


def _items(data: Mapping[str, Any] | Sequence[Row]) -> list[Row]:
    """The rows of a section as saved (a mapping) or as typed (rows), and a blank one."""
    if isinstance(data, Mapping):
        return [*((str(k), v, str(k)) for k, v in data.items()), ("", {}, "")]
    return [*data, ("", {}, "")]


def actor_kinds() -> list[tuple[str, str]]:
    labels = {
        "position": _("Position"),
        "team": _("Team or section"),
        "person": _("Named person"),
        "requesting_unit": _("Requesting unit (per case)"),
        "vendor": _("Vendor of the application (per case)"),
        "external": _("Outside office"),
        "chosen": _("Chosen when the case opens"),
    }
    return [(k.value, labels.get(k.value, k.value)) for k in ActorKind]


def actor_rows(data: Mapping[str, Any] | Sequence[Row]) -> list[list[Field]]:
    rows: list[list[Field]] = []
    for i, (key, actor, was) in enumerate(_items(data)):
        actor = actor if isinstance(actor, dict) else {}
        path = f"actors.{key}" if key else f"actors.new{i}"
        rows.append(
            [
                Field(f"actor-{i}-id", _("Id"), path, key),
                Field(f"actor-{i}-name", _("Name"), f"{path}.name", _as_text(actor.get("name"))),
                Field(
                    f"actor-{i}-kind",
                    _("Kind"),
                    f"{path}.kind",
                    _as_text(actor.get("kind")),
                    "select",
                    [("", "—"), *actor_kinds()],
                ),
                Field(
                    f"actor-{i}-description",
                    _("Description"),
                    f"{path}.description",
                    _as_text(actor.get("description")),
                ),
                Field(f"actor-{i}-was", "", "", was, "hidden"),
            ]
        )
    return rows


def read_actors(post: QueryDict, saved: Mapping[str, Any]) -> dict[str, Any]:
    rows: list[Row] = []
    for i in _rows(post, "actor"):
        key = _text(post, f"actor-{i}-id")
        name = _text(post, f"actor-{i}-name")
        if not key and not name:
            continue
        was_id = _text(post, f"actor-{i}-was")
        was = saved.get(was_id)
        actor = dict(was) if isinstance(was, dict) else {}
        _put(actor, "name", name)
        _put(actor, "kind", _text(post, f"actor-{i}-kind"))
        _put(actor, "description", _text(post, f"actor-{i}-description"))
        rows.append((key, actor, was_id if isinstance(was, dict) else ""))
    return _mapping(_row_action(post, rows), _("actors"), "actors")


def artifact_types() -> list[tuple[str, str]]:
    return [(name, f"{label} ({name})") for name, label in artifact_registry.known_types()]


def _field_line(f: Mapping[str, Any]) -> str:
    parts = [_as_text(f.get("id")), _as_text(f.get("label")), _as_text(f.get("type") or "text")]
    if f.get("required") is False:
        parts.append("opsional")
    if f.get("choices"):
        parts.append("pilihan: " + ", ".join(_listed(f.get("choices"))))
    return " | ".join(parts)


def _read_form_fields(text: str, saved: Sequence[Any]) -> list[dict[str, Any]]:
    earlier = {f.get("id"): f for f in saved if isinstance(f, dict)}
    out: list[dict[str, Any]] = []
    for line in text.split("\n"):
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        f = dict(earlier.get(parts[0], {}))
        f["id"] = parts[0]
        _put(f, "label", parts[1] if len(parts) > 1 else "")
        _put(f, "type", parts[2] if len(parts) > 2 else "")
        f.pop("required", None)
        f.pop("choices", None)
        for extra in parts[3:]:
            if extra.lower() in ("opsional", "optional"):
                f["required"] = False
            elif extra.lower().startswith(("pilihan:", "choices:")):
                choices = extra.split(":", 1)[1]
                f["choices"] = [c.strip() for c in choices.split(",") if c.strip()]
        out.append(f)
    return out


def artifact_rows(
    data: Mapping[str, Any] | Sequence[Row], actors: Sequence[str]
) -> list[list[Field]]:
    people = [(a, a) for a in actors]
    accept = [(k, k) for k in artifact_registry.FILE_KINDS]
    rows: list[list[Field]] = []
    for i, (key, art, was) in enumerate(_items(data)):
        art = art if isinstance(art, dict) else {}
        path = f"artifacts.{key}" if key else f"artifacts.new{i}"
        fields = as_list(art.get("fields"))
        rows.append(
            [
                Field(f"artifact-{i}-id", _("Id"), path, key),
                Field(f"artifact-{i}-name", _("Name"), f"{path}.name", _as_text(art.get("name"))),
                Field(
                    f"artifact-{i}-type",
                    _("Type"),
                    f"{path}.type",
                    _as_text(art.get("type")),
                    "select",
                    [("", "—"), *artifact_types()],
                ),
                Field(
                    f"artifact-{i}-accept",
                    _("Files accepted (type file)"),
                    f"{path}.accept",
                    _listed(art.get("accept")),
                    "multi",
                    accept,
                ),
                Field(
                    f"artifact-{i}-multiple",
                    _("Several files"),
                    f"{path}.multiple",
                    bool(art.get("multiple")),
                    "checkbox",
                ),
                Field(
                    f"artifact-{i}-fields",
                    _("Form fields (type form)"),
                    f"{path}.fields",
                    "\n".join(_field_line(f) for f in fields if isinstance(f, dict)),
                    "textarea",
                    help=_(
                        "One field per line: id | label | type, then 'opsional' or "
                        "'pilihan: a, b' when needed."
                    ),
                ),
                Field(
                    f"artifact-{i}-signed_by",
                    _("Signed by"),
                    f"{path}.signed_by",
                    _listed(art.get("signed_by")),
                    "multi",
                    people,
                ),
                Field(
                    f"artifact-{i}-initialled_by",
                    _("Initialled by"),
                    f"{path}.initialled_by",
                    _listed(art.get("initialled_by")),
                    "multi",
                    people,
                ),
                Field(f"artifact-{i}-was", "", "", was, "hidden"),
            ]
        )
    return rows


def read_artifacts(post: QueryDict, saved: Mapping[str, Any]) -> dict[str, Any]:
    rows: list[Row] = []
    for i in _rows(post, "artifact"):
        p = f"artifact-{i}-"
        key, name = _text(post, p + "id"), _text(post, p + "name")
        if not key and not name:
            continue
        was_id = _text(post, p + "was")
        was = saved.get(was_id)
        art = dict(was) if isinstance(was, dict) else {}
        _put(art, "name", name)
        _put(art, "type", _text(post, p + "type"))
        _put(art, "accept", _many(post, p + "accept", 20))
        _put(art, "multiple", post.get(p + "multiple") == "on")
        earlier = as_list(art.get("fields"))
        _put(art, "fields", _read_form_fields(_text(post, p + "fields"), earlier))
        _put(art, "signed_by", _many(post, p + "signed_by", 50))
        _put(art, "initialled_by", _many(post, p + "initialled_by", 50))
        rows.append((key, art, was_id if isinstance(was, dict) else ""))
    return _mapping(_row_action(post, rows), _("documents"), "artifacts")


# --- start and ends, notes -------------------------------------------------------------------


def flow_fields(
    data: Mapping[str, Any], targets: Sequence[tuple[str, str]]
) -> tuple[list[Field], list[list[Field]]]:
    """The start's fields and one row per end (and a blank row to add one)."""
    start = data.get("start")
    to, label = (
        (start.get("to", ""), start.get("label", ""))
        if isinstance(start, dict)
        else (
            start,
            "",
        )
    )
    fields = [
        Field("start", _("First step"), "start", _as_text(to), "select", [("", "—"), *targets]),
        Field("start_label", _("Start label (default: Mulai)"), "start.label", _as_text(label)),
    ]
    ends = as_list(data.get("ends"))
    rows: list[list[Field]] = []
    for i, end in enumerate([*ends, {}]):
        end = end if isinstance(end, dict) else {}
        rows.append(
            [
                Field(f"end-{i}-id", _("End id"), f"ends.{i}.id", _as_text(end.get("id"))),
                Field(
                    f"end-{i}-label",
                    _("End label"),
                    f"ends.{i}.label",
                    _as_text(end.get("label")),
                ),
            ]
        )
    return fields, rows


def read_flow(post: QueryDict, saved: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(saved)
    to, label = _text(post, "start"), _text(post, "start_label")
    _put(data, "start", {"label": label, "to": to} if label else to)
    earlier = as_list(saved.get("ends"))
    by_id = {e.get("id"): e for e in earlier if isinstance(e, dict)}
    ends: list[dict[str, Any]] = []
    for i in _rows(post, "end"):
        key, end_label = _text(post, f"end-{i}-id"), _text(post, f"end-{i}-label")
        if not key and not end_label:
            continue
        end = dict(by_id.get(key, {}))
        _put(end, "id", key)
        _put(end, "label", end_label)
        ends.append(end)
    _put(data, "ends", _row_action(post, ends))
    return data


def notes_fields(data: Sequence[Any]) -> list[Field]:
    return [
        Field(
            "notes",
            _("Notes"),
            "notes",
            [_as_text(n) for n in data],
            "lines",
            help=_("The author's reasoned choices, kept with the procedure. One per line."),
        )
    ]


def read_notes(post: QueryDict, saved: Sequence[Any]) -> list[str]:
    return _lines(post, "notes")
