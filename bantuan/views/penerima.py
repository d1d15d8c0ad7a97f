"""Recipients, distributions and stimulus reports; the aid history panels of a group's,
a person's and a household's pages."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


penerima_add = penerima_detail = penerima_stop = penyaluran_add = penyaluran_bukti = _todo
laporan_add = laporan_list = _todo
