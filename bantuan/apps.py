from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BantuanConfig(AppConfig):
    name = "bantuan"
    verbose_name = _("Aid")

    def ready(self) -> None:
        from bantuan.forms import KasusBantuanForm
        from bantuan.models import Penyaluran
        from bantuan.views import penerima
        from pmks.views import register_kasus_action, register_kasus_timeline
        from registry.panels import register_page_panel, register_perkumpulan_panel

        register_kasus_action("bantuan", KasusBantuanForm, _("Record help given"))
        register_kasus_timeline(
            lambda kasus: Penyaluran.objects.filter(kasus=kasus)
            .select_related("oleh", "perkumpulan", "penerima__program"))
        # The aid history of a group's, a person's and a household's page.
        register_perkumpulan_panel(45, "bantuan/panel_perkumpulan.html")(
            penerima.perkumpulan_panel)
        register_page_panel("warga", 30, "bantuan/panel_warga.html")(penerima.warga_panel)
        register_page_panel("keluarga", 30, "bantuan/panel_keluarga.html")(
            penerima.keluarga_panel)
