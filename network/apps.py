from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Working network")

    def ready(self) -> None:
        from network import rekap, views, views_cetak
        from network.workbook import DanaSheet, JaringanSheet
        from registry import workbook
        from registry.panels import (
            register_cetak_section,
            register_dashboard_card,
            register_perkumpulan_history,
            register_perkumpulan_panel,
        )
        from registry.rekap import register_dimension, register_table

        workbook.register_sheet(JaringanSheet())
        workbook.register_sheet(DanaSheet())
        register_perkumpulan_panel(30, "network/panel_hubungan.html")(views.hubungan_panel)
        register_perkumpulan_panel(35, "network/panel_dana.html")(views.dana_panel)
        register_dimension(rekap.DIMENSION)(rekap.count_isolated)
        register_table(12)(rekap.table_funds_by_kind)
        rekap.connect_signals()
        register_dashboard_card(40)(views.terisolasi_card)
        register_perkumpulan_history(views.hubungan_history)
        register_perkumpulan_history(views.dana_history)
        register_cetak_section(30, "cetak/_hubungan.html")(views_cetak.hubungan_section)
        from registry.lampau import register_past_dimension

        register_past_dimension("terisolasi")(rekap.past_isolated)
