from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from members import survey
        from registry import workbook

        workbook.register_sheet(survey.AnggotaSheet())
