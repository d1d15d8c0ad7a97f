"""The case list's filters: what a village officer or Dinas Sosial asks of the PMKS cases."""

import django_filters
from django.utils.translation import gettext_lazy as _

from pmks.models import KasusPMKS, KategoriPMKS, StatusKasus
from registry.filters import AllYesNo, AreaFilter, AreaFilterSet


class KasusFilter(AreaFilterSet):
    q = django_filters.CharFilter(field_name="nama", lookup_expr="icontains", label=_("Name"))
    kategori = django_filters.ModelChoiceFilter(
        queryset=KategoriPMKS.objects.all(), to_field_name="kode", label=_("Category"),
        empty_label=_("All categories"),
    )
    status = django_filters.ChoiceFilter(choices=StatusKasus.choices, label=_("Status"),
                                         empty_label=_("Any status"))
    didampingi = django_filters.BooleanFilter(
        field_name="pendamping", lookup_expr="isnull", exclude=True,
        label=_("Accompanied by a group"), widget=AllYesNo,
    )
    pendamping = django_filters.CharFilter(field_name="pendamping__kode", lookup_expr="iexact",
                                           label=_("Accompanying group (code)"))
    wilayah = AreaFilter(field_name="desa")
    desa = django_filters.CharFilter(field_name="desa", label=_("Village code"))
    rw = django_filters.NumberFilter(label=_("RW"), min_value=1, max_value=999)

    class Meta:
        model = KasusPMKS
        fields: list[str] = []


class CakupanFilter(AreaFilterSet):
    """The coverage page's one choice: a part of the user's area."""

    wilayah = AreaFilter(field_name="desa")

    class Meta:
        model = KasusPMKS
        fields: list[str] = []
