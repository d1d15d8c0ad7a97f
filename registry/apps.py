from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from registry import converters, rekap, workbook
        from registry.workbook.perkumpulan import PerkumpulanSheet
        from registry.workbook.profil import ProfilDesaSheet

        # <id:pk> in every app's addresses: a key a database can hold, else 404.
        converters.register()
        workbook.register_sheet(PerkumpulanSheet())
        workbook.register_sheet(ProfilDesaSheet())
        rekap.connect_signals()
        # The groups whose decree (SK) ends soon, on the dashboard.
        from registry.panels import register_dashboard_card
        from registry.views import cetak

        register_dashboard_card(15)(cetak.sk_card)
        # The recap as the registry stood at a moment (?pada=DATE, rekap --pada DATE).
        from registry import lampau

        rekap.register_rekap_source(lampau.LampauSource())
