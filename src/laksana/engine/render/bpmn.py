"""A procedure as BPMN 2.0 XML, with diagram interchange so that it opens in bpmn.io.

The process has one lane per actor; a start event; one user task per step; for a decision
step a user task followed by an exclusive gateway whose outgoing sequence flows are named by
the outcome labels (Ya / Tidak); an end event per end. The diagram (BPMNDI) comes from the same
layout engine as the SOP document, run with BPMN sizes and turned on its side: the SOP
flowchart runs down its swimlane columns, a BPMN pool runs left to right along horizontal
lanes. Built with the standard library only; the output validates against the OMG XSDs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from types import MappingProxyType

from laksana.engine import stepactors
from laksana.engine.render.flowgraph import (
    GATEWAY_SUFFIX,
    START,
    Graph,
    GraphNode,
    build_graph,
    flow_layout,
)
from laksana.engine.render.geometry import Geometry
from laksana.engine.render.model import Page, Point, Shape, Symbol
from laksana.engine.sourcerows import printed_cell
from laksana.engine.spec import ProcedureSpec, Step

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NAMESPACES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}

LANE_HEIGHT = 140.0
POOL_X = 20.0
POOL_Y = 20.0
LABEL_BAND = 30.0  # the pool's and each lane's name band, at their left
END_MARGIN = 30.0

# Sizes in the layout's frame, before turning: (width across the lane, height along the flow).
_SIZES = MappingProxyType(
    {
        Shape.PROCESS: (80.0, 100.0),
        Shape.DECISION: (50.0, 50.0),
        Shape.TERMINATOR: (36.0, 36.0),
        Shape.CONNECTOR: (20.0, 20.0),
    }
)
_ROW = MappingProxyType({Shape.PROCESS: 150.0, Shape.DECISION: 100.0, Shape.TERMINATOR: 86.0})
_GEOMETRY = Geometry(
    lane_width=LANE_HEIGHT,
    gutter=(LANE_HEIGHT - 80.0) / 2,
    track_spacing=8.0,
    port_spacing=12.0,
    arrow=8.0,
    label_size=11.0,
    jog=20.0,
)

_NOT_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def _q(prefix: str, tag: str) -> str:
    return f"{{{NAMESPACES[prefix]}}}{tag}"


class _Ids:
    """Valid, unique xsd:ID values (NCName) made from spec ids."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, prefix: str, raw: str) -> str:
        base = f"{prefix}_{_NOT_NAME.sub('_', raw)}"
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}_{n}", n + 1
        self.used.add(candidate)
        return candidate


def render_bpmn(spec: ProcedureSpec) -> str:
    """BPMN 2.0 XML (``definitions`` with a collaboration, the process and its diagram)."""
    graph = build_graph(spec, split_decisions=True)
    lanes = tuple(a.id for a in spec.actors)
    layout = flow_layout(
        graph,
        lanes=lanes,
        heights={n.id: _ROW[n.shape] for n in graph.nodes},
        sizes=_SIZES,
        geometry=_GEOMETRY,
    )
    page = layout.pages[0]
    ids = _Ids()
    key = spec.id or "procedure"
    definitions_id = ids.make("Definitions", key)
    collaboration_id = ids.make("Collaboration", key)
    participant_id = ids.make("Participant", key)
    process_id = ids.make("Process", key)
    lane_ids = {a.id: ids.make("Lane", a.id) for a in spec.actors}
    node_ids = {n.id: _node_id(ids, n) for n in graph.nodes}
    flow_ids = {e.id: ids.make("Flow", f"{i + 1}") for i, e in enumerate(graph.edges)}

    ET.register_namespace("bpmn", BPMN)
    ET.register_namespace("bpmndi", BPMNDI)
    ET.register_namespace("dc", DC)
    ET.register_namespace("di", DI)
    root = ET.Element(
        _q("bpmn", "definitions"),
        {
            "id": definitions_id,
            "targetNamespace": f"urn:laksana:procedure:{_NOT_NAME.sub('-', key)}",
            "exporter": "Laksana",
            "exporterVersion": "1",
        },
    )
    collaboration = ET.SubElement(root, _q("bpmn", "collaboration"), {"id": collaboration_id})
    ET.SubElement(
        collaboration,
        _q("bpmn", "participant"),
        {"id": participant_id, "name": spec.identity.title, "processRef": process_id},
    )
    process = ET.SubElement(
        root,
        _q("bpmn", "process"),
        {"id": process_id, "name": spec.identity.title, "isExecutable": "false"},
    )
    ET.SubElement(
        process, _q("bpmn", "documentation")
    ).text = f"SOP {spec.identity.number}: {spec.identity.title} ({spec.identity.agency})"
    lane_set = ET.SubElement(process, _q("bpmn", "laneSet"), {"id": ids.make("LaneSet", key)})
    for index, actor in enumerate(spec.actors):
        lane = ET.SubElement(
            lane_set, _q("bpmn", "lane"), {"id": lane_ids[actor.id], "name": actor.name}
        )
        for node in graph.nodes:
            if node.lane == index:
                ET.SubElement(lane, _q("bpmn", "flowNodeRef")).text = node_ids[node.id]

    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for edge in graph.edges:
        outgoing.setdefault(edge.source, []).append(flow_ids[edge.id])
        incoming.setdefault(edge.target, []).append(flow_ids[edge.id])
    for node in graph.nodes:
        _flow_node(process, spec, node, node_ids[node.id], incoming, outgoing)
    for edge in graph.edges:
        attrs = {
            "id": flow_ids[edge.id],
            "sourceRef": node_ids[edge.source],
            "targetRef": node_ids[edge.target],
        }
        if edge.label:
            attrs["name"] = edge.label
        ET.SubElement(process, _q("bpmn", "sequenceFlow"), attrs)

    _diagram(
        root,
        ids,
        spec,
        graph,
        page,
        collaboration_id=collaboration_id,
        participant_id=participant_id,
        lane_ids=lane_ids,
        node_ids=node_ids,
        flow_ids=flow_ids,
    )
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _node_id(ids: _Ids, node: GraphNode) -> str:
    if node.id == START:
        return ids.make("StartEvent", node.node)
    if node.shape is Shape.TERMINATOR:
        return ids.make("EndEvent", node.node)
    if node.shape is Shape.DECISION:
        return ids.make("Gateway", node.id.removesuffix(GATEWAY_SUFFIX))
    return ids.make("Task", node.id)


