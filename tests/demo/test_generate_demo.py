"""manage.py generate_demo: seed 004's distributions over real villages, valid and repeatable."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import translation

from demo import cibeureum, generator, writer
from members.models import Keanggotaan, Warga
from network.models import Forum, Hubungan
from pmks.models import KasusPMKS, RiwayatStatus
from registry import rekap, validators
from registry.models import Perkumpulan, Wilayah
from tests.registry.databases import database_template, scratch_database  # noqa: F401 - fixture

KECAMATAN = "32.77.01"  # Cimahi Selatan: kelurahan 32.77.01.1001 … 1005
VILLAGES = ["32.77.01.1001", "32.77.01.1002", "32.77.01.1003"]
GROUPS = 40


def generate(**options):
    out = io.StringIO()
    options = {"villages": 3, "groups_per_village": GROUPS, "wilayah": KECAMATAN, **options}
    call_command("generate_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict:
    """The generated data without ids and timestamps: equal snapshots are the same data."""
    return {
        "groups": sorted(Perkumpulan.objects.values_list(
            "kode", "nama", "jenis__kode", "desa", "rw", "rt", "tahun_berdiri", "tujuan__kode",
            "jumlah_anggota", "masa_kepengurusan", "jaringan_kerja", "prakarsa")),
        "people": sorted(Warga.objects.values_list(
            "nik", "nama", "jenis_kelamin", "tanggal_lahir", "pendidikan", "wilayah", "rw",
            "rt")),
        "members": sorted(Keanggotaan.objects.values_list(
            "perkumpulan__kode", "warga__nik", "peran", "mulai")),
        "links": sorted(Hubungan.objects.values_list(
            "perkumpulan__kode", "mitra_perkumpulan__kode", "mitra_luar__nama", "bentuk"),
            key=repr),
        "cases": sorted(KasusPMKS.objects.values_list(
            "nama", "warga__nik", "desa", "kategori__kode", "status", "pendamping__kode",
            "tanggal_identifikasi"), key=repr),
        "lists": sorted(Perkumpulan.sumber_dana.through.objects.values_list(
            "perkumpulan__kode", "pilihan__kode")),
    }


@pytest.fixture
def generated(db):
    output = generate()
    return output


def test_each_village_gets_its_groups_and_the_run_seed_004s_type_mix(generated):
    # The villages' groups: the kecamatan's BKB above them (demo.atas) is counted apart.
    village_groups = Perkumpulan.objects.filter(desa__in=VILLAGES)
    per_village = dict(Perkumpulan.objects.values_list("desa").annotate(n=Count("pk")))
    assert per_village == {**dict.fromkeys(VILLAGES, GROUPS), KECAMATAN: 1}
    total = len(VILLAGES) * GROUPS
    found = Counter(village_groups.values_list("jenis__kode", flat=True))
    for jenis, share in generator.type_shares().items():
        assert abs(found[jenis] - share * total) < 1, jenis
    # Seed 004 Table 5: the network follows the type; government-made groups link upward.
    government = village_groups.filter(jaringan_kerja="PEMERINTAH")
    assert government.exists()
    assert not government.exclude(hubungan__mitra_luar__jenis="PEMERINTAH").exists()
    isolated = village_groups.exclude(hubungan__isnull=False).exclude(
        hubungan_masuk__isnull=False).count()
    assert total * 0.3 < isolated < total * 0.8


def test_every_nik_is_valid_and_encodes_the_village_where_the_person_lives(generated):
    people = list(Warga.objects.values_list("nik", "wilayah", "jenis_kelamin", "tanggal_lahir"))
    assert len(people) >= len(VILLAGES) * GROUPS
    for nik, desa, sex, born in people:
        validators.validate_nik(nik)
        assert nik[:6] == desa.replace(".", "")[:6]
        assert validators.nik_birth_date(nik) == (born, sex)
        assert nik[12:] >= "0001"
    assert len({nik for nik, *_rest in people}) == len(people)


def test_every_group_has_exactly_one_current_chair_and_its_members(generated):
    chairs = Counter(Keanggotaan.objects.filter(peran="KETUA", selesai__isnull=True)
                     .values_list("perkumpulan", flat=True))
    assert set(chairs.values()) == {1}
    # Every village group (the kecamatan's BKB, demo.atas, has no board in the demo).
    assert len(chairs) == Perkumpulan.objects.filter(desa__in=VILLAGES).count()
    sizes = Counter(Keanggotaan.objects.values_list("perkumpulan", flat=True))
    assert set(sizes.values()) == {3}
    roles = Counter(Keanggotaan.objects.values_list("peran", flat=True))
    assert roles["SEKRETARIS"] == roles["BENDAHARA"] == len(chairs)


def test_cases_forums_and_history(generated):
    groups = Perkumpulan.objects.filter(desa__in=VILLAGES).count()  # (not the kecamatan's BKB)
    cases = KasusPMKS.objects.count()
    assert cases == int(generator.cases_per_group() * groups)
    assert not KasusPMKS.objects.exclude(desa__in=VILLAGES).exists()
    assert RiwayatStatus.objects.filter(status="TERIDENTIFIKASI").count() == cases
    assert sorted(Forum.objects.filter(tingkat="DESA").values_list("desa", flat=True)) == VILLAGES
    # Below the village, a forum of RW 1 in each village, of that RW's groups.
    rw_forums = Forum.objects.filter(tingkat="RW")
    assert sorted(rw_forums.values_list("desa", "rw")) == [(kode, 1) for kode in VILLAGES]
    assert not Perkumpulan.objects.filter(forum__in=rw_forums).exclude(rw=1).exists()
    assert all(f.anggota.exists() for f in rw_forums)
    assert not Forum.objects.annotate(n=Count("pengurus")).filter(n=0).exists()
    # Audit history as the importer writes it: one "created" row per record, with the reason.
    history = Perkumpulan.history.filter(history_type="+")
    assert history.count() == groups + 1  # and the kecamatan's BKB (demo.atas)
    assert set(history.values_list("history_change_reason", flat=True)) == {
        generator.REASON.format(seed=2006)}
    assert Warga.history.count() == Warga.objects.count()
    assert Keanggotaan.history.count() == Keanggotaan.objects.count()


def test_the_recap_shows_the_generated_counts(generated):
    area = Wilayah.objects.get(pk=KECAMATAN)
    result = rekap.build(area, 2026)
    assert result.jumlah_perkumpulan == len(VILLAGES) * GROUPS + 1  # + the kecamatan's BKB
    tables = {t.nomor: t for t in result.tabel}
    by_type = {row.kode: row.jumlah for row in tables[1].baris}
    expected = dict(Perkumpulan.objects.values_list("jenis__kode").annotate(n=Count("pk")))
    assert {k: v for k, v in by_type.items() if v} == expected
    size = {row.kode: row.nilai for row in tables[3].baris}
    for jenis in expected:
        groups = Perkumpulan.objects.filter(jenis__kode=jenis)
        # The kecamatan's BKB declares no size and has no members registered: "≤ 10".
        above = groups.filter(jumlah_anggota__isnull=True, desa=KECAMATAN).count()
        assert size[jenis] == [groups.filter(jumlah_anggota__lte=10).count() + above,
                               groups.filter(jumlah_anggota__range=(11, 20)).count(),
                               groups.filter(jumlah_anggota__gt=20).count()]
    chairs = {row.kode: row.nilai[0] for row in tables[4].baris}
    assert sum(chairs.values()) == len(VILLAGES) * GROUPS
    # Nothing is left stale: the counts were refreshed at the end of the run.
    assert not rekap.RekapBasi.objects.exists()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(generated):
    first = snapshot()
    generate(replace=True)
    assert snapshot() == first
    generate(replace=True, seed=7)
    other = snapshot()
    assert other["people"] != first["people"]
    # The villages' groups, and the kecamatan's BKB kept from the first run (demo.atas).
    assert Perkumpulan.objects.count() == len(VILLAGES) * GROUPS + 1


def test_generating_again_without_replace_refuses_and_changes_nothing(generated):
    before = snapshot()
    with translation.override("id"), pytest.raises(CommandError) as refused:
        generate()
    assert "32.77.01.1001" in str(refused.value) and "--replace" in str(refused.value)
    assert snapshot() == before
    # A run that reaches into an occupied village is refused whole.
    with pytest.raises(CommandError):
        generate(villages=4)
    assert not Perkumpulan.objects.filter(desa="32.77.01.1004").exists()
    assert snapshot() == before


def test_people_already_registered_keep_their_nik_and_new_ones_continue(db):
    Warga.objects.create(nik="3277014101800001", nama="Siti Lama", wilayah_id="32.77.01.1005")
    generate(villages=5, groups_per_village=5)
    assert Warga.objects.filter(nik="3277014101800001", nama="Siti Lama").exists()
    assert Warga.objects.count() == len(set(Warga.objects.values_list("nik", flat=True)))


@pytest.mark.parametrize(("options", "words"), [
    ({"villages": "0"}, "0"),
    ({"villages": "tiga"}, "tiga"),
    ({"groups_per_village": "-1"}, "-1"),
    ({"members_per_group": "0"}, "0"),
    ({"wilayah": "32.77.01.1002"}, "32.77.01.1002"),
    ({"wilayah": "99.99"}, "99.99"),
    ({"wilayah": "3x"}, "3x"),
    ({"villages": "6"}, "6"),  # Cimahi Selatan has 5 kelurahan
])
def test_bad_arguments_are_refused_with_a_message(db, options, words):
    argv = ["--villages", "3", "--groups-per-village", "4", "--wilayah", KECAMATAN]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    with translation.override("id"), pytest.raises(CommandError) as refused:
        call_command("generate_demo", *argv, stdout=io.StringIO())
    assert words in str(refused.value)
    assert not Perkumpulan.objects.exists() and not Warga.objects.exists()


def test_the_distributions_come_from_the_projects_seed_004_script():
    order = generator.type_order()
    assert len(order) == 307
    assert Counter(order) == {j: sum(ages) for j, (ages, *_r) in
                              cibeureum.TYPES.items()}
    # Every prefix holds each type within one group of its share.
    shares = generator.type_shares()
    seen = Counter()
    for step, jenis in enumerate(order, 1):
        seen[jenis] += 1
        assert all(abs(seen[j] - s * step) < 1 for j, s in shares.items())
    assert set(generator.office_templates()) == set(cibeureum.GOVERNMENT_PARTNER)


GENERATED = {
    "groups": "SELECT g.kode, g.nama, j.kode, g.desa_id, g.rw, g.rt, g.tahun_berdiri, "
              "g.jumlah_anggota, g.masa_kepengurusan, g.jaringan_kerja FROM registry_perkumpulan g "
              "JOIN registry_jenisperkumpulan j ON j.id = g.jenis_id",
    "people": "SELECT nik, nama, jenis_kelamin, tanggal_lahir, wilayah_id FROM members_warga",
    "members": "SELECT g.kode, w.nik, k.peran, k.mulai FROM members_keanggotaan k "
               "JOIN registry_perkumpulan g ON g.id = k.perkumpulan_id "
               "JOIN members_warga w ON w.id = k.warga_id",
    "links": "SELECT g.kode, p.kode, m.nama, h.bentuk FROM network_hubungan h "
             "JOIN registry_perkumpulan g ON g.id = h.perkumpulan_id "
             "LEFT JOIN registry_perkumpulan p ON p.id = h.mitra_perkumpulan_id "
             "LEFT JOIN network_mitra m ON m.id = h.mitra_luar_id",
    "cases": "SELECT nama, desa_id, kategori_id, status FROM pmks_kasuspmks",
    "history": "SELECT COUNT(*) FROM registry_historicalperkumpulan",
    "stale": "SELECT COUNT(*) FROM registry_rekapbasi",
}


def test_writer_threads_write_the_same_data_as_one_thread(database_template, tmp_path):  # noqa: F811
    """The command as run from a shell, on a real database: batches written by writer threads
    on their own connections give the same rows as batches written one after the other."""
    found = []
    for writers in ("0", "2"):
        with scratch_database(database_template, tmp_path, f"demo_{writers}") as scratch:
            done = scratch.manage("generate_demo", "--villages", "5", "--groups-per-village",
                                  "30", "--wilayah", KECAMATAN, "--writers", writers,
                                  "--groups-per-batch", "30")
            assert done.returncode == 0, done.stderr
            assert "[5/5]" in done.stdout
            found.append({name: sorted(scratch.query(sql), key=repr)
                          for name, sql in GENERATED.items()})
    assert found[0] == found[1]
    assert len(found[0]["groups"]) == 151  # and the kecamatan's BKB (demo.atas)
    assert found[0]["history"] == [(151,)]
    assert found[0]["stale"] == [(0,)]


def test_a_batch_that_fails_half_way_leaves_nothing(db, monkeypatch):
    from django.db import DatabaseError

    real = writer.insert_rows

    def failing(model, rows, fields=None):
        if model is Keanggotaan:  # after the groups and people of the batch were inserted
            raise DatabaseError("disk full")
        return real(model, rows, fields)

    monkeypatch.setattr(writer, "insert_rows", failing)
    with pytest.raises(CommandError) as failed:
        generate()
    assert "disk full" in str(failed.value) and "32.77.01.1001" in str(failed.value)
    assert not Perkumpulan.objects.exists() and not Warga.objects.exists()
    assert not Perkumpulan.history.exists()
