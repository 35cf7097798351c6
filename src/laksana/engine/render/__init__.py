"""Rendering a procedure back as documents: the SOP AP document (HTML, SVG) and BPMN 2.0.

The layout of the flowchart (:mod:`.layout`, :mod:`.routing`) is computed once, in pure
Python, and shared by every output so they all show the same drawing.
"""

from __future__ import annotations

from laksana.engine.render.bpmn import render_bpmn
from laksana.engine.render.html import render_html
from laksana.engine.render.svg import render_svg

__all__ = ["render_bpmn", "render_html", "render_svg"]
