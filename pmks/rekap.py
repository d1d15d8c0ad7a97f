"""The recap tables about PMKS cases: Table 10 (category × status) and Table 11 (open cases with
and without an accompanying group).

Table 10 lists each category that holds cases in the area, in the list's order: today's 26
first, then the older ministry list's own categories (`daftar_lama`, ordered after them), so a
village recorded with the older names shows them and no other recap changes. Every case counts,
a person's closed earlier episodes too (each was a case at its time).

Cases are counted from the case table of the recap's area (one GROUP BY each, on the
`pmks_recap_idx` index): an area holds far fewer cases than groups. Both tables are sensitive:
the recap page leaves them out for observers. A recap with a source of stored counts (the recap
"as approved in round R") reads its "kasus" rows instead (`Rekap.stored`): `kategori`, `status`,
`didampingi` and the number of cases, `jumlah`.
"""

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from pmks.models import KasusPMKS, KategoriPMKS, StatusKasus
from registry import access
from registry.rekap import Baris, Rekap, make_table

# The contract's column labels, in the order of the statuses.
STATUS_COLUMNS = {
    StatusKasus.TERIDENTIFIKASI: "Teridentifikasi",
    StatusKasus.DITANGANI: "Ditangani",
    StatusKasus.DIRUJUK: "Dirujuk",
    StatusKasus.SELESAI: "Selesai",
    StatusKasus.MENOLAK: "Menolak Bantuan",
}


def cases_of(rekap: Rekap):
    return KasusPMKS.objects.filter(access.within(rekap.wilayah, "desa")).order_by()


def table_category_status(rekap: Rekap):
    stored = rekap.stored("kasus")
    found = (
        cases_of(rekap).values("kategori", "status").annotate(n=Count("pk")) if stored is None
        else stored.values("kategori", "status").annotate(n=Sum("jumlah"))
    )
    counts = {}
    for kategori, status, n in found.values_list("kategori", "status", "n"):
        if not n:
            continue
        counts.setdefault(kategori, {})[status] = n
    rows = [
        Baris(k.nama, k.kode, [counts[k.pk].get(status, 0) for status in STATUS_COLUMNS])
        for k in KategoriPMKS.objects.filter(pk__in=counts).order_by("urutan", "nama")
    ]
    return make_table(10, _("PMKS by category and status"), list(STATUS_COLUMNS.values()), rows,
                      rekap.jumlah_perkumpulan)


def table_coverage(rekap: Rekap):
    """Open cases (neither closed nor refused) with and without an accompanying group; each
    row's share is of all open cases."""
    stored = rekap.stored("kasus")
    if stored is None:
        open_cases = cases_of(rekap).exclude(status__in=KasusPMKS.CLOSED)
        counts = open_cases.aggregate(semua=Count("pk"), didampingi=Count("pendamping"))
    else:
        # (the alias is not the field's name: a past source's `didampingi` is an annotation)
        counts = stored.exclude(status__in=KasusPMKS.CLOSED).aggregate(
            semua=Coalesce(Sum("jumlah"), 0),
            dengan=Coalesce(Sum("jumlah", filter=Q(didampingi=True)), 0))
        counts["didampingi"] = counts.pop("dengan")
    rows = [Baris("Didampingi perkumpulan", "DIDAMPINGI", [counts["didampingi"]]),
            Baris("Belum didampingi", "BELUM", [counts["semua"] - counts["didampingi"]])]
    return make_table(11, _("Coverage of PMKS by accompanying groups"), ["jumlah"], rows,
                      counts["semua"])


def past_cases(area, pada):
    """Tables 10–11 as the registry stood (registry.lampau): the area's cases then, each one
    row of `kategori`, `status`, `didampingi` and `jumlah` 1."""
    from django.db.models import BooleanField, ExpressionWrapper, Value

    from registry.lampau import versions

    return versions(KasusPMKS, pada).filter(access.within(area, "desa")).order_by().annotate(
        didampingi=ExpressionWrapper(Q(pendamping__isnull=False), output_field=BooleanField()),
        jumlah=Value(1))
