from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin on the site of wksbm_site/admin.py (imported once the apps are loaded)."""

    default_site = "wksbm_site.admin.AdminSite"
