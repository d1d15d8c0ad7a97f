"""Stub: replaced by its page owner."""
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


usulan_detail = usulan_ajukan = usulan_perbarui = usulan_verifikasi = usulan_setujui = _todo
usulan_kembalikan = berita_acara = item_detail = item_terima = item_kembalikan = _todo
item_ajukan_ulang = _todo
