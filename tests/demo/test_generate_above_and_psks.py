"""generate_demo's group above the village (each kecamatan's BKB, demo.atas) and PSKS (a PSM per
village; a TKSK, an LKS and a training of the Posyandu and Karang Taruna chairs per kecamatan,
demo.psks): made once per kecamatan, whatever the batches and runs."""

import io

from django.core.management import call_command

from demo import generator
from members.models import Keanggotaan
from network.models import Hubungan
from psks.models import LKS, Pelatihan, PesertaPelatihan, PetugasPSKS
from registry import rekap
from registry.models import Perkumpulan, Wilayah
from tests.demo.test_generate_demo import KECAMATAN, VILLAGES, generate
from tests.registry.databases import database_template, scratch_database  # noqa: F401 - fixture

BKB = "KEC-327701-BKB-001"
GROUPS_IN_TWO_BATCHES = 80  # 40 groups a village: two villages, then one


def chairs_trained(villages) -> set[str]:
    """The NIKs of the current chairs of the villages' Posyandu and Karang Taruna."""
    return set(Keanggotaan.objects.filter(
        perkumpulan__desa__in=villages, perkumpulan__jenis__kode__in=("POSYANDU", "KT"),
        peran="KETUA", selesai__isnull=True).values_list("warga__nik", flat=True))


def psks_snapshot() -> dict:
    return {
        "workers": sorted(PetugasPSKS.objects.values_list("peran", "wilayah", "warga__nik")),
        "lks": sorted(LKS.objects.values_list("nama", "wilayah")),
        "trainings": sorted(Pelatihan.objects.values_list(
            "wilayah", "topik", "tanggal_mulai", "penyelenggara")),
        "participants": sorted(PesertaPelatihan.objects.values_list(
            "pelatihan__wilayah", "warga__nik")),
    }


def assert_one_of_each(villages: list[str]) -> PetugasPSKS:
    """The kecamatan's BKB, TKSK (returned), LKS and training, once each; a PSM per village."""
    bkb = Perkumpulan.objects.get(desa=KECAMATAN)
    assert (bkb.kode, bkb.nama, bkb.jenis.kode) == (BKB, "BKB Kecamatan Cimahi Selatan", "BKB")
    village_bkbs = Perkumpulan.objects.filter(desa__in=villages, jenis__kode="BKB")
    links = Hubungan.objects.filter(mitra_perkumpulan=bkb)
    assert links.count() == village_bkbs.count() > 0
    assert sorted(links.values_list("perkumpulan__kode", "bentuk")) == sorted(
        (kode, "BERJENJANG") for kode in village_bkbs.values_list("kode", flat=True))
    # A PSM per village, a treasurer of one of its groups living there; one TKSK.
    psm = PetugasPSKS.objects.filter(peran="PSM")
    assert sorted(psm.values_list("wilayah", flat=True)) == villages
    for worker in psm:
        assert worker.warga.wilayah_id == worker.wilayah_id
        assert worker.warga.keanggotaan.filter(peran="BENDAHARA").exists()
    tksk = PetugasPSKS.objects.get(peran="TKSK")
    assert (tksk.wilayah_id, tksk.selesai) == (KECAMATAN, None)
    assert tksk.warga_id not in psm.values_list("warga", flat=True)
    assert list(LKS.objects.values_list("wilayah", flat=True)) == [KECAMATAN]
    training = Pelatihan.objects.get()
    assert (training.wilayah_id, training.penyelenggara) == (
        KECAMATAN, "Dinas Sosial Kota Cimahi")
    chairs = chairs_trained(villages)
    assert len(chairs) > 2 * len(villages)
    assert set(training.peserta.values_list("warga__nik", flat=True)) == chairs
    assert training.peserta.count() == len(chairs)
    return tksk


