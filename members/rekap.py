"""The recap tables about members: Table 3 (size) and Table 4 (the chairs' education)."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from members.models import Keanggotaan, Pendidikan, PeranAnggota
from registry.rekap import SIZE_BRACKETS, Baris, Rekap, bracket_filter, by_type, make_table
from registry.workbook import choice_label


def registered_members() -> Subquery:
    """The number of a group's current members, for groups that declare no number."""
    return Subquery(
        Keanggotaan.objects.filter(perkumpulan=OuterRef("pk"), selesai__isnull=True)
        .order_by()
        .values("perkumpulan")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def table_size(rekap: Rekap):
    """Groups by size: the declared number of members, else the registered current members.

    COALESCE looks at the registered members only where no number is declared."""
    sized = rekap.groups.annotate(ukuran=Coalesce("jumlah_anggota", registered_members(), 0))
    rows = by_type(
        sized, {label: bracket_filter("ukuran", low, high) for label, low, high in SIZE_BRACKETS}
    )
    return make_table(3, _("Number of members of the community groups"),
                      [label for label, _low, _high in SIZE_BRACKETS], rows,
                      rekap.jumlah_perkumpulan)


def table_chair_education(rekap: Rekap):
    counts = dict(
        Keanggotaan.objects.filter(
            perkumpulan__in=rekap.groups.values("pk"), peran=PeranAnggota.KETUA,
            selesai__isnull=True,
        )
        .exclude(warga__pendidikan="")
        .values_list("warga__pendidikan")
        .annotate(n=Count("pk"))
    )
    rows = [Baris(choice_label(Pendidikan, code), code, [counts.get(code, 0)])
            for code in Pendidikan.values]
    chairs = sum(counts.values())
    note = ""
    if chairs < rekap.jumlah_perkumpulan:
        note = _("%(n)d groups have no chair with a known education and are left out.") % {
            "n": rekap.jumlah_perkumpulan - chairs
        }
    return make_table(4, _("Education of the group chairs"), ["jumlah"], rows,
                      rekap.jumlah_perkumpulan, note)



