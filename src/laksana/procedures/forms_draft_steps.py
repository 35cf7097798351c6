"""The editor's Langkah tab: the steps list (add, delete, move up, move down) and one step's
form, with its decision (question, outcome rows, decided_by).

As in laksana.procedures.forms_drafts, reading a step starts from the step as saved, so keys
the form does not show are kept; fields edit paths like "steps.3.time" and
"steps.3.decision.outcomes.1.to".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from laksana.procedures.forms_drafts import (
    MAX_ROWS,
    Field,
    _as_text,
    _listed,
    _many,
    _put,
    _read_time,
    _rows,
    _text,
    _time_fields,
    as_dict,
    as_list,
)

STEP_ACTIONS = ("add", "delete", "up", "down")


def targets(tree: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every step and end a flow may go to, as (id, label) for a select."""
    out: list[tuple[str, str]] = []
    steps = as_list(tree.get("steps"))
    for n, step in enumerate(steps, start=1):
        if isinstance(step, dict) and step.get("id"):
            no = _as_text(step.get("no")) or str(n)
            activity = _as_text(step.get("activity"))[:60]
            out.append((str(step["id"]), f"{no}. {activity} ({step['id']})"))
    ends = as_list(tree.get("ends"))
    for end in ends:
        if isinstance(end, dict) and end.get("id"):
            out.append((str(end["id"]), _("End: %(label)s") % {"label": end.get("label", "")}))
    if not ends:
        out.append(("selesai", _("End: Selesai")))
    return out


def step_summary(steps: Sequence[Any]) -> list[dict[str, Any]]:
    """The steps list: number, id, activity and actor of each step."""
    out = []
    for i, step in enumerate(steps):
        step = step if isinstance(step, dict) else {}
        out.append(
            {
                "index": i,
                "no": _as_text(step.get("no")) or str(i + 1),
                "id": _as_text(step.get("id")),
                "activity": _as_text(step.get("activity")),
                "actor": _as_text(step.get("actor")),
                "decision": isinstance(step.get("decision"), dict),
            }
        )
    return out


