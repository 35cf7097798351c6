from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "laksana.intake"
    label = "intake"
    verbose_name = _("Requests from outside")
    default_auto_field = "django.db.models.BigAutoField"
