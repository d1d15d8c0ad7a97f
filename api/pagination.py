import functools

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination


class CountedPaginator(Paginator):
    """A paginator told its count (the stored recap counts' sum) rather than counting."""

    def __init__(self, *args, count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached property


class Halaman(PageNumberPagination):
    """Pages of 100 rows; `?page_size=` up to 500. A view with `known_count(queryset)` gives
    the number of rows when it knows it without a COUNT (None when not)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    # DRF's own words have no Indonesian; it fills in {page_number} with str.format
    invalid_page_message = _("Page {page_number} does not exist.")

    def paginate_queryset(self, queryset, request, view=None):
        known = getattr(view, "known_count", None)
        count = known(queryset) if known is not None else None
        self.django_paginator_class = functools.partial(CountedPaginator, count=count)
        return super().paginate_queryset(queryset, request, view)
