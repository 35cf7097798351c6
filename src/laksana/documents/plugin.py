"""The documents module on the registry of artifact types (:mod:`laksana.cases.artifacts`).

Each document kind's artifact types take, as a step's output, the reference of a *final*
document of the same case and kind made for that step (``{"ref": "document:<id>"}``): the step
is complete when its document is signed, not when a file is uploaded. (A scanned, signed file
is still accepted for kinds a unit signs outside Laksana.)
"""

from __future__ import annotations


def register() -> None:
    """Called from DocumentsConfig.ready()."""
