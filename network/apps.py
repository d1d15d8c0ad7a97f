from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Working network")

    def ready(self) -> None:
        from network import survey, views
        from registry import workbook
        from registry.views_perkumpulan import register_dashboard_card, register_group_panel

        workbook.register_sheet(survey.JaringanSheet())
        register_group_panel(30, "network/panel_hubungan.html")(views.links_panel)
        register_dashboard_card(40)(views.isolated_card)
