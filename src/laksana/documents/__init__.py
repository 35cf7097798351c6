"""Documents produced from the product's data: the SOP AP document as PDF, and more to come.

This package may use WeasyPrint; like the engine, it never imports Django.
"""

from __future__ import annotations
