"""The group list's filters (django-filter): what a village officer asks of the list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.models import JaringanKerja, JenisPerkumpulan, Perkumpulan


class AllYesNo(django_filters.widgets.BooleanWidget):
    """A yes/no filter's select whose empty choice says what it does: "All" (django-filter's
    "Unknown" read as a value of its own)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]


class PerkumpulanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    jenis = django_filters.ModelChoiceFilter(
        queryset=JenisPerkumpulan.objects.all(), to_field_name="kode", label=_("Type"),
        empty_label=_("All types"),
    )
    rw = django_filters.NumberFilter(label=_("RW"), min_value=1, max_value=999)
    berdiri_sesudah = django_filters.NumberFilter(
        field_name="tahun_berdiri", lookup_expr="gte", label=_("Founded in or after"),
        min_value=1900, max_value=2100,
    )
    berdiri_sebelum = django_filters.NumberFilter(
        field_name="tahun_berdiri", lookup_expr="lte", label=_("Founded in or before"),
        min_value=1900, max_value=2100,
    )
    aktif = django_filters.BooleanFilter(label=_("Active"), widget=AllYesNo)
    jaringan = django_filters.ChoiceFilter(
        field_name="jaringan_kerja", choices=JaringanKerja.choices, label=_("Working network"),
        empty_label=_("Any network"),
    )
    urut = django_filters.OrderingFilter(
        fields=(("kode", "kode"), ("nama", "nama"), ("jenis__urutan", "jenis"),
                ("tahun_berdiri", "tahun"), ("desa", "desa"), ("rw", "rw")),
        # Each order named in the registry's catalogue, the descending ones too (django-filter
        # has no Indonesian catalogue: its "%s (descending)" stayed English).
        field_labels={"kode": _("code"), "nama": _("name"), "jenis__urutan": _("type"),
                      "tahun_berdiri": _("year founded"), "desa": _("village"), "rw": _("RW"),
                      "-kode": _("code (descending)"), "-nama": _("name (descending)"),
                      "-jenis": _("type (descending)"), "-tahun": _("year founded (descending)"),
                      "-desa": _("village (descending)"), "-rw": _("RW (descending)")},
        label=_("Sort by"),
    )

    class Meta:
        model = Perkumpulan
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(nama__icontains=value) | Q(kode__icontains=value))
