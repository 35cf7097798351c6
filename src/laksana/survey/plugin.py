"""The survey module on the registries: invitations of the requesters of finished cases (a
follower of completed steps, and a periodic pass that sends and expires them), the survey
report as the value of SOP 001's row f.2 (artifact type ``quality.satisfaction_survey``), and
the surveys' panel on the application's record in the catalogue."""

from __future__ import annotations


def register() -> None:
    """Called from SurveyConfig.ready() (after DocumentsConfig's: the report's producer
    replaces the documents module's for the survey's artifact type)."""
    from laksana.ops import logs
    from laksana.survey import app_panel, invitations, report_plugin

    invitations.register()
    # The invitation link's secret is never written to the log.
    logs.hide_after("/survei/undangan/")
    report_plugin.register()
    app_panel.register()
