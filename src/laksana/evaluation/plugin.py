"""The evaluation module on the registries (filled in by its builders)."""

from __future__ import annotations


def register() -> None:
    """Called from the app's ready()."""
