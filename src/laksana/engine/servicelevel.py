"""The service-level block of an SOP (standar pelayanan) and time texts read with positions.

The identity of a procedure may state, beside its purpose, scope, definitions and success
indicators, what a requester must bring (``service_requirements``), the overall time of the
whole service (``service_time``, a time text read by the same rules as a step's ``time``,
also ``{text, unit}``: it becomes a case's own due time), its cost and its product. All are
optional; the official document prints those the procedure gives.
"""

from __future__ import annotations

from dataclasses import replace

import yaml

from laksana.engine.messages import Msg
from laksana.engine.spec import Identity
from laksana.engine.timetext import TimeStandard, TimeTextError, parse_time
from laksana.engine.yamlread import Reader

# The identity keys of the block that are new beside purpose, scope, definitions and
# success_indicators (which the builder reads with the other identity keys).
SERVICE_KEYS = ("service_requirements", "service_time", "cost", "product")


def read_time(
    r: Reader, node: yaml.Node | None, label: str, unit_label: str, owner: str
) -> TimeStandard | None:
    """A time text (``"±1-2 Jam"``) or ``{text, unit}`` read with the time-text rules;
    ``label`` and ``unit_label`` name the text and its unit in messages ("step 3 time",
    "step 3 time unit"), ``owner`` what the time belongs to ("step 3")."""
    if node is None:
        return None
    text_node: yaml.Node | None = node
    unit: str | None = None
    if isinstance(node, yaml.MappingNode):
        m = r.mapping(node, label, ("text", "unit"), required=("text",))
        if m is None or "text" not in m:
            return None
        text_node = m["text"][1]
        unit = r.text(m["unit"][1], unit_label) if "unit" in m else None
    text = r.text(text_node, label)
    if not text:
        return None
    try:
        return parse_time(text, unit)
    except TimeTextError as exc:
        r.error(text_node, Msg("%(where)s: %(exc)s", where=owner, exc=exc.args[0]))
        return None


def with_service_level(
    r: Reader, m: dict[str, tuple[yaml.Node, yaml.Node]], identity: Identity
) -> Identity:
    """``identity`` with the block's new fields read from the identity mapping ``m`` (its
    keys already checked)."""

    def value(key: str) -> yaml.Node | None:
        return m[key][1] if key in m else None

    return replace(
        identity,
        service_requirements=r.texts(
            value("service_requirements"), "identity.service_requirements"
        ),
        service_time=read_time(
            r,
            value("service_time"),
            "identity.service_time",
            "identity.service_time.unit",
            "identity.service_time",
        ),
        cost=r.text(value("cost"), "identity.cost", required=False),
        product=r.text(value("product"), "identity.product", required=False),
    )
