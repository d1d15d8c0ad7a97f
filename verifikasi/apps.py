from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerifikasiConfig(AppConfig):
    name = "verifikasi"
    verbose_name = _("Verification rounds")

    def ready(self) -> None:
        # The rounds' figure on the dashboard (verifikasi/views/putaran.py).
        from registry.panels import register_dashboard_card
        from registry.rekap import register_rekap_source
        from verifikasi.rekap import PutaranSource
        from verifikasi.views.putaran import putaran_card

        register_dashboard_card(50)(putaran_card)
        # The recap "as approved in round R" (?putaran=ID, rekap --putaran ID).
        register_rekap_source(PutaranSource())
