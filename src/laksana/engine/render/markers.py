"""The marks of a step of several actors in the document's other lanes.

A joint step (``joint``: bersama) or an any-of step (``any_of``: atau) is drawn once, in its
actor's lane, by the router; each other actor of it gets a :class:`~.model.Marker` on the same
row: the step's shape, smaller, outlined dashed (bersama) or dotted (atau), with the word
"bersama" or "atau" inside and a line of the same kind joining it to the step's symbol. The
markers are added after routing and change no route; Keterangan explains them
(:func:`laksana.engine.stepactors.note_text`).
"""

from __future__ import annotations

from dataclasses import replace

from laksana.engine import stepactors
from laksana.engine.render.model import FlowLayout, Marker, Page, Shape
from laksana.engine.spec import ProcedureSpec

# The marker's size against the step's symbol.
SCALE = 0.72


def with_markers(flow: FlowLayout, spec: ProcedureSpec) -> FlowLayout:
    """``flow`` with the markers of its joint and any-of steps on every page."""
    if not any(stepactors.others(s) for s in spec.steps):
        return flow
    lane_of = {actor: i for i, actor in enumerate(flow.lanes)}
    return replace(flow, pages=tuple(_page(page, spec, lane_of, flow) for page in flow.pages))


def _page(page: Page, spec: ProcedureSpec, lane_of: dict[str, int], flow: FlowLayout) -> Page:
    markers: list[Marker] = []
    for symbol in page.symbols:
        if symbol.shape not in (Shape.PROCESS, Shape.DECISION) or not spec.has_step(symbol.node):
            continue
        step = spec.step(symbol.node)
        kinds = [("joint", a) for a in step.joint] + [("any_of", a) for a in step.any_of]
        for kind, actor in kinds:
            lane = lane_of.get(actor)
            if lane is None:
                continue
            cx = (lane + 0.5) * flow.lane_width
            width = min(symbol.width * SCALE, flow.lane_width * 0.7)
            markers.append(
                Marker(
                    node=step.id,
                    actor=actor,
                    kind=kind,
                    shape=symbol.shape,
                    cx=round(cx, 2),
                    cy=symbol.cy,
                    width=round(width, 2),
                    height=round(symbol.height * SCALE, 2),
                    link_x=symbol.right if cx > symbol.cx else symbol.left,
                    word=stepactors.MARKER_WORDS[kind],
                )
            )
    return replace(page, markers=tuple(markers)) if markers else page
