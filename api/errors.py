"""The API's errors in the user's language: DRF's own words that its Indonesian catalogue lacks
(a method the API does not take, the wait after too many requests) and Django's 404 text that
names a model ("No Perkumpulan matches the given query.") are replaced by the project's."""

import math

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.views import exception_handler


class Throttled(exceptions.Throttled):
    """DRF's Throttled translates its text after filling in the wait, so no catalogue finds it."""

    def __init__(self, wait):
        wait = math.ceil(wait)
        super().__init__(detail=ngettext(
            "Too many requests: try again in %(wait)d second.",
            "Too many requests: try again in %(wait)d seconds.", wait) % {"wait": wait})
        self.wait = wait


def handler(exc, context):
    """settings.REST_FRAMEWORK's EXCEPTION_HANDLER: DRF's, after putting the words right."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()  # "Data tidak ditemukan.", no model's name
    elif isinstance(exc, exceptions.MethodNotAllowed):
        method = context["request"].method
        exc = exceptions.MethodNotAllowed(method, detail=_(
            "The API only reads: a %(method)s request is not taken.") % {"method": method})
    elif isinstance(exc, exceptions.Throttled) and not isinstance(exc, Throttled):
        exc = Throttled(exc.wait or 0)
    return exception_handler(exc, context)
