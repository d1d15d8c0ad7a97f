from axes import apps
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _


class AdminConfig(DjangoAdminConfig):
    """Django's admin on the site of wksbm_site/admin.py (imported once the apps are loaded)."""

    default_site = "wksbm_site.admin.AdminSite"


class AxesConfig(apps.AppConfig):
    """django-axes (the login lockout) under a heading the admin's users read: its own says
    "Axes"."""

    verbose_name = _("Login attempts")