def test_the_kecamatan_gets_its_bkb_tksk_lks_and_training_its_villages_their_psm(db):
    generate(groups_per_batch=GROUPS_IN_TWO_BATCHES)  # the kecamatan's villages in 2 batches
    tksk = assert_one_of_each(VILLAGES)
    assert tksk.warga.wilayah_id in VILLAGES
    assert tksk.warga.keanggotaan.filter(peran="BENDAHARA").exists()
    # Written as the other demo rows: with their history, stamped with the run's reason.
    reason = generator.REASON.format(seed=2006)
    for model in (PetugasPSKS, LKS, Pelatihan, PesertaPelatihan):
        assert model.history.count() == model.objects.count(), model
        assert set(model.history.values_list("history_change_reason", flat=True)) == {reason}
    assert Perkumpulan.history.filter(kode=BKB).count() == 1
    # The BKB counts in the kecamatan's recap (refreshed: nothing stale), not the villages'.
    assert not rekap.RekapBasi.objects.exists()
    area = Wilayah.objects.get(pk=KECAMATAN)
    assert rekap.build(area, 2026).jumlah_perkumpulan == 3 * 40 + 1
    village = Wilayah.objects.get(pk=VILLAGES[0])
    assert rekap.build(village, 2026).jumlah_perkumpulan == 40


def test_running_again_over_the_same_villages_leaves_one_of_each(db):
    generate()
    first = psks_snapshot()
    generate(replace=True)
    assert_one_of_each(VILLAGES)
    assert psks_snapshot() == first  # the same seed: the same people serve and attend
    # A later run over more villages of the kecamatan keeps its BKB, TKSK, LKS and training,
    # and adds the new villages' PSM, links and chairs.
    generate(replace=True, villages=5)
    villages = [*VILLAGES, "32.77.01.1004", "32.77.01.1005"]
    assert_one_of_each(villages)


def test_the_demo_village_loaded_then_generated_again_keeps_one_kecamatan_bkb(db):
    """load_demo's BKB of the kecamatan is the one generate_demo uses; replacing the demo
    village removes its PSKS with its people (no record is left pointing at them)."""
    call_command("load_demo", stdout=io.StringIO())
    assert Perkumpulan.objects.filter(desa=KECAMATAN).count() == 1
    generate(replace=True)
    # The demo village's own PSM, LKS and training are gone; its TKSK (one of the workbook's
    # people, registered with no village, so not cleared) still serves the kecamatan.
    tksk = assert_one_of_each(VILLAGES)
    assert tksk.warga.wilayah_id is None


PSKS_ROWS = {
    "workers": "SELECT peran, wilayah_id FROM psks_petugaspsks ORDER BY peran, wilayah_id",
    "lks": "SELECT wilayah_id FROM psks_lks",
    "trainings": "SELECT wilayah_id, COUNT(p.id) FROM psks_pelatihan t "
                 "JOIN psks_pesertapelatihan p ON p.pelatihan_id = t.id GROUP BY wilayah_id",
    "bkb": "SELECT g.kode, COUNT(h.id) FROM registry_perkumpulan g JOIN network_hubungan h "
           "ON h.mitra_perkumpulan_id = g.id WHERE substr(g.kode, 1, 4) = 'KEC-' GROUP BY g.kode",
}


def test_writer_threads_make_one_of_each_per_kecamatan(database_template, tmp_path):  # noqa: F811
    """Seven villages of two kecamatans in batches of two, written by two threads: a kecamatan
    split over batches still gets one BKB, TKSK, LKS and training."""
    found = {}
    for writers in ("0", "2"):
        with scratch_database(database_template, tmp_path, f"psks_{writers}") as scratch:
            done = scratch.manage("generate_demo", "--villages", "7", "--groups-per-village",
                                  "20", "--wilayah", "32.77", "--writers", writers,
                                  "--groups-per-batch", "40")
            assert done.returncode == 0, done.stderr
            assert "[4/4]" in done.stdout
            found[writers] = {name: scratch.query(sql) for name, sql in PSKS_ROWS.items()}
    assert found["0"] == found["2"]
    rows = found["2"]
    assert rows["workers"] == [
        *(("PSM", f"32.77.01.100{n}") for n in range(1, 6)), ("PSM", "32.77.02.1001"),
        ("PSM", "32.77.02.1002"), ("TKSK", "32.77.01"), ("TKSK", "32.77.02")]
    assert sorted(rows["lks"]) == [("32.77.01",), ("32.77.02",)]
    assert [kecamatan for kecamatan, _n in sorted(rows["trainings"])] == ["32.77.01", "32.77.02"]
    assert [kode for kode, _n in sorted(rows["bkb"])] == ["KEC-327701-BKB-001",
                                                          "KEC-327702-BKB-001"]