def step_fields(
    step: Mapping[str, Any], index: int, tree: Mapping[str, Any]
) -> tuple[list[Field], list[list[Field]]]:
    """One step's fields and its decision's outcome rows (with a blank row to add one; a new
    decision gets Ya and Tidak, each waiting for its target)."""
    p = f"steps.{index}"
    actors_map = as_dict(tree.get("actors"))
    actors = [
        (str(k), f"{v.get('name', k) if isinstance(v, dict) else k} ({k})")
        for k, v in actors_map.items()
    ]
    arts_map = as_dict(tree.get("artifacts"))
    arts = [
        (str(k), f"{v.get('name', k) if isinstance(v, dict) else k} ({k})")
        for k, v in arts_map.items()
    ]
    goes = targets(tree)
    decision = step.get("decision") if isinstance(step.get("decision"), dict) else None
    fields = [
        Field("id", _("Id"), f"{p}.id", _as_text(step.get("id"))),
        Field(
            "no",
            _("No"),
            f"{p}.no",
            _as_text(step.get("no")),
            help=_("The number printed; default: its position."),
        ),
        Field(
            "activity",
            _("Activity (Kegiatan)"),
            f"{p}.activity",
            _as_text(step.get("activity")),
            "textarea",
        ),
        Field(
            "actor",
            _("Actor (Pelaksana)"),
            f"{p}.actor",
            _as_text(step.get("actor")),
            "select",
            [("", "—"), *actors],
        ),
        Field(
            "joint",
            _("Done together with"),
            f"{p}.joint",
            _listed(step.get("joint")),
            "multi",
            actors,
        ),
        Field(
            "any_of",
            _("Or done by any one of"),
            f"{p}.any_of",
            _listed(step.get("any_of")),
            "multi",
            actors,
        ),
        Field(
            "copies",
            _("Copy to (tembusan)"),
            f"{p}.copies",
            _listed(step.get("copies")),
            "multi",
            actors,
        ),
        Field(
            "requires",
            _("Requirements (Kelengkapan)"),
            f"{p}.requires",
            _listed(step.get("requires")),
            "multi",
            arts,
        ),
        Field(
            "requirements_text",
            _("Requirements as printed"),
            f"{p}.requirements_text",
            _as_text(step.get("requirements_text")),
            "textarea",
        ),
        *_time_fields("", f"{p}.time", step.get("time"), _("Time (Waktu)")),
        Field(
            "produces", _("Output"), f"{p}.produces", _listed(step.get("produces")), "multi", arts
        ),
        Field(
            "output_text",
            _("Output as printed"),
            f"{p}.output_text",
            _as_text(step.get("output_text")),
            "textarea",
        ),
        Field(
            "note", _("Remarks (Keterangan)"), f"{p}.note", _as_text(step.get("note")), "textarea"
        ),
        Field(
            "next",
            _("Next"),
            f"{p}.next",
            _as_text(step.get("next")),
            "select",
            [("", _("(the following step)")), *goes],
        ),
        Field(
            "decision",
            _("This step is a decision"),
            f"{p}.decision",
            decision is not None,
            "checkbox",
        ),
        Field(
            "question",
            _("Question"),
            f"{p}.decision.question",
            _as_text((decision or {}).get("question")),
        ),
        Field(
            "decided_by",
            _("Decided by the result of"),
            f"{p}.decision.decided_by",
            _as_text((decision or {}).get("decided_by")),
            "select",
            [("", _("(the person completing the step)")), *arts],
        ),
    ]
    outcomes = (decision or {}).get("outcomes")
    if not isinstance(outcomes, list) or not outcomes:
        outcomes = [
            {"label": "Ya", "to": (decision or {}).get("yes", "")},
            {"label": "Tidak", "to": (decision or {}).get("no", "")},
        ]
    rows: list[list[Field]] = []
    for j, o in enumerate([*outcomes, {}]):
        o = o if isinstance(o, dict) else {}
        op = f"{p}.decision.outcomes.{j}"
        rows.append(
            [
                Field(f"outcome-{j}-label", _("Answer"), f"{op}.label", _as_text(o.get("label"))),
                Field(
                    f"outcome-{j}-to",
                    _("Goes to"),
                    f"{op}.to",
                    _as_text(o.get("to")),
                    "select",
                    [("", "—"), *goes],
                ),
                Field(
                    f"outcome-{j}-when",
                    _("Chosen when the result is"),
                    f"{op}.when",
                    ", ".join(_listed(o.get("when"))),
                ),
            ]
        )
    return fields, rows


_ALSO = ("no", "activity", "requirements_text", "time", "output_text", "note")


def also_row_fields(step: Mapping[str, Any], index: int) -> list[list[Field]]:
    """The step's further source rows (also_rows: several rows of the source done as one
    step), one row of fields each, and a blank row to add one."""
    labels = {
        "no": _("No"),
        "activity": _("Activity (Kegiatan)"),
        "requirements_text": _("Requirements as printed"),
        "time": _("Time as printed"),
        "output_text": _("Output as printed"),
        "note": _("Remarks (Keterangan)"),
    }
    rows: list[list[Field]] = []
    earlier = as_list(step.get("also_rows"))
    for j, row in enumerate([*earlier, {}]):
        row = row if isinstance(row, dict) else {}
        p = f"steps.{index}.also_rows.{j}"
        rows.append(
            [
                Field(
                    f"also-{j}-{key}",
                    str(labels[key]),
                    f"{p}.{key}",
                    _as_text(row.get(key)),
                    "textarea"
                    if key in ("activity", "requirements_text", "output_text")
                    else "text",
                )
                for key in _ALSO
            ]
        )
    return rows


