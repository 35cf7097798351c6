"""Placeholder: filled in by its builder."""

from __future__ import annotations


def register() -> None:
    """Called from laksana.survey.plugin.register()."""