def _documentation(spec: ProcedureSpec, step: Step) -> str:
    lines = []
    requirements = "; ".join(printed_cell(spec, step.requirements_text, step.requires)[0])
    if requirements:
        lines.append(f"Kelengkapan: {requirements}")
    if step.time is not None:
        lines.append(f"Waktu: {step.time.text}")
    output = "; ".join(printed_cell(spec, step.output_text, step.produces)[0])
    if output:
        lines.append(f"Output: {output}")
    # The note, with a joint or any-of step's other actors and its copies (tembusan).
    note = stepactors.note_text(spec, step)
    if note:
        lines.append(f"Keterangan: {note}")
    return "\n".join(lines)


def _flow_node(
    process: ET.Element,
    spec: ProcedureSpec,
    node: GraphNode,
    element_id: str,
    incoming: Mapping[str, list[str]],
    outgoing: Mapping[str, list[str]],
) -> None:
    if node.id == START:
        tag = "startEvent"
    elif node.shape is Shape.TERMINATOR:
        tag = "endEvent"
    elif node.shape is Shape.DECISION:
        tag = "exclusiveGateway"
    else:
        tag = "userTask"
    element = ET.SubElement(process, _q("bpmn", tag), {"id": element_id, "name": node.label})
    if tag == "userTask":
        doc = _documentation(spec, spec.step(node.node))
        if doc:
            ET.SubElement(element, _q("bpmn", "documentation")).text = doc
    for flow in incoming.get(node.id, []):
        ET.SubElement(element, _q("bpmn", "incoming")).text = flow
    for flow in outgoing.get(node.id, []):
        ET.SubElement(element, _q("bpmn", "outgoing")).text = flow


def _turn(point: Point) -> Point:
    """From the layout's frame (lanes across, flow down) to the pool's (flow right)."""
    return Point(POOL_X + 2 * LABEL_BAND + point.y, POOL_Y + point.x)


def _bounds(parent: ET.Element, x: float, y: float, width: float, height: float) -> None:
    ET.SubElement(
        parent,
        _q("dc", "Bounds"),
        {"x": _n(x), "y": _n(y), "width": _n(width), "height": _n(height)},
    )


def _n(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _diagram(
    root: ET.Element,
    ids: _Ids,
    spec: ProcedureSpec,
    graph: Graph,
    page: Page,
    *,
    collaboration_id: str,
    participant_id: str,
    lane_ids: Mapping[str, str],
    node_ids: Mapping[str, str],
    flow_ids: Mapping[str, str],
) -> None:
    diagram = ET.SubElement(root, _q("bpmndi", "BPMNDiagram"), {"id": ids.make("BPMNDiagram", "1")})
    plane = ET.SubElement(
        diagram,
        _q("bpmndi", "BPMNPlane"),
        {"id": ids.make("BPMNPlane", "1"), "bpmnElement": collaboration_id},
    )
    lanes = len(spec.actors)
    pool_width = 2 * LABEL_BAND + page.height + END_MARGIN
    pool_height = lanes * LANE_HEIGHT
    shape = ET.SubElement(
        plane,
        _q("bpmndi", "BPMNShape"),
        {"id": f"{participant_id}_di", "bpmnElement": participant_id, "isHorizontal": "true"},
    )
    _bounds(shape, POOL_X, POOL_Y, pool_width, pool_height)
    for index, actor in enumerate(spec.actors):
        lane_id = lane_ids[actor.id]
        shape = ET.SubElement(
            plane,
            _q("bpmndi", "BPMNShape"),
            {"id": f"{lane_id}_di", "bpmnElement": lane_id, "isHorizontal": "true"},
        )
        _bounds(
            shape,
            POOL_X + LABEL_BAND,
            POOL_Y + index * LANE_HEIGHT,
            pool_width - LABEL_BAND,
            LANE_HEIGHT,
        )
    symbols: dict[str, Symbol] = {s.id: s for s in page.symbols}
    for node in graph.nodes:
        symbol = symbols[node.id]
        element_id = node_ids[node.id]
        attrs = {"id": f"{element_id}_di", "bpmnElement": element_id}
        if node.shape is Shape.DECISION:
            attrs["isMarkerVisible"] = "true"
        shape = ET.SubElement(plane, _q("bpmndi", "BPMNShape"), attrs)
        corner = _turn(Point(symbol.left, symbol.top))
        _bounds(shape, corner.x, corner.y, symbol.height, symbol.width)
    for route in page.routes:
        flow_id = flow_ids[route.id]
        edge = ET.SubElement(
            plane, _q("bpmndi", "BPMNEdge"), {"id": f"{flow_id}_di", "bpmnElement": flow_id}
        )
        for point in route.points:
            turned = _turn(point)
            ET.SubElement(edge, _q("di", "waypoint"), {"x": _n(turned.x), "y": _n(turned.y)})
