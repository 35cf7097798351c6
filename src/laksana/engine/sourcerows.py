"""The source's rows and their numbering: how the steps of a procedure map onto the rows of
the SOP table it was written from.

A row of the source carried out as several steps: the steps are written one after the other
with the row's ``no``; the document prints that No once, and messages name each step by the
number with its id (``step 4 ('s4b')``). Several rows carried out as one step: the step is
written with the first row's ``no`` and texts, and ``also_rows`` lists the others, each
printed as the source prints it. What the Kelengkapan and Output cells print is decided here
(:func:`printed_cell`) for every document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import yaml

from laksana.engine.messages import Msg
from laksana.engine.spec import ProcedureSpec, SourceRow, Step

if TYPE_CHECKING:
    from laksana.engine.yamlread import Reader

ROW_KEYS = ("no", "activity", "requirements_text", "time", "output_text", "note")


def step_name(step: Step) -> Msg:
    """A step as messages name it: its number in the document with its id (``step 4 ('s4b')``),
    unambiguous when several steps carry one row of the source."""
    return Msg("step %(no)s ('%(step_id)s')", no=step.number, step_id=step.id)


def read_also_rows(r: Reader, node: yaml.Node, where: str) -> tuple[SourceRow, ...]:
    """The ``also_rows`` of a step: a list of ``{no, activity, requirements_text, time,
    output_text, note}``, each a further row of the source this step carries out."""
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        r.error(
            node,
            Msg(
                "%(where)s also_rows must be a list of the further source rows this step "
                "carries out, each {no, activity, requirements_text, time, output_text, note}",
                where=where,
            ),
        )
        return ()
    rows = []
    for item in node.value:
        m = r.mapping(
            item, Msg("%(where)s also_rows", where=where), ROW_KEYS, required=("no", "activity")
        )
        if m is None or "no" not in m or "activity" not in m:
            continue
        what = Msg("%(where)s also_rows", where=where)

        def text(key: str, m: dict[str, tuple[yaml.Node, yaml.Node]] = m, what: Msg = what) -> str:
            if key not in m:
                return ""
            return r.text(m[key][1], Msg("%(where)s %(key)s", where=what, key=key), required=False)

        rows.append(
            SourceRow(
                number=r.text(m["no"][1], Msg("%(where)s no", where=what)),
                activity=r.text(m["activity"][1], Msg("%(where)s activity", where=what)),
                requirements_text=text("requirements_text"),
                time=text("time"),
                output_text=text("output_text"),
                note=text("note"),
            )
        )
    return tuple(rows)


def numbering_problems(steps: Sequence[Step]) -> list[tuple[str, Msg]]:
    """Steps sharing a number apart from each other, and a row number written twice.

    Steps that carry one source row share its number and stand one after the other; a
    number of ``also_rows`` is a row of its own and is no other row's. Returns (step id,
    message) pairs, the step at which the problem is told."""
    problems: list[tuple[str, Msg]] = []
    first: dict[str, Step] = {}
    previous: Step | None = None
    for step in steps:
        earlier = first.get(step.number)
        if earlier is None:
            first[step.number] = step
        elif previous is None or previous.number != step.number:
            problems.append(
                (
                    step.id,
                    Msg(
                        "%(where)s has the number of %(other)s but does not follow it: steps "
                        "that carry out one row of the source are written one after the "
                        "other; give this step its own row's number",
                        where=step_name(step),
                        other=step_name(earlier),
                    ),
                )
            )
        previous = step
    numbers = set(first)
    for step in steps:
        for row in step.also_rows:
            if row.number in numbers:
                problems.append(
                    (
                        step.id,
                        Msg(
                            "%(where)s also carries out row %(no)s, a number another step or "
                            "row already has; each row of the source is printed once",
                            where=step_name(step),
                            no=row.number,
                        ),
                    )
                )
            numbers.add(row.number)
    return problems


def printed_cell(
    spec: ProcedureSpec, text: str | None, ids: Sequence[str]
) -> tuple[tuple[str, ...], bool]:
    """What a Kelengkapan or Output cell prints: the source's wording when written (an empty
    text is an empty cell), else the names of the artifacts (a list when several). An artifact
    the procedure adds only to run the step is not printed when the source's wording is given.
    Returns the lines and whether they are a numbered list."""
    if text is not None:
        text = text.strip()
        return ((text,) if text else ()), False
    names = tuple(spec.artifact(i).name for i in ids)
    return names, len(names) > 1


def continues_row(steps: Sequence[Step], index: int) -> bool:
    """Whether ``steps[index]`` carries on the source row of the step before it."""
    return index > 0 and steps[index - 1].number == steps[index].number


def printed_length(step: Step) -> int:
    """The characters a step puts in the table's text cells: its activity, note, requirements
    and output as printed, and those of the further rows it carries out."""
    own = (step.activity, step.note, step.requirements_text or "", step.output_text or "")
    rows = (
        text
        for row in step.also_rows
        for text in (row.activity, row.note, row.requirements_text, row.output_text)
    )
    return sum(len(t) for t in own) + sum(len(t) for t in rows)


def step_label(spec: ProcedureSpec, step: Step) -> str:
    """A step's number as screens print it: the number alone when no other step shares it,
    else the number with the id (``7 (s7a)``), so the steps of one source row are told apart."""
    shared = sum(1 for s in spec.steps if s.number == step.number) > 1
    return f"{step.number} ({step.id})" if shared else step.number
