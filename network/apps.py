from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Working network")

    def ready(self) -> None:
        from network import survey
        from registry import workbook

        workbook.register_sheet(survey.JaringanSheet())
