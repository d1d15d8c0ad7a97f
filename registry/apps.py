from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from registry import rekap, survey, workbook

        workbook.register_sheet(survey.PerkumpulanSheet())
        rekap.connect_signals()
