"""The recap tables about members: Table 3 (size) and Table 4 (the chairs' education)."""

from collections import Counter

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from members.models import Keanggotaan, KeanggotaanKeluarga, Pendidikan, PeranAnggota
from registry.rekap import (
    SIZE_BRACKETS,
    Baris,
    Rekap,
    bracket,
    by_type,
    by_value,
    counted,
    make_table,
    mark_stale,
)
from registry.workbook import choice_label


def _current(model) -> Coalesce:
    return Coalesce(Subquery(
        model.objects.filter(perkumpulan=OuterRef("pk"), selesai__isnull=True)
        .order_by()
        .values("perkumpulan")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    ), 0)


def registered_members():
    """The number of a group's current members, for groups that declare no number: each person
    is one member, and each member household (a Dasa Wisma's KK) is one member too."""
    return _current(Keanggotaan) + _current(KeanggotaanKeluarga)


def count_sizes(groups: QuerySet):
    """Groups by size: the declared number of members, else the registered current members.

    COALESCE looks at the registered members only where no number is declared."""
    sized = groups.annotate(ukuran=Coalesce("jumlah_anggota", registered_members()))
    return counted(sized.annotate(kelas=bracket("ukuran", SIZE_BRACKETS)), "kelas")


def count_members(groups: QuerySet):
    """Current memberships by village and type (the dashboard's figure)."""
    counts = (
        Keanggotaan.objects.filter(perkumpulan__in=groups, selesai__isnull=True).order_by()
        .values("perkumpulan__desa", "perkumpulan__jenis").annotate(n=Count("pk"))
        .values_list("perkumpulan__desa", "perkumpulan__jenis", "n")
    )
    return ((desa, jenis, "", n) for desa, jenis, n in counts)


def count_chair_education(groups: QuerySet):
    """Current chairs by their education (unknown education left out)."""
    return (
        Keanggotaan.objects.filter(
            perkumpulan__in=groups, peran=PeranAnggota.KETUA, selesai__isnull=True
        )
        .exclude(warga__pendidikan="")
        .order_by()
        .values("perkumpulan__desa", "perkumpulan__jenis", "warga__pendidikan")
        .annotate(n=Count("pk"))
        .values_list("perkumpulan__desa", "perkumpulan__jenis", "warga__pendidikan", "n")
    )


def mark_chairs_stale(warga_ids, roles=(PeranAnggota.KETUA,)) -> None:
    """A person's education shows in Table 4 for every group they chair (and, with `roles`,
    their trainings in Table 13 for every group they lead): those groups' villages are marked
    stale."""
    ids = list(warga_ids)
    desa = set()
    for start in range(0, len(ids), 5000):
        desa.update(
            Keanggotaan.objects.filter(
                warga__in=ids[start:start + 5000], peran__in=roles, selesai__isnull=True,
            ).values_list("perkumpulan__desa", flat=True).distinct()
        )
    mark_stale(desa)


def table_size(rekap: Rekap):
    rows = by_type(rekap, "ukuran", [Q(nilai=str(i)) for i in range(len(SIZE_BRACKETS))])
    return make_table(3, _("Number of members of the community groups"),
                      [label for label, _low, _high in SIZE_BRACKETS], rows,
                      rekap.jumlah_perkumpulan)


def table_chair_education(rekap: Rekap):
    counts = by_value(rekap, "pendidikan")
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


def membership_changed(sender, instance, **kwargs) -> None:
    from registry.rekap import mark_groups_stale

    mark_groups_stale([instance.perkumpulan_id])


def person_saved(sender, instance, created=False, **kwargs) -> None:
    if not created:
        mark_chairs_stale([instance.pk])


def connect_signals() -> None:
    from django.db.models import signals

    from members.models import Warga

    for signal in (signals.post_save, signals.post_delete):
        signal.connect(membership_changed, sender=Keanggotaan,
                       dispatch_uid=f"rekap_membership_{signal is signals.post_save}")
        signal.connect(membership_changed, sender=KeanggotaanKeluarga,
                       dispatch_uid=f"rekap_household_membership_{signal is signals.post_save}")
    signals.post_save.connect(person_saved, sender=Warga, dispatch_uid="rekap_person_saved")


# As the registry stood (registry.lampau): the same counts from the audit history. ------------
def _past_current(model, lampau, member: str = "warga_id") -> list[tuple]:
    """(group, member, role) of the memberships of the active groups current at the moment,
    as they stood (read once per computation)."""
    role = "peran" if model is Keanggotaan else "selesai"
    return [(group, who, what) for group, who, what, selesai in
            lampau.stood(model, ("perkumpulan_id", member, role, "selesai")) if selesai is None]


def _past_per_group(model, lampau) -> Counter:
    member = "keluarga_id" if model is KeanggotaanKeluarga else "warga_id"
    return Counter(group for group, _member, _role in _past_current(model, lampau, member))


def past_sizes(lampau):
    """Table 3 as it stood: the declared number, else the current members then."""
    from registry.rekap import bracket_of

    people = _past_per_group(Keanggotaan, lampau)
    households = _past_per_group(KeanggotaanKeluarga, lampau)
    return lampau.fields(lambda g: bracket_of(
        g["jumlah_anggota"] if g["jumlah_anggota"] is not None
        else people[g["id"]] + households[g["id"]], SIZE_BRACKETS))


def past_members(lampau):
    """The dashboard's current memberships as they stood."""
    found: Counter = Counter()
    for pk, n in _past_per_group(Keanggotaan, lampau).items():
        if pk in lampau.info:
            found[lampau.info[pk]] += n
    return ((desa, jenis, "", n) for (desa, jenis), n in found.items())


def past_chair_education(lampau):
    """Table 4 as it stood: the chairs then, with their education then."""
    from members.models import Warga
    from registry.lampau import stood

    chairs = [(group, person) for group, person, role in _past_current(Keanggotaan, lampau)
              if role == PeranAnggota.KETUA]
    # The people who chaired an active group up to the moment (a subquery).
    chaired = Keanggotaan.history.model.objects.filter(
        history_date__lte=lampau.pada, **lampau.among("perkumpulan_id"),
        peran=PeranAnggota.KETUA).order_by().values("warga_id")
    education = dict(stood(Warga, lampau.pada, ("id", "pendidikan"), id__in=chaired))
    rows = ((pk, education.get(w, "")) for pk, w in chairs if education.get(w, ""))
    return ((desa, jenis, kode, n) for (desa, jenis, kode), n in lampau.by_group(rows).items())
