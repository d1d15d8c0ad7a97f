from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KetahananConfig(AppConfig):
    name = "ketahanan"
    verbose_name = _("Social resilience")

    def ready(self) -> None:
        from ketahanan.views import indikator, penilaian, pokja, putaran, rencana

        for module in (indikator, putaran, pokja, penilaian, rencana):
            module.register()
