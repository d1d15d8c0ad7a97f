from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PmksConfig(AppConfig):
    name = "pmks"
    verbose_name = _("PMKS")

    def ready(self) -> None:
        from pmks import rekap, views
        from pmks.models import RekapKasus
        from pmks.workbook import PmksSheet
        from registry import workbook
        from registry.panels import register_dashboard_card, register_perkumpulan_panel
        from registry.rekap import register_store, register_table

        workbook.register_sheet(PmksSheet())
        register_store("kasus", RekapKasus, ("kategori", "status", "didampingi"),
                       places=rekap.case_villages)(rekap.count_cases)
        rekap.connect_signals()
        register_table(10, sensitive=True)(rekap.table_category_status)
        register_table(11, sensitive=True)(rekap.table_coverage)
        register_perkumpulan_panel(40, "pmks/panel_kasus.html")(views.kasus_panel)
        register_dashboard_card(30)(views.kasus_card)
        from registry.lampau import register_past_rows

        register_past_rows("kasus", (10, 11))(rekap.past_cases)
