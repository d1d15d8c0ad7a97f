from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("JSON API")

    def ready(self) -> None:
        from api import schema  # noqa: F401 — the token authentication's OpenAPI description
