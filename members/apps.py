from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from members import rekap, views, views_cetak
        from members.workbook import AnggotaSheet, KeluargaSheet
        from registry import workbook
        from registry.panels import (
            register_cetak_section,
            register_dashboard_card,
            register_list_column,
            register_perkumpulan_history,
            register_perkumpulan_panel,
        )
        from registry.rekap import register_dimension, register_table

        workbook.register_sheet(KeluargaSheet())
        workbook.register_sheet(AnggotaSheet())
        register_dimension("ukuran", fields=["jumlah_anggota"])(rekap.count_sizes)
        register_dimension("pendidikan")(rekap.count_chair_education)
        register_dimension("anggota")(rekap.count_members)
        register_table(3)(rekap.table_size)
        register_table(4)(rekap.table_chair_education)
        rekap.connect_signals()
        # The board and members on a group's page; current memberships on the dashboard.
        register_perkumpulan_panel(20, "members/panel_anggota.html")(views.anggota_panel)
        register_dashboard_card(20)(views.keanggotaan_card)
        # The group list's chair and active members, as the village system officers know shows.
        register_list_column(10, "ketua", _("Chair"))(views.chair_name)
        register_list_column(20, "anggota_aktif", _("Active members"), numeric=True)(
            views.active_members)
        register_perkumpulan_history(views.keanggotaan_history)
        register_cetak_section(20, "cetak/_pengurus.html")(views_cetak.pengurus_section)
        from registry.lampau import register_past_dimension

        register_past_dimension("ukuran")(rekap.past_sizes)
        register_past_dimension("pendidikan")(rekap.past_chair_education)
        register_past_dimension("anggota")(rekap.past_members)
