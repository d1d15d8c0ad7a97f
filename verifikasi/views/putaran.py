"""Stub: replaced by its page owner."""
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


putaran_list = putaran_form = putaran_detail = usulan_selisih = _todo
