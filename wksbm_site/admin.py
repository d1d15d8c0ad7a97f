"""The admin site: Django's, with what every model admin registered on it (the registry's,
django-axes' and Django's own) needs against bad input — a list filter typed into the address that
the database cannot run answers 400, and a form posted with keys that are no keys comes back with
its errors: never a 500.

Django lets any lookup on a model's own fields through the address (`?nama__regex=[`,
`?waktu__gte=0001-01-01`) and runs it: an invalid regular expression then fails in the database,
and a date in year 1 cannot be turned into UTC on SQLite. `SafeLookups.lookup_allowed` refuses
such a filter, which Django answers with its "bad request" (400) page.
"""

import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models.constants import LOOKUP_SEP

from registry.forms import AdminFormfields

UNSAFE_LOOKUPS = {"regex", "iregex"}


def _field_of(model, lookup: str):
    """The last model field named along `lookup` (`pengguna__date_joined__gte` → date_joined)."""
    field, opts = None, model._meta
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            break
        if field.is_relation and field.related_model is not None:
            opts = field.related_model._meta
    return field


def runnable(model, lookup: str, value) -> bool:
    """False for a filter the database would fail on: a regular expression from the address, or
    a date and time out of the range the database stores."""
    if lookup.split(LOOKUP_SEP)[-1] in UNSAFE_LOOKUPS:
        return False
    if isinstance(_field_of(model, lookup), models.DateTimeField) and isinstance(value, str):
        try:
            moment = forms.DateTimeField().clean(value)
        except ValidationError:
            return True  # not a date: Django answers it as a wrong filter itself
        try:
            moment.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            return False
    return True


class SafeLookups(AdminFormfields):
    """What every model admin of the site gets (AdminSite.register)."""

    def lookup_allowed(self, lookup, value, request=None):
        return runnable(self.model, lookup, value) and super().lookup_allowed(
            lookup, value, request)


class AdminSite(admin.AdminSite):
    """Django's admin site; every model admin registered on it gets SafeLookups."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SafeLookups):
            admin_class = type(admin_class.__name__, (SafeLookups, admin_class), {
                "__module__": admin_class.__module__, "__doc__": admin_class.__doc__})
        super().register(model_or_iterable, admin_class, **options)
