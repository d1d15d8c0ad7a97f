"""The group list's filters (django-filter): what a village officer asks of the list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry import access
from registry.models import JaringanKerja, JenisPerkumpulan, Perkumpulan, Tingkat, Wilayah

LEVELS = [Tingkat.PROVINSI, Tingkat.KABUPATEN, Tingkat.KECAMATAN, Tingkat.DESA]


def has_sub_areas(user) -> bool:
    """Whether `user`'s lists may narrow to a part of their area (`sub_areas`): staff above a
    village, and an administrator without an area."""
    area = getattr(user, "wilayah", None)
    return area.tingkat != Tingkat.DESA if area is not None else access.sees_everything(user)


def area_label(area: Wilayah) -> str:
    """An area as the area filters offer it: a village indented under its kecamatan."""
    return f"{'— ' if area.tingkat == Tingkat.DESA else ''}{area.nama} ({area.kode})"


def sub_areas(request):
    """The areas a list of the user's area narrows to: the two levels below the user's own (a
    city's staff: its kecamatan and villages; a province's: its cities and kecamatan), and the
    user's own, in code order so that each area's own follow it. None for a village's
    officer."""
    user = getattr(request, "user", None)
    if not has_sub_areas(user):
        return Wilayah.objects.none()
    area = user.wilayah
    below = LEVELS[LEVELS.index(area.tingkat) + 1:][:2] if area else LEVELS[:1]
    found = Wilayah.objects.filter(tingkat__in=below)
    if area is not None:
        # And the user's own area, "all of my area": the pages' links name it (?wilayah=32.77
        # from a city's indicators to its cases).
        found = found.filter(access.within(area, "self")) | Wilayah.objects.filter(pk=area.pk)
    return found.order_by("kode")


class AreaFilter(django_filters.ModelChoiceFilter):
    """A list's rows within one of the user's sub-areas (`sub_areas`), for staff moving around
    their area; the rows' area is at `field_name` (a village, or an area of any level)."""

    def __init__(self, *args, any_level: bool = False, **kwargs):
        kwargs.setdefault("label", _("Area"))
        kwargs.setdefault("empty_label", _("All of my area"))
        super().__init__(*args, queryset=sub_areas, **kwargs)
        self.any_level = any_level

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(access.within(value, self.field_name, any_level=self.any_level))

    @property
    def field(self):
        field = super().field
        field.label_from_instance = area_label
        return field


class AllYesNo(django_filters.widgets.BooleanWidget):
    """A yes/no filter's select whose empty choice says what it does: "All" (django-filter's
    "Unknown" read as a value of its own)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]


class AreaFilterSet(django_filters.FilterSet):
    """A list's filters with `wilayah` (an AreaFilter): left out for a user with no part of
    their area to narrow to (a village's officer)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "wilayah" in self.filters and not has_sub_areas(getattr(self.request, "user", None)):
            del self.filters["wilayah"]


class PerkumpulanFilter(AreaFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    jenis = django_filters.ModelChoiceFilter(
        queryset=JenisPerkumpulan.objects.all(), to_field_name="kode", label=_("Type"),
        empty_label=_("All types"),
    )
    wilayah = AreaFilter(field_name="desa", any_level=True)
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
        label=_("Sort by"), empty_label=_("code (as usual)"),
    )

    class Meta:
        model = Perkumpulan
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(nama__icontains=value) | Q(kode__icontains=value))
