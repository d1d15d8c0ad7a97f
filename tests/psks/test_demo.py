"""The demo village's PSKS: the kecamatan's TKSK, the village's PSM, an LKS and a training of
the Posyandu and Karang Taruna chairs; seed 004's 2006 recap is untouched by it."""

import io

import pytest
from django.core.management import call_command

from psks.models import LKS, Pelatihan, PetugasPSKS
from registry import rekap
from registry.models import Wilayah
from tests.conftest import CIBEUREUM


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_the_demo_village_has_its_psks_and_a_training(demo):
    assert sorted(PetugasPSKS.objects.values_list("peran", "wilayah")) == [
        ("PSM", CIBEUREUM), ("TKSK", "32.77.01")]
    assert LKS.objects.get().wilayah_id == CIBEUREUM
    training = Pelatihan.objects.get()
    data = rekap.build(Wilayah.objects.get(pk=CIBEUREUM), 2025).as_dict()
    table = next(t for t in data["tabel"] if t["nomor"] == 13)
    trained = {r["kode"]: r["nilai"] for r in table["baris"] if r["nilai"][0]}
    assert trained == {"POSYANDU": [20, 20], "KT": [18, 18]}
    assert training.peserta.count() == 38
    assert [t["nomor"] for t in rekap.build(Wilayah.objects.get(pk=CIBEUREUM), 2006)
            .as_dict()["tabel"]] == list(range(1, 12))
    call_command("load_demo", stdout=io.StringIO())  # again: nothing doubled
    counts = (PetugasPSKS.objects.count(), LKS.objects.count(), Pelatihan.objects.count())
    assert counts == (2, 1, 1)
    assert training.peserta.count() == 38
