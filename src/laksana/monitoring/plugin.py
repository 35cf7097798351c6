"""The monitoring module's plug-ins: its panel on an application's record in the catalogue
and its sheet in the catalogue's spreadsheet. The core knows none of it."""

from __future__ import annotations


def register() -> None:
    from laksana.catalog.panels import register_panel
    from laksana.catalog.sheets import register_sheet
    from laksana.monitoring import app_panel, sheet

    register_panel("monitoring", app_panel.application_panel)
    register_sheet(sheet.NAME, sheet.READER)
