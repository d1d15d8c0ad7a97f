"""`load_demo`'s households (demo.keluarga.add_to_village): the Cibeureum 2006 village's 614
registered people in 180 households of three or four by RW and RT (seed 004 III.A: 3.4 people a
KK), the head first, valid KK numbers of kecamatan 32.77.01, and the first Dasa Wisma of each RW
with up to ten member households — seed 004's recap tables unchanged."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count

from members.models import AnggotaKeluarga, KeanggotaanKeluarga, Keluarga, Warga
from registry import rekap, validators
from registry.models import Wilayah

pytestmark = pytest.mark.django_db
DESA = "32.77.01.1002"


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_every_registered_person_lives_in_one_household_headed_by_its_first_member(demo):
    assert Warga.objects.count() == 614
    assert Keluarga.objects.filter(wilayah_id=DESA).count() == 180
    assert AnggotaKeluarga.objects.filter(selesai__isnull=True).count() == 614
    sizes = Counter(Keluarga.objects.annotate(n=Count("anggota")).values_list("n", flat=True))
    assert sizes == {3: 106, 4: 74}
    for k in Keluarga.objects.all():
        validators.validate_no_kk(k.no_kk)
        assert k.no_kk.startswith("327701300903")  # the kecamatan, issued 30-09-2003
        head = AnggotaKeluarga.objects.get(keluarga=k, hubungan="KEPALA")
        assert head.warga_id == k.kepala_id and k.rw is not None and k.rt is not None
    assert sorted(Keluarga.objects.values_list("no_kk", flat=True))[-1] == "3277013009030180"


def test_the_first_dasa_wisma_of_each_rw_has_its_households(demo):
    per_group = dict(KeanggotaanKeluarga.objects.values("perkumpulan__kode")
                     .annotate(n=Count("pk")).values_list("perkumpulan__kode", "n"))
    assert sorted(per_group) == [f"CBR-DW-{n:03d}" for n in range(1, 21)]
    assert sum(per_group.values()) == 169 and max(per_group.values()) == 10
    assert KeanggotaanKeluarga.objects.values("keluarga").distinct().count() == 169
    for m in KeanggotaanKeluarga.objects.select_related("keluarga", "perkumpulan"):
        assert m.keluarga.rw == m.perkumpulan.rw


def test_seed_004_table_3_is_unchanged_and_a_rerun_adds_nothing(demo):
    """Table 3 counts the Dasa Wisma by their declared sizes (15 small, 78 of 11–20, 11
    larger), with or without member households."""
    data = rekap.build(Wilayah.objects.get(pk=DESA), 2006).as_dict()
    table_3 = next(t for t in data["tabel"] if t["nomor"] == 3)
    rows = {r["kode"]: tuple(r["nilai"]) for r in table_3["baris"]}
    assert rows["DW"] == (15, 78, 11) and table_3["total"]["nilai"] == [18, 98, 191]
    call_command("load_demo", stdout=io.StringIO())
    assert Keluarga.objects.count() == 180 and KeanggotaanKeluarga.objects.count() == 169
