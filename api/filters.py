"""The API's filters: the web lists' own (registry.filters, pmks.filters), and two more of the
same kind for the memberships and the links, which have no list page of their own."""

import django_filters
from django.utils.translation import gettext_lazy as _

from members.models import Keanggotaan, PeranAnggota
from network.models import BentukHubungan, Hubungan
from registry.filters import AllYesNo, AreaFilter, AreaFilterSet


class KeanggotaanFilter(AreaFilterSet):
    perkumpulan = django_filters.CharFilter(field_name="perkumpulan__kode", lookup_expr="iexact",
                                            label=_("Group (code)"))
    peran = django_filters.ChoiceFilter(choices=PeranAnggota.choices, label=_("Role"))
    aktif = django_filters.BooleanFilter(field_name="selesai", lookup_expr="isnull",
                                         label=_("Current"), widget=AllYesNo)
    wilayah = AreaFilter(field_name="perkumpulan__desa", any_level=True)

    class Meta:
        model = Keanggotaan
        fields: list[str] = []


class HubunganFilter(AreaFilterSet):
    perkumpulan = django_filters.CharFilter(field_name="perkumpulan__kode", lookup_expr="iexact",
                                            label=_("Group (code)"))
    bentuk = django_filters.ChoiceFilter(choices=BentukHubungan.choices,
                                         label=_("Form of the link"))
    wilayah = AreaFilter(field_name="perkumpulan__desa", any_level=True)

    class Meta:
        model = Hubungan
        fields: list[str] = []
