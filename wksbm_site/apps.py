import functools

from axes import apps
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _


class AdminConfig(DjangoAdminConfig):
    """Django's admin on the site of wksbm_site/admin.py (imported once the apps are loaded).

    Its ready() runs first of all (the first of INSTALLED_APPS) and imports every app's admin,
    and with it the apps' forms: before it, every form's text field — the registry's pages, the
    admin, the filters — is made to refuse control characters, as the importers do (one rule:
    registry.validators). Django's text fields that check a format of their own (e-mail, URL,
    slug) keep theirs."""

    default_site = "wksbm_site.admin.AdminSite"

    def ready(self) -> None:
        from django import forms

        from registry.validators import validate_no_control_characters

        forms.CharField.default_validators = [
            functools.partial(validate_no_control_characters, nul=False)]
        super().ready()


class AxesConfig(apps.AppConfig):
    """django-axes (the login lockout) under a heading the admin's users read: its own says
    "Axes"."""

    verbose_name = _("Login attempts")
