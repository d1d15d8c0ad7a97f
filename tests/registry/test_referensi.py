"""A registry set up with `migrate` alone has its reference lists (registry/referensi.py, run by
the migrations registry 0017 and pmks 0013), and an empty list is never offered as the choice."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from pmks.models import KategoriPMKS
from registry.models import JenisPerkumpulan, Pilihan
from registry.referensi import create_missing
from registry.validators import match_value

LABELS = {"registry.jenisperkumpulan", "registry.pilihan", "pmks.kategoripmks"}


@pytest.mark.django_db
def test_the_migrations_create_the_missing_lists_and_keep_what_staff_changed():
    KategoriPMKS.objects.all().delete()
    Pilihan.objects.filter(daftar="tujuan").delete()
    JenisPerkumpulan.objects.filter(kode="DW").update(nama="Dasawisma (nama desa)")
    JenisPerkumpulan.objects.filter(kode="UP2K").delete()
    made = create_missing(apps, LABELS)
    assert (JenisPerkumpulan.objects.count(), KategoriPMKS.objects.count()) == (17, 30)
    assert Pilihan.objects.filter(daftar="tujuan").exists()
    assert JenisPerkumpulan.objects.get(kode="DW").nama == "Dasawisma (nama desa)"  # kept
    abt = KategoriPMKS.objects.get(kode="ABT")
    assert sorted(abt.jenis_penolong.values_list("kode", flat=True)) == ["BKB", "POSYANDU"]
    assert made == 1 + 30 + Pilihan.objects.filter(daftar="tujuan").count()
    assert create_missing(apps, LABELS) == 0  # run again: nothing more


def test_an_empty_list_is_never_offered_as_the_choice():
    with pytest.raises(ValidationError) as caught:
        match_value("Dasa Wisma", {}, "jenis perkumpulan", [])
    assert caught.value.code == "empty_list"
    with translation.override("id"):
        message = caught.value.messages[0]
    assert "gunakan salah satu dari" not in message and "administrator" in message
