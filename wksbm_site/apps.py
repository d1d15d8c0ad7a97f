import functools

from axes import apps
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _


class AdminConfig(DjangoAdminConfig):
    """Django's admin on the site of wksbm_site/admin.py (imported once the apps are loaded).

    Its ready() runs first of all (the first of INSTALLED_APPS) and imports every app's admin,
    and with it the apps' forms: before it, every form's text field — the registry's pages, the
    admin, the filters — is made to refuse control characters and to strip invisible ones at its
    ends, as the importers do (one rule: registry.validators); every date field one outside
    1900–2100, every number field one past 10**12. Django's text fields that check a format of
    their own (e-mail, URL, slug) keep theirs."""

    default_site = "wksbm_site.admin.AdminSite"

    def ready(self) -> None:
        from django import forms

        from registry import validators

        forms.CharField.default_validators = [
            functools.partial(validators.validate_no_control_characters, nul=False)]
        # A text of zero-width spaces is blank, as one of spaces is (validators.strip_text).
        to_python = forms.CharField.to_python

        def strip_invisible(field, value):
            value = to_python(field, value)
            return validators.strip_text(value) if field.strip and isinstance(value, str) \
                else value

        forms.CharField.to_python = strip_invisible
        # Every form's date is of the registry's era and every number at most a village fund's
        # (registry.validators): a date in year 1 or 9999, or a number past 10**12, is told.
        forms.DateField.default_validators = [validators.validate_date_range]
        forms.IntegerField.default_validators = [validators.validate_number_range]
        # A read-only related record is linked only for a user who may open it (the admin's
        # own helper links it for anyone).
        from django.contrib.admin import helpers

        from wksbm_site.admin import reachable_admin_url

        helpers.AdminReadonlyField.get_admin_url = reachable_admin_url
        super().ready()


class AxesConfig(apps.AppConfig):
    """django-axes (the login lockout) under a heading the admin's users read: its own says
    "Axes"."""

    verbose_name = _("Login attempts")
