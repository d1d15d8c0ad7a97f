from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PmksConfig(AppConfig):
    name = "pmks"
    verbose_name = _("PMKS")

    def ready(self) -> None:
        from pmks import survey
        from registry import workbook

        workbook.register_sheet(survey.PmksSheet())
