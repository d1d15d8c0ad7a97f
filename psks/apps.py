from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PsksConfig(AppConfig):
    name = "psks"
    verbose_name = _("Social welfare resources (PSKS)")

    def ready(self) -> None:
        from psks import rekap, views
        from psks.workbook import LksSheet, PelatihanSheet, PsksSheet
        from registry import workbook
        from registry.lampau import register_past_dimension
        from registry.panels import register_perkumpulan_panel
        from registry.rekap import register_dimension, register_table

        workbook.register_sheet(PsksSheet())
        workbook.register_sheet(LksSheet())
        workbook.register_sheet(PelatihanSheet())
        register_perkumpulan_panel(35, "psks/panel_pelatihan.html")(views.pelatihan_panel)
        register_dimension(rekap.DIMENSION)(rekap.count_trained)
        register_table(13)(rekap.table_trained_leaders)
        rekap.connect_signals()
        # Table 13 is not kept by the audit history (not a past table): nothing to count then.
        register_past_dimension(rekap.DIMENSION)(lambda lampau: ())
