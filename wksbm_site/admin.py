"""The admin site: Django's, with what every model admin registered on it (the registry's,
django-axes' and Django's own) needs against bad input — a list filter typed into the address that
the database cannot run answers 400, and a form posted with keys that are no keys comes back with
its errors: never a 500.

Django lets any lookup on a model's own fields through the address (`?nama__regex=[`,
`?waktu__gte=0001-01-01`) and runs it: an invalid regular expression then fails in the database,
and a date in year 1 cannot be turned into UTC on SQLite. `SafeLookups.lookup_allowed` refuses
such a filter, which Django answers with its "bad request" (400) page — as it does any filter the
model admin does not declare.
"""

import contextvars
import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views import autocomplete as views_autocomplete
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext

from registry.forms import AdminFormfields
from wksbm_site.accounts import AdminLoginForm

UNSAFE_LOOKUPS = {"regex", "iregex"}
# The parts of a date a list's date hierarchy sends (`?tanggal__year=2026&tanggal__month=5`) and
# the numbers Django can make a date range of: a larger year (2**31, or 9999, whose next year
# is 10000) failed in Python before the query (a 500).
DATE_PARTS = {"year": (2, 9998), "month": (1, 12), "day": (1, 31)}


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
    """False for a filter the database would fail on: a regular expression from the address, a
    date and time out of the range the database stores, or a year, month or day out of range."""
    last = lookup.split(LOOKUP_SEP)[-1]
    if last in UNSAFE_LOOKUPS:
        return False
    if last in DATE_PARTS and isinstance(value, str):
        try:
            number = int(value)
        except ValueError:
            return True  # not a number: Django answers it as a wrong filter itself
        low, high = DATE_PARTS[last]
        return low <= number <= high
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


# What may follow a declared filter's field in the address: the related row's key (a foreign
# key's filter sends `jenis__id__exact`) and the lookups Django's own list filters send.
FILTER_SUFFIXES = {"exact", "isnull", "in", "gte", "gt", "lte", "lt", "year", "month", "day",
                   "pk", "id"}


def declared_lookups(model_admin, request) -> tuple[set[str], set[str]]:
    """The filters a model admin declares: (the parameters of its own list filters, the field
    paths of its field filters and date hierarchy)."""
    from django.contrib.admin import SimpleListFilter

    parameters, paths = set(), {model_admin.date_hierarchy} - {None}
    for item in model_admin.get_list_filter(request):
        if isinstance(item, (tuple, list)):
            item = item[0]
        if isinstance(item, str):
            paths.add(item)
        elif isinstance(item, type) and issubclass(item, SimpleListFilter):
            parameters.add(item.parameter_name)
    return parameters, paths


def declared(model_admin, lookup: str, request) -> bool:
    """Whether `lookup` is one of the filters the model admin declares (or what Django's own
    list filters send for them), and nothing more: `?kasus_pmks__isnull=False` on people, or
    `?jenis__nama__startswith=…` on groups, is not."""
    parameters, paths = declared_lookups(model_admin, request)
    if lookup in parameters or lookup in paths:
        return True
    return any(lookup.startswith(path + LOOKUP_SEP)
               and set(lookup[len(path) + 2:].split(LOOKUP_SEP)) <= FILTER_SUFFIXES
               for path in paths)


def popup_lookup(model, lookup: str, value) -> bool:
    """A filter the admin's own related-object popups send (a foreign key's limit_choices_to)."""
    from django.contrib.admin import widgets

    for fk_lookup in model._meta.related_fkey_lookups:
        if callable(fk_lookup):
            fk_lookup = fk_lookup()
        if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
            return True
    return False


class SafeLookups(AdminFormfields):
    """What every model admin of the site gets (AdminSite.register): only the filters it
    declares, for every role — Django would otherwise run any lookup on the model's own fields
    and relations from the address, so that `?kasus_pmks__isnull=False` told who has a case."""

    def lookup_allowed(self, lookup, value, request=None):
        return runnable(self.model, lookup, value) and (
            declared(self, lookup, request) or popup_lookup(self.model, lookup, value))

    def to_field_allowed(self, request, to_field):
        """`?_to_field=` names a column of this model, never a relation to it: Django asked a
        reverse relation (`?_to_field=keanggotaan`) for its primary_key, and failed (a 500)."""
        try:
            field = self.model._meta.get_field(to_field)
        except FieldDoesNotExist:
            return False
        return field.concrete and super().to_field_allowed(request, to_field)


# The request whose admin page is being rendered: Django links a read-only field's related
# record (`AdminReadonlyField.get_admin_url`) without asking whether the user may open it.
_rendering = contextvars.ContextVar("admin_request", default=None)


class SitePages:
    """What every model admin of the site gets (AdminSite.register) on a record's pages:

    - their tab names what the record is, not which: a tab title stays in the history of shared
      office PCs, and a record may be a person (a name, a case's category). The page itself
      still names the record; templates/admin/base_site.html leaves the record's name
      (`subtitle`) out of the tab, and the history page's tab says whose history by kind only;
    - a related record shown read-only is a link only for a user who may open it
      (`reachable_admin_url`): an observer's membership page linked to the person (403), a
      clerk's verified list to the user account that verified it (403)."""

    def history_view(self, request, object_id, extra_context=None):
        tab = gettext("Change history: %s") % self.model._meta.verbose_name
        return super().history_view(request, object_id, {"tab_title": tab,
                                                         **(extra_context or {})})

    def changeform_view(self, request, *args, **kwargs):
        token = _rendering.set(request)
        try:
            response = super().changeform_view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # here, where the request is known
            return response
        finally:
            _rendering.reset(token)


def reachable_admin_url(field, remote_field, remote_obj) -> str:
    """Django's AdminReadonlyField.get_admin_url, for a record the user may open only: else its
    name without a link."""
    request = _rendering.get()
    if request is not None:
        related = field.model_admin.admin_site._registry.get(remote_field.model)
        if related is None or not related.has_view_permission(request, remote_obj) or \
                not related.get_queryset(request).filter(pk=remote_obj.pk).exists():
            return str(remote_obj)
    return _django_admin_url(field, remote_field, remote_obj)


_django_admin_url = helpers.AdminReadonlyField.get_admin_url


class AutocompleteJsonView(views_autocomplete.AutocompleteJsonView):
    """Django's autocomplete, for a field that holds a foreign key or a many-to-many only: a
    reverse relation (`field_name=keanggotaan`) has no choices to limit, and failed (a 500);
    now it is refused like any field the admin does not know (403)."""

    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        if not (source_field.concrete and source_field.is_relation):
            raise PermissionDenied
        return term, model_admin, source_field, to_field_name


class AdminSite(admin.AdminSite):
    """Django's admin site; every model admin registered on it gets SafeLookups and SitePages.
    Its login form says a wrong password in the site's own words (wksbm_site.accounts)."""

    login_form = AdminLoginForm
    # The models' sidebar took 300 of an office PC's 1280 px and pushed a group's member and
    # link rows off the page; the index and the breadcrumbs lead to every model.
    enable_nav_sidebar = False

    def autocomplete_view(self, request):
        return AutocompleteJsonView.as_view(admin_site=self)(request)

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SafeLookups):
            admin_class = type(admin_class.__name__, (SafeLookups, SitePages, admin_class), {
                "__module__": admin_class.__module__, "__doc__": admin_class.__doc__})
        super().register(model_or_iterable, admin_class, **options)
