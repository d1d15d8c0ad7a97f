"""The network's stored count: the active groups with no working link either way (isolated);
and the table of the groups' own funds by kind (Table 12).

Table 12 sums amounts of rupiah, which the stored counts (numbers of groups) do not hold: like
the PMKS tables it reads the area's fund entries directly, one GROUP BY and one count of the
groups, on the entries whose period ends in the reference year."""

import datetime

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum, Value, signals
from django.utils.translation import gettext_lazy as _

from network.models import DanaPerkumpulan, Hubungan
from registry import access
from registry.models import JenisDana, Perkumpulan
from registry.rekap import (
    Baris,
    Rekap,
    adjust,
    counted,
    make_amounts_table,
    mark_groups_stale,
)
from registry.workbook import choice_label

FUND_COLUMNS = ["Terkumpul (Rp)", "Dipakai (Rp)", "Saldo (Rp)"]


def count_isolated(groups: QuerySet):
    """Active groups that neither declared a link nor were named in one, by village and type."""
    linked = Hubungan.objects.filter(
        Q(perkumpulan=OuterRef("pk")) | Q(mitra_perkumpulan=OuterRef("pk"))
    )
    return ((desa, jenis, "", n) for desa, jenis, n in counted(groups.filter(~Exists(linked))))


DIMENSION = "terisolasi"


def groups_of(link) -> set[int]:
    return {pk for pk in (link.perkumpulan_id, link.mitra_perkumpulan_id) if pk}


def link_changing(sender, instance, **kwargs) -> None:
    """Before a link is written or removed inside a transaction (every web form, the admin):
    its groups are locked, so that two links of one group are decided one after the other."""
    if transaction.get_connection().in_atomic_block:
        list(Perkumpulan.objects.select_for_update().filter(pk__in=groups_of(instance))
             .order_by("pk").values_list("pk"))


def link_changed(sender, instance, signal, created=False, **kwargs) -> None:
    """A new link changes the count of isolated groups only for a group it is the first link of
    (one less); a removed one only for a group left without any (one more): inside a
    transaction, the stored count is adjusted by that (`adjust`: its village is not counted
    again, which took a city's village of 6,700 groups 0.3 s); outside one, or for an edited
    link (it may have moved), the groups' villages are counted again. Its groups may be of two
    villages."""
    groups = groups_of(instance)
    removed = signal is signals.post_delete
    if removed or created:
        groups = {pk for pk in groups if links_of(pk) == (0 if removed else 1)}
        if transaction.get_connection().in_atomic_block:
            adjust(DIMENSION, groups, 1 if removed else -1)
            return
    mark_groups_stale(groups)


def links_of(group_id: int) -> int:
    """The group's links, either way (at most 2 read: whether it has one, or more than one)."""
    return len(Hubungan.objects.filter(Q(perkumpulan=group_id) | Q(mitra_perkumpulan=group_id))
               .values_list("pk", flat=True)[:2])


def connect_signals() -> None:
    from django.db.models import signals

    for signal in (signals.post_save, signals.post_delete):
        signal.connect(link_changed, sender=Hubungan,
                       dispatch_uid=f"rekap_link_{signal is signals.post_save}")
    for signal in (signals.pre_save, signals.pre_delete):
        signal.connect(link_changing, sender=Hubungan,
                       dispatch_uid=f"rekap_link_lock_{signal is signals.pre_save}")


def funds_of(rekap: Rekap) -> QuerySet:
    """The fund entries of the area's active groups whose period ends in the reference year."""
    year = rekap.tahun_acuan
    return DanaPerkumpulan.objects.filter(
        access.within(rekap.wilayah, "perkumpulan__desa", any_level=True),
        perkumpulan__aktif=True,
        tanggal__gte=datetime.date(year, 1, 1), tanggal__lte=datetime.date(year, 12, 31),
    ).order_by()


def table_funds_by_kind(rekap: Rekap):
    """Per kind of fund (in the list's order): collected, spent and the balance over the
    reference year, and the number of groups that ran the fund; the total row counts each
    group once. None when no group of the area recorded a fund that year."""
    # (Sums of big integers: PostgreSQL gives them as numeric, hence int().)
    found = {jenis: [int(terkumpul), int(dipakai), groups] for jenis, terkumpul, dipakai, groups
             in rekap.rows(("dana",), lambda: funds_of(rekap).values("jenis").annotate(
                 terkumpul=Sum("terkumpul"), dipakai=Sum("dipakai"),
                 perkumpulan=Count("perkumpulan", distinct=True))
                 .values_list("jenis", "terkumpul", "dipakai", "perkumpulan"), DanaPerkumpulan)}
    rows = []
    for jenis in JenisDana.values:
        if jenis in found:
            terkumpul, dipakai, groups = found[jenis]
            rows.append(Baris(choice_label(JenisDana, jenis), jenis,
                              [terkumpul, dipakai, terkumpul - dipakai], jumlah=groups))
    if not rows:
        return None  # no fund recorded for the year: the recap shows no empty table
    sums = [sum(r.nilai[i] for r in rows) for i in range(len(FUND_COLUMNS))]
    [(groups,)] = rekap.rows(("dana: perkumpulan",), lambda: funds_of(rekap).values(
        one=Value(1)).annotate(n=Count("perkumpulan", distinct=True)).values_list("n"),
        DanaPerkumpulan)
    total = Baris(label="Jumlah", kode="", nilai=sums, jumlah=groups)
    return make_amounts_table(12, _("The groups' own funds by kind"), FUND_COLUMNS, rows, total)


def past_isolated(lampau):
    """The isolated groups as they stood: no link either way among the links of that moment."""
    pairs = ("perkumpulan_id", "mitra_perkumpulan_id")
    linked = {pk for column in pairs for pair in lampau.stood(Hubungan, pairs, column)
              for pk in pair if pk}
    rows = ((pk, "") for pk in lampau.info if pk not in linked)
    return ((desa, jenis, "", n) for (desa, jenis, _v), n in lampau.by_group(rows).items())
