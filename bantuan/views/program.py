"""Programmes: the list, a programme's page, its form, its recipients by name by address as a
workbook (logged), and the double-aid overlaps of an area."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


program_list = program_form = program_detail = program_xlsx = ganda_list = _todo
