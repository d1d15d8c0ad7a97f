from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data: the Cibeureum 2006 village (`load_demo`) and synthetic villages drawn from it
    (`generate_demo`). The top floor: it imports every app and no app imports it."""

    name = "demo"
    verbose_name = _("Demo data")