def _read_also_rows(post: QueryDict, saved: Sequence[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for j in _rows(post, "also"):
        typed = {key: _text(post, f"also-{j}-{key}") for key in _ALSO}
        if not any(typed.values()):
            continue
        earlier = saved[j] if j < len(saved) and isinstance(saved[j], dict) else {}
        row = dict(earlier)
        for key, value in typed.items():
            if key in ("requirements_text", "output_text") and key in earlier and value == "":
                row[key] = ""  # an empty printed cell stays one
            else:
                _put(row, key, value)
        out.append(row)
    return out


_MULTI = ("joint", "any_of", "copies", "requires", "produces")
_TEXTS = ("id", "no", "activity", "actor", "requirements_text", "output_text", "note", "next")


def read_step(post: QueryDict, saved: Mapping[str, Any]) -> dict[str, Any]:
    step = dict(saved)
    for key in _TEXTS:
        _put(step, key, _text(post, key))
    for key in _MULTI:
        _put(step, key, _many(post, key, 50))
    _put(step, "time", _read_time(post, ""))
    if "also-count" in post:
        _put(step, "also_rows", _read_also_rows(post, as_list(saved.get("also_rows"))))
    if post.get("decision") != "on":
        step.pop("decision", None)
        return step
    earlier = as_dict(saved.get("decision"))
    decision = {k: v for k, v in earlier.items() if k not in ("yes", "no")}
    _put(decision, "question", _text(post, "question"))
    _put(decision, "decided_by", _text(post, "decided_by"))
    outcomes: list[dict[str, Any]] = []
    for j in _rows(post, "outcome"):
        label, to = _text(post, f"outcome-{j}-label"), _text(post, f"outcome-{j}-to")
        when = [w.strip() for w in _text(post, f"outcome-{j}-when").split(",") if w.strip()]
        if not label and not to:
            continue
        o: dict[str, Any] = {}
        _put(o, "label", label)
        _put(o, "to", to)
        _put(o, "when", when)
        outcomes.append(o)
    _put(decision, "outcomes", outcomes)
    step["decision"] = decision
    step.pop("next", None)  # a decision goes on by its outcomes
    return step


def step_renames(post: QueryDict, saved: Sequence[Any]) -> list[tuple[str, str, str]]:
    """The step id the step's form changed, as [("step", id as saved, id as typed)]."""
    raw = post.get("index", "")
    if post.get("action", "") in STEP_ACTIONS or not raw.isdigit() or int(raw) >= len(saved):
        return []
    step = saved[int(raw)]
    was = _as_text(step.get("id")) if isinstance(step, dict) else ""
    new = _text(post, "id")
    return [("step", was, new)] if was and new and was != new else []


def new_step_id(steps: Sequence[Any]) -> str:
    used = {str(s.get("id")) for s in steps if isinstance(s, dict)}
    n = len(steps) + 1
    while f"s{n}" in used:
        n += 1
    return f"s{n}"


def read_steps(
    post: QueryDict, saved: Sequence[Any], tree: Mapping[str, Any]
) -> tuple[list[Any], int]:
    """The steps list after the form posted (one step's form, or a list button); and the index
    of the step to show next."""
    steps = list(saved)
    raw = post.get("index", "")
    index = int(raw) if raw.isdigit() and int(raw) < MAX_ROWS * 5 else -1
    action = post.get("action", "")
    if action == "add":
        actors = as_dict(tree.get("actors"))
        new = {"id": new_step_id(steps), "activity": "", "actor": next(iter(actors), "")}
        at = index + 1 if 0 <= index < len(steps) else len(steps)
        steps.insert(at, new)
        return steps, at
    if not 0 <= index < len(steps):
        from laksana.errors import ServiceError

        raise ServiceError("invalid", _("There is no such step."), field="index")
    if action == "delete":
        del steps[index]
        return steps, max(0, min(index, len(steps) - 1))
    if action == "up" and index > 0:
        steps[index - 1], steps[index] = steps[index], steps[index - 1]
        return steps, index - 1
    if action == "down" and index < len(steps) - 1:
        steps[index + 1], steps[index] = steps[index], steps[index + 1]
        return steps, index + 1
    if action in ("up", "down"):
        return steps, index
    saved_step = steps[index] if isinstance(steps[index], dict) else {}
    steps[index] = read_step(post, saved_step)
    return steps, index
