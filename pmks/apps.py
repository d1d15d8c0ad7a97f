from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PmksConfig(AppConfig):
    name = "pmks"
    verbose_name = _("PMKS")

    def ready(self) -> None:
        from pmks import survey, views
        from registry import workbook
        from registry.views_perkumpulan import register_dashboard_card, register_group_panel

        workbook.register_sheet(survey.PmksSheet())
        register_group_panel(40, "pmks/panel_kasus.html")(views.cases_panel)
        register_dashboard_card(30)(views.open_cases_card)
