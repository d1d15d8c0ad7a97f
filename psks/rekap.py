"""The recap's count of trained group leaders (Table 13): per group type, the active groups
with at least one current leader (chair, vice chair, secretary, treasurer) who attended a
training held by the end of the reference year, and those leaders (each person once per type
and village).

Stored like the groups' own counts (`registry.rekap`), as one dimension of each village and
type, `latih`: its active groups by the year their first current leader was first trained
(values `grup-YYYY`), and its current leaders by the year they were first trained (`orang-YYYY`).
A table of year Y sums the rows of years up to Y, so every reference year reads the same few
stored rows. The leaders are today's: a recap of an earlier year counts the current boards'
trainings up to then.

What changes them marks the villages stale: a membership (members.rekap), a group's type or
state (registry.rekap), an attendance and a training's date (the signals below, and the
trainings sheet of the importer through `mark_trained_stale`).

The table appears once a leader of the area's groups was trained by the reference year."""

from collections import defaultdict

from django.db.models import Min, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from members.models import Keanggotaan
from members.rekap import mark_chairs_stale
from psks.models import LEADER_ROLES, Pelatihan, PesertaPelatihan
from registry.models import RekapSel
from registry.rekap import Baris, Rekap, Tabel, percent

COLUMNS = ["Dengan pengurus terlatih", "Pengurus terlatih"]
DIMENSION = "latih"
GROUPS, PEOPLE = "grup", "orang"  # the two counts' prefixes in the dimension's values


def trained_leaders(groups: QuerySet) -> list[tuple]:
    """(village, type, group, person, first training's year) of the current leaders of the
    groups who attended a training. One query: each leader's first training is found by the
    person (an index), so the cost follows the groups' leaders."""
    first = (PesertaPelatihan.objects.filter(warga=OuterRef("warga")).order_by()
             .values("warga").annotate(m=Min("pelatihan__tanggal_mulai")).values("m"))
    rows = (Keanggotaan.objects.filter(perkumpulan__in=groups, selesai__isnull=True,
                                       peran__in=LEADER_ROLES)
            .annotate(pertama=Subquery(first)).filter(pertama__isnull=False).order_by()
            .values_list("perkumpulan__desa", "perkumpulan__jenis", "perkumpulan", "warga",
                         "pertama"))
    return [(desa, jenis, group, person, day.year) for desa, jenis, group, person, day in rows]


def count_trained(groups: QuerySet):
    """The dimension `latih`: per village and type, the active groups by the year their first
    leader was trained, and the current leaders by the year each was first trained (a person
    once per village and type)."""
    earliest: dict = {}
    for desa, jenis, group, person, year in trained_leaders(groups):
        for key in ((GROUPS, desa, jenis, group), (PEOPLE, desa, jenis, person)):
            earliest[key] = min(year, earliest.get(key, year))
    counts: dict = defaultdict(int)
    for (kind, desa, jenis, _who), year in earliest.items():
        counts[(desa, jenis, f"{kind}-{year}")] += 1
    return [(*key, n) for key, n in counts.items()]


def table_trained_leaders(rekap: Rekap) -> Tabel | None:
    """Table 13: per group type, its active groups with a trained current leader (% of the
    type's groups) and its trained current leaders (% of the area's trained leaders); the total
    column is the type's active groups. One query, of stored counts."""
    types: dict = {}
    found = {GROUPS: defaultdict(int), PEOPLE: defaultdict(int)}
    # (Live counts only: a recap with another source leaves Table 13 out.)
    for jenis, urutan, nama, kode, dimensi, nilai, n in (
            RekapSel.objects.filter(wilayah=rekap.wilayah, dimensi__in=["jumlah", DIMENSION])
            .values_list("jenis", "jenis__urutan", "jenis__nama", "jenis__kode", "dimensi",
                         "nilai", "jumlah")):
        if dimensi == "jumlah":
            types[jenis] = (urutan, nama, kode, n)
            continue
        kind, year = nilai.split("-")
        if int(year) <= rekap.tahun_acuan:
            found[kind][jenis] += n
    trained, leaders = found[GROUPS], found[PEOPLE]
    if not any(trained.values()):
        return None
    groups, people = sum(trained.values()), sum(leaders.values())
    baris = [
        Baris(nama, kode, [trained[jenis], leaders[jenis]], jumlah=n,
              persen=[percent(trained[jenis], n), percent(leaders[jenis], people)])
        for jenis, (_urutan, nama, kode, n) in sorted(types.items(), key=lambda t: t[1][:2])
        if n > 0
    ]
    total = Baris("Jumlah", "", [groups, people], jumlah=rekap.jumlah_perkumpulan,
                  persen=[percent(groups, rekap.jumlah_perkumpulan), 100.0])
    note = _("Total: the type's active groups. The first column's share is of the type's groups, "
             "the second's of the area's trained leaders. Trainings held by the end of the "
             "reference year; the leaders are today's.")
    return Tabel(13, _("Trained leaders of the community groups"), COLUMNS, baris, total, note)


# Keeping the stored counts --------------------------------------------------------------------
def mark_trained_stale(warga_ids) -> None:
    """These people's trainings changed: the villages of the groups they lead are stale."""
    mark_chairs_stale(warga_ids, roles=LEADER_ROLES)


def attendance_changed(sender, instance, **kwargs) -> None:
    mark_trained_stale([instance.warga_id])


def training_saved(sender, instance, created=False, **kwargs) -> None:
    if not created:  # its date may have moved: its participants' first trainings with it
        mark_trained_stale(PesertaPelatihan.objects.filter(pelatihan=instance)
                           .values_list("warga", flat=True))


def connect_signals() -> None:
    from django.db.models import signals

    for signal in (signals.post_save, signals.post_delete):
        signal.connect(attendance_changed, sender=PesertaPelatihan,
                       dispatch_uid=f"rekap_attendance_{signal is signals.post_save}")
    signals.post_save.connect(training_saved, sender=Pelatihan, dispatch_uid="rekap_training")
