"""The recap's count of trained group leaders (Table 13): per group type, the active groups
with at least one current leader (chair, vice chair, secretary, treasurer) who attended a
training held by the end of the reference year, and those leaders (each person once per type).

Counted from the area's attendances directly, like the PMKS tables count cases: an area holds
far fewer trained leaders than groups, and each count starts from the attendance table. The
type's number of active groups comes from the stored counts, in the same query. The leaders are
today's: a recap of an earlier year counts the current boards' trainings up to then.

The table appears once a leader of the area's groups was trained by the reference year."""

import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from psks.models import LEADER_ROLES, PesertaPelatihan
from registry import access
from registry.models import RekapSel
from registry.rekap import Baris, Rekap, Tabel, percent

COLUMNS = ["Dengan pengurus terlatih", "Pengurus terlatih"]
GROUP = "warga__keanggotaan__perkumpulan"


def trained(rekap: Rekap, counted: str) -> Coalesce:
    """The number of distinct `counted` (the groups, or the people) among the trained current
    leaderships of the stored row's group type within the recap's area."""
    until = datetime.date(rekap.tahun_acuan, 12, 31)
    rows = (
        PesertaPelatihan.objects.filter(
            # One filter call: every condition on the same membership.
            access.within(rekap.wilayah, f"{GROUP}__desa"),
            pelatihan__tanggal_mulai__lte=until,
            warga__keanggotaan__selesai__isnull=True,
            warga__keanggotaan__peran__in=LEADER_ROLES,
            **{f"{GROUP}__aktif": True, f"{GROUP}__jenis": OuterRef("jenis")},
        )
        .order_by().values(f"{GROUP}__jenis")
        .annotate(n=Count(counted, distinct=True)).values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def table_trained_leaders(rekap: Rekap) -> Tabel | None:
    """Table 13: per group type, its active groups with a trained current leader (% of the
    type's groups) and its trained current leaders (% of the area's trained leaders); the total
    column is the type's active groups. One query."""
    rows = list(
        RekapSel.objects.filter(wilayah=rekap.wilayah, dimensi="jumlah", jumlah__gt=0)
        .values("jenis__nama", "jenis__kode", "jumlah")
        .annotate(grup=trained(rekap, GROUP), orang=trained(rekap, "warga"))
        .order_by("jenis__urutan", "jenis__nama")
    )
    groups = sum(r["grup"] for r in rows)
    people = sum(r["orang"] for r in rows)
    if not groups:
        return None
    baris = [
        Baris(r["jenis__nama"], r["jenis__kode"], [r["grup"], r["orang"]], jumlah=r["jumlah"],
              persen=[percent(r["grup"], r["jumlah"]), percent(r["orang"], people)])
        for r in rows
    ]
    total = Baris("Jumlah", "", [groups, people], jumlah=rekap.jumlah_perkumpulan,
                  persen=[percent(groups, rekap.jumlah_perkumpulan), 100.0])
    note = _("Total: the type's active groups. The first column's share is of the type's groups, "
             "the second's of the area's trained leaders. Trainings held by the end of the "
             "reference year; the leaders are today's.")
    return Tabel(13, _("Trained leaders of the community groups"), COLUMNS, baris, total, note)
