"""The recap's count of trained group leaders (Table 13): per group type, the active groups
with at least one current leader (chair, vice chair, secretary, treasurer) who attended a
training held by the end of the reference year, and those leaders (each person once per type).

Counted from the area's attendances directly, like the PMKS tables count cases: an area holds
far fewer trained leaders than groups, and each count starts from the attendance table. The
type's number of active groups comes from the stored counts. The leaders are
today's: a recap of an earlier year counts the current boards' trainings up to then.

The table appears once a leader of the area's groups was trained by the reference year."""

import datetime

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from members.models import Keanggotaan
from psks.models import LEADER_ROLES, PesertaPelatihan
from registry import access
from registry.models import RekapSel
from registry.rekap import Baris, Rekap, Tabel, percent

COLUMNS = ["Dengan pengurus terlatih", "Pengurus terlatih"]


def trained_by_type(rekap: Rekap) -> dict[int, dict]:
    """Per group type: the area's active groups with a trained current leader (`grup`) and
    those leaders (`orang`). One query, from the trained people: each of their current
    leaderships is found by the person (an index), so the cost follows the trained, not the
    area's groups."""
    trainees = PesertaPelatihan.objects.filter(
        pelatihan__tanggal_mulai__lte=datetime.date(rekap.tahun_acuan, 12, 31)).values("warga")
    rows = (
        Keanggotaan.objects.filter(
            access.within(rekap.wilayah, "perkumpulan__desa", any_level=True),
            warga__in=trainees, selesai__isnull=True, peran__in=LEADER_ROLES,
            perkumpulan__aktif=True,
        )
        .order_by().values("perkumpulan__jenis")
        .annotate(grup=Count("perkumpulan", distinct=True), orang=Count("warga", distinct=True))
    )
    return {r["perkumpulan__jenis"]: r for r in rows}


def table_trained_leaders(rekap: Rekap) -> Tabel | None:
    """Table 13: per group type, its active groups with a trained current leader (% of the
    type's groups) and its trained current leaders (% of the area's trained leaders); the total
    column is the type's active groups. Two queries (one when nobody was trained)."""
    found = trained_by_type(rekap)
    if not found:
        return None
    rows = (
        RekapSel.objects.filter(wilayah=rekap.wilayah, dimensi="jumlah", jumlah__gt=0)
        .values("jenis", "jenis__nama", "jenis__kode", "jumlah")
        .order_by("jenis__urutan", "jenis__nama")
    )
    none = {"grup": 0, "orang": 0}
    counts = [(r, found.get(r["jenis"], none)) for r in rows]
    groups = sum(c["grup"] for _r, c in counts)
    people = sum(c["orang"] for _r, c in counts)
    if not groups:
        return None
    baris = [
        Baris(r["jenis__nama"], r["jenis__kode"], [c["grup"], c["orang"]], jumlah=r["jumlah"],
              persen=[percent(c["grup"], r["jumlah"]), percent(c["orang"], people)])
        for r, c in counts
    ]
    total = Baris("Jumlah", "", [groups, people], jumlah=rekap.jumlah_perkumpulan,
                  persen=[percent(groups, rekap.jumlah_perkumpulan), 100.0])
    note = _("Total: the type's active groups. The first column's share is of the type's groups, "
             "the second's of the area's trained leaders. Trainings held by the end of the "
             "reference year; the leaders are today's.")
    return Tabel(13, _("Trained leaders of the community groups"), COLUMNS, baris, total, note)
