from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Working network")

    def ready(self) -> None:
        from network import rekap, views
        from network.workbook import JaringanSheet
        from registry import workbook
        from registry.rekap import register_dimension
        from registry.views_perkumpulan import (
            register_dashboard_card,
            register_group_history,
            register_group_panel,
        )

        workbook.register_sheet(JaringanSheet())
        register_group_panel(30, "network/panel_hubungan.html")(views.links_panel)
        register_dimension("terisolasi")(rekap.count_isolated)
        rekap.connect_signals()
        register_dashboard_card(40)(views.isolated_card)
        register_group_history(views.link_history)
