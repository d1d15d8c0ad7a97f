from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BantuanConfig(AppConfig):
    name = "bantuan"
    verbose_name = _("Aid")

    def ready(self) -> None:
        from bantuan import rekap
        from bantuan.forms import KasusBantuanForm
        from bantuan.models import Penyaluran, RekapBantuan
        from bantuan.views import penerima
        from bantuan.views.program import program_card
        from bantuan.workbook import BantuanSheet
        from pmks.views import register_kasus_action, register_kasus_timeline
        from registry.panels import (
            register_dashboard_card,
            register_page_panel,
            register_perkumpulan_panel,
        )
        from registry.rekap import register_store, register_table
        from registry.workbook import register_sheet

        register_kasus_action("bantuan", KasusBantuanForm, _("Record help given"))
        register_kasus_timeline(
            lambda kasus: Penyaluran.objects.filter(kasus=kasus)
            .select_related("oleh", "perkumpulan", "penerima__program"))
        register_dashboard_card(45)(program_card)
        register_sheet(BantuanSheet())
        register_store("bantuan", RekapBantuan, ("ukuran", "kunci", "dari", "sampai", "hari"),
                       places=rekap.aid_places, own_level=True)(rekap.count_aid)
        rekap.connect_signals()
        register_table(14)(rekap.table_aid_by_programme)
        register_table(15, sensitive=True)(rekap.table_recipients_by_category)
        register_table(16, sensitive=True)(rekap.table_open_cases_reached)
        register_table(17)(rekap.table_stimulus_reports)
        # The aid history of a group's, a person's and a household's page.
        register_perkumpulan_panel(45, "bantuan/panel_perkumpulan.html")(
            penerima.perkumpulan_panel)
        register_page_panel("warga", 30, "bantuan/panel_warga.html")(penerima.warga_panel)
        register_page_panel("keluarga", 30, "bantuan/panel_keluarga.html")(
            penerima.keluarga_panel)
