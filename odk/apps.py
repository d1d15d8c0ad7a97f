from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OdkConfig(AppConfig):
    name = "odk"
    verbose_name = _("Offline collection (ODK, KoboToolbox)")

    def ready(self) -> None:
        from odk.kobo import KoboLayout
        from registry import workbook

        # A KoboToolbox or ODK export of the survey's XLSForm imports as a survey workbook.
        workbook.register_layout(KoboLayout())
