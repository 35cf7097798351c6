from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "laksana.intake"
    label = "intake"
    verbose_name = _("Requests from outside")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The requester's e-mails follow completed steps and holds (cases knows no intake).
        from laksana.intake import requester_mail, tasks

        requester_mail.register()
        # The follow and confirmation links carry their secret in the path: logged hidden.
        from laksana.ops import logs

        logs.hide_after("/layanan/permohonan/")
        logs.hide_after("/layanan/konfirmasi/")
        # The satisfaction survey invites an outside requester by their e-mail address.
        from laksana.intake.desk import contact_of
        from laksana.survey import invitations

        invitations.register_outside_contact(contact_of)
        # The periodic sweep: unconfirmed requests expired, old counts and form tokens.
        tasks.register()

        # The case page's "Pemohon luar" panel: the requester of a case opened from outside.
        from laksana.cases.panels import register_panel
        from laksana.intake.panel import case_panel

        register_panel("outside_requester", case_panel)
