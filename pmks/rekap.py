"""The recap tables about PMKS cases: Table 10 (category × status) and Table 11 (open cases with
and without an accompanying group).

Table 10 lists each category that holds cases in the area, in the list's order: today's 26
first, then the older ministry list's own categories (`daftar_lama`, ordered after them), so a
village recorded with the older names shows them and no other recap changes. Every case counts,
a person's closed earlier episodes too (each was a case at its time).

The counts are stored (`RekapKasus`, a store of registry.rekap): per village, category, status
and accompaniment, summed up to every ancestor, refreshed with the village's group counts by the
write that changes its cases (the signals below, the pmks sheet of the importer, the demo's
writer), so a province's tables read a few hundred rows rather than its 114,000 cases. Both
tables are sensitive: the recap page leaves them out for observers. A recap with a source of
stored counts (the recap "as approved in round R") reads its own "kasus" rows the same way
(`Rekap.stored`): `kategori`, `status`, `didampingi` and the number of cases, `jumlah`.
"""

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from pmks.models import KasusPMKS, KategoriPMKS, RekapKasus, StatusKasus
from registry import access
from registry.models import Perkumpulan
from registry.rekap import Baris, Rekap, make_table, mark_stale

# The contract's column labels, in the order of the statuses.
STATUS_COLUMNS = {
    StatusKasus.TERIDENTIFIKASI: "Teridentifikasi",
    StatusKasus.DITANGANI: "Ditangani",
    StatusKasus.DIRUJUK: "Dirujuk",
    StatusKasus.SELESAI: "Selesai",
    StatusKasus.MENOLAK: "Menolak Bantuan",
}


def count_cases(villages: list[str]):
    """The store "kasus": (village, category, status, accompanied, n) of these villages' cases.
    One GROUP BY on the `pmks_recap_idx` index."""
    for desa, kategori, status, n, didampingi in (
            KasusPMKS.objects.filter(desa__in=villages).order_by()
            .values("desa", "kategori", "status")
            .annotate(n=Count("pk"), d=Count("pendamping"))
            .values_list("desa", "kategori", "status", "n", "d")):
        yield desa, kategori, status, True, didampingi
        yield desa, kategori, status, False, n - didampingi


def case_villages():
    return KasusPMKS.objects.order_by().values_list("desa", flat=True).distinct()


def table_category_status(rekap: Rekap):
    counts = {}
    for kategori, status, n in rekap.rows(("kasus",), lambda: (
            rekap.stored("kasus").values("kategori", "status").annotate(n=Sum("jumlah"))
            .order_by().values_list("kategori", "status", "n")), RekapKasus):
        if not n:
            continue
        counts.setdefault(kategori, {})[status] = int(n)
    rows = [Baris(nama, kode, [counts[pk].get(status, 0) for status in STATUS_COLUMNS])
            for pk, nama, kode in categories(rekap, counts)]
    return make_table(10, _("PMKS by category and status"), list(STATUS_COLUMNS.values()), rows,
                      rekap.jumlah_perkumpulan)


def table_coverage(rekap: Rekap):
    """Open cases (neither closed nor refused) with and without an accompanying group; each
    row's share is of all open cases."""
    # (the alias is not the field's name: a past source's `didampingi` is an annotation)
    [(semua, dengan)] = rekap.rows(("kasus terbuka",), lambda: (
        rekap.stored("kasus").exclude(status__in=KasusPMKS.CLOSED).order_by()
        .values(one=Value(1)).annotate(semua=Coalesce(Sum("jumlah"), 0),
                                       dengan=Coalesce(Sum("jumlah", filter=Q(didampingi=True)), 0))
        .values_list("semua", "dengan")), RekapKasus) or [(0, 0)]
    counts = {"semua": int(semua), "didampingi": int(dengan)}
    rows = [Baris("Didampingi perkumpulan", "DIDAMPINGI", [counts["didampingi"]]),
            Baris("Belum didampingi", "BELUM", [counts["semua"] - counts["didampingi"]])]
    return make_table(11, _("Coverage of PMKS by accompanying groups"), ["jumlah"], rows,
                      counts["semua"])


def categories(rekap: Rekap, counts) -> list[tuple[int, str, str]]:
    """(id, name, code) of the categories of `counts` (ids), in the list's order: one query."""
    pks = sorted(counts)
    return rekap.rows(("kategori", *pks), lambda: KategoriPMKS.objects.filter(pk__in=pks).order_by(
        "urutan", "nama").values_list("pk", "nama", "kode"), KategoriPMKS)


# Keeping the stored counts --------------------------------------------------------------------
def case_changed(sender, instance, **kwargs) -> None:
    """A case saved or deleted: its village's counts, and those of the village it was loaded
    in (`KasusPMKS.from_db`), are stale."""
    mark_stale({instance.desa_id, getattr(instance, "desa_tersimpan", None)})
    instance.desa_tersimpan = instance.desa_id


def group_deleting(sender, instance, **kwargs) -> None:
    """The cases a deleted group accompanied lose it (SET NULL, no signal of their own)."""
    mark_stale(KasusPMKS.objects.filter(pendamping=instance).values_list("desa", flat=True))


def connect_signals() -> None:
    from django.db.models import signals

    signals.post_save.connect(case_changed, sender=KasusPMKS, dispatch_uid="rekap_case_saved")
    signals.post_delete.connect(case_changed, sender=KasusPMKS, dispatch_uid="rekap_case_gone")
    signals.pre_delete.connect(group_deleting, sender=Perkumpulan,
                               dispatch_uid="rekap_case_group_gone")


def past_cases(area, pada):
    """Tables 10–11 as the registry stood (registry.lampau): the area's cases then, each one
    row of `kategori`, `status`, `didampingi` and `jumlah` 1."""
    from django.db.models import BooleanField, ExpressionWrapper, Value

    from registry.lampau import versions

    return versions(KasusPMKS, pada).filter(access.within(area, "desa")).order_by().annotate(
        didampingi=ExpressionWrapper(Q(pendamping__isnull=False), output_field=BooleanField()),
        jumlah=Value(1))
