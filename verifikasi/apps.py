from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerifikasiConfig(AppConfig):
    name = "verifikasi"
    verbose_name = _("Verification rounds")
