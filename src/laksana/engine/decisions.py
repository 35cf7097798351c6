"""A decision written without outcomes: Ya and Tidak, the source's own two answers.

Many SOPs draw a decision as a diamond with "Ya" and "Tidak" and nothing else. A procedure may
say so briefly: ``decision: {question: "...", yes: s4, no: s5}`` means the outcomes
Ya -> s4 and Tidak -> s5. A decision with neither ``outcomes`` nor ``yes``/``no`` still gets
Ya and Tidak, each reported at the decision's line as needing its target (what to write), and
the flow is then not checked further (it is not known yet). ``outcomes`` together with
``yes``/``no`` is one problem: the two forms say the same thing twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml

from laksana.engine.messages import Msg
from laksana.engine.spec import Outcome

if TYPE_CHECKING:
    from laksana.engine.builder import Builder

DECISION_KEYS = ("question", "outcomes", "yes", "no", "decided_by")

# The outcomes a decision without ``outcomes`` has, and the key that gives each its target.
YES_NO = (("Ya", "yes"), ("Tidak", "no"))


def yes_no(
    b: Builder,
    m: dict[str, tuple[yaml.Node, yaml.Node]],
    at: yaml.Node,
    where: str,
) -> list[Outcome]:
    """The outcomes given by ``yes``/``no`` (or Ya and Tidak without targets, reported at
    ``at``) when the decision mapping ``m`` has no ``outcomes``; none when it has."""
    r = b.r
    written = [key for _label, key in YES_NO if key in m]
    if "outcomes" in m:
        if written:
            r.error(
                m[written[0]][0],
                Msg(
                    "%(where)s: a decision gives its outcomes either as 'outcomes' or as "
                    "'yes' and 'no', not both; remove '%(key)s' or 'outcomes'",
                    where=where,
                    key=written[0],
                ),
            )
        return []
    out: list[Outcome] = []
    for label, key in YES_NO:
        target = ""
        if key in m:
            target = r.text(m[key][1], Msg("%(where)s %(key)s", where=where, key=key))
            if target:
                b.target_refs.append(
                    (
                        target,
                        m[key][1],
                        Msg("%(where)s outcome '%(label)s'", where=where, label=label),
                    )
                )
        if not target:
            b.flow_guessed = True  # the flow is not known yet: not checked further
        if key not in m:
            r.error(
                at,
                Msg(
                    "%(where)s: the outcome '%(label)s' needs its target; write %(key)s: "
                    "followed by the step it leads to",
                    where=where,
                    label=label,
                    key=key,
                ),
            )
        out.append(Outcome(label=label, target=target))
    return out
