"""Stub: replaced by its page owner."""
from django.http import Http404


def usulan_cetak(request, *args, **kwargs):
    raise Http404
