"""generate_demo's households (demo.keluarga): every resident in one household of three to five,
its head first, valid KK numbers, and one Dasa Wisma in four with about ten member households."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from members.models import AnggotaKeluarga, KeanggotaanKeluarga, Keluarga, Warga
from registry import validators
from registry.models import Perkumpulan

pytestmark = pytest.mark.django_db


def generate():
    call_command("generate_demo", stdout=io.StringIO(), villages=2, groups_per_village=40,
                 wilayah="32.77.01")


def test_every_resident_lives_in_one_household_headed_by_its_first_member():
    generate()
    assert Keluarga.objects.exists()
    for no_kk in Keluarga.objects.values_list("no_kk", flat=True):
        validators.validate_no_kk(no_kk)
    assert AnggotaKeluarga.objects.filter(selesai__isnull=True).count() == Warga.objects.count()
    sizes = list(Keluarga.objects.annotate(n=Count("anggota")).values_list("n", flat=True))
    assert max(sizes) <= 5 and 3.5 <= sum(sizes) / len(sizes) <= 4.5
    for k in Keluarga.objects.select_related("kepala"):
        head = AnggotaKeluarga.objects.get(keluarga=k, hubungan="KEPALA")
        assert head.warga_id == k.kepala_id and head.warga.wilayah_id == k.wilayah_id
    # One Dasa Wisma in four of each village (the first, the fifth…), about ten KK each.
    per_village = (Perkumpulan.objects.filter(jenis__kode="DW").values("desa")
                   .annotate(n=Count("pk")).values_list("n", flat=True))
    with_households = list(KeanggotaanKeluarga.objects.values("perkumpulan")
                           .annotate(n=Count("pk")).values_list("n", flat=True))
    assert len(with_households) == sum((n + 3) // 4 for n in per_village) > 0
    assert all(n <= 10 for n in with_households) and max(with_households) == 10
    assert set(KeanggotaanKeluarga.objects.values_list("perkumpulan__jenis__kode",
                                                       flat=True)) == {"DW"}


def test_a_village_generated_again_replaces_its_households():
    generate()
    before = Keluarga.objects.count()
    call_command("generate_demo", stdout=io.StringIO(), villages=2, groups_per_village=40,
                 wilayah="32.77.01", replace=True)
    assert Keluarga.objects.count() == before
