"""The demo village must give seed 004's published Cibeureum 2006 counts."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from members.models import Keanggotaan
from registry.models import Perkumpulan, User
from tests.conftest import CIBEUREUM

# type: (founded < 10 years before 2006, >= 10), (<= 10 members, 11-20, > 20),
#       (network: social organisations, government) — seed 004 Tables 1, 3 and 5.
SEED_004 = {
    "DW": ((16, 88), (15, 78, 11), (89, 15)),
    "POSYANDU": ((3, 17), (0, 4, 16), (0, 20)),
    "BKB": ((0, 4), (0, 1, 3), (0, 4)),
    "KUBE": ((0, 1), (1, 0, 0), (0, 1)),
    "KT": ((10, 8), (0, 5, 13), (0, 18)),
    "KWT": ((2, 0), (1, 1, 0), (0, 2)),
    "PHBI": ((1, 0), (0, 0, 1), (1, 0)),
    "PENGAJIAN": ((3, 15), (0, 1, 17), (18, 0)),
    "KPW": ((6, 70), (0, 4, 72), (76, 0)),
    "BKL": ((0, 3), (0, 1, 2), (0, 3)),
    "BKR": ((0, 3), (0, 0, 3), (0, 3)),
    "LPM": ((0, 1), (1, 0, 0), (0, 1)),
    "PETA": ((2, 9), (0, 3, 8), (0, 11)),
    "R1KS": ((0, 18), (0, 0, 18), (0, 18)),
    "R1SUB": ((0, 18), (0, 0, 18), (0, 18)),
    "UP2KS": ((0, 3), (0, 0, 3), (0, 3)),
    "UP2K": ((0, 6), (0, 0, 6), (0, 6)),
}


@pytest.fixture
def demo(db):
    call_command("load_demo", accounts=True, stdout=open("/dev/null", "w"))


def test_it_matches_tables_1_3_5_per_type(demo):
    rows = Perkumpulan.objects.filter(desa_id="32.77.01.1002").values("jenis__kode").annotate(
        young=Count("pk", filter=Q(tahun_berdiri__gt=2006 - 10)),
        old=Count("pk", filter=Q(tahun_berdiri__lte=2006 - 10)),
        small=Count("pk", filter=Q(jumlah_anggota__lte=10)),
        medium=Count("pk", filter=Q(jumlah_anggota__range=(11, 20))),
        large=Count("pk", filter=Q(jumlah_anggota__gt=20)),
        orsos=Count("pk", filter=Q(jaringan_kerja="ORSOS")),
        government=Count("pk", filter=Q(jaringan_kerja="PEMERINTAH")),
    )
    found = {
        r["jenis__kode"]: (
            (r["young"], r["old"]),
            (r["small"], r["medium"], r["large"]),
            (r["orsos"], r["government"]),
        )
        for r in rows
    }
    assert found == SEED_004
    assert Perkumpulan.objects.filter(desa_id="32.77.01.1002", aktif=True).count() == 307


def test_it_matches_tables_2_and_4_in_total(demo):
    purposes = dict(
        Perkumpulan.objects.filter(desa_id="32.77.01.1002").values_list("tujuan__nama")
        .annotate(n=Count("pk")).values_list(
            "tujuan__nama", "n"
        )
    )
    assert purposes == {
        "Kesejahteraan Anak": 26,
        "Kesejahteraan Ibu dan Anak": 41,
        "Kesejahteraan Lanjut Usia": 3,
        "Peningkatan Penghasilan": 87,
        "Integrasi Masyarakat/Kerukunan Warga": 91,
        "Bantuan Sosial": 10,
        "Pengajian": 18,
        "Meningkatkan Iman dan Taqwa": 18,
        "Meningkatkan Keterampilan": 11,
        "Pelayanan Kesehatan": 2,
    }
    chairs = Keanggotaan.objects.filter(peran="KETUA", selesai__isnull=True)
    education = dict(chairs.values_list("warga__pendidikan").annotate(n=Count("pk")))
    assert education == {"TS": 4, "SD": 33, "SMP": 92, "SMA": 166, "PT": 12}
    assert chairs.values("perkumpulan").distinct().count() == 307


def test_it_is_safe_to_reload_and_makes_one_account_per_role(demo):
    call_command("load_demo", accounts=True, stdout=open("/dev/null", "w"))
    assert Perkumpulan.objects.count() == 307 + 1  # the village's, and its kecamatan's BKB
    assert Keanggotaan.objects.count() == 614
    roles = dict(User.objects.filter(username__startswith="demo-").values_list("username", "peran"))
    assert roles == {
        "demo-operator": "operator",
        "demo-kecamatan": "kecamatan",
        "demo-staf": "staf",
        "demo-pengamat": "pengamat",
        "demo-admin": "admin",
    }
    assert User.objects.get(username="demo-staf").check_password("wksbm-demo-2026")


def test_the_demo_village_has_its_forum_and_one_of_rw_1(demo):
    """Seed 003: a WKSBM works at village, RW, RT or dukuh level; `make run` shows both, each of
    its own groups and led by a chair of one of them, once however often it is loaded."""
    from network.models import Forum

    call_command("load_demo", stdout=open("/dev/null", "w"))
    forums = {f.tingkat: f for f in Forum.objects.filter(desa="32.77.01.1002")}
    assert sorted(forums) == ["DESA", "RW"] and forums["RW"].rw == 1
    rw_groups = Perkumpulan.objects.filter(desa="32.77.01.1002", rw=1)
    assert set(forums["RW"].anggota.all()) == set(rw_groups) and rw_groups.exists()
    village_types = set(forums["DESA"].anggota.values_list("jenis__kode", flat=True))
    assert village_types == {"LPM", "KPW", "KT", "POSYANDU", "PENGAJIAN"}
    for forum in forums.values():
        leader = forum.pengurus.get()
        assert Keanggotaan.objects.filter(warga=leader.warga, peran="KETUA",
                                          perkumpulan__in=forum.anggota.all()).exists()


def test_the_demo_village_has_its_2006_profile_from_seed_004(demo):
    """Seed 004, III.A: 23 RW, 170 RT, 11,571 households, 39,652 residents; kept once however
    often the demo is loaded."""
    from registry.models import ProfilDesa

    call_command("load_demo", stdout=open("/dev/null", "w"))
    profile = ProfilDesa.objects.get(desa="32.77.01.1002")
    assert (profile.tahun, profile.jumlah_rw, profile.jumlah_rt, profile.jumlah_kk,
            profile.jumlah_penduduk) == (2006, 23, 170, 11_571, 39_652)
    assert "pengemudi becak" in profile.mata_pencaharian


def test_the_kecamatan_has_its_bkb_above_the_village(demo):
    """Seed 004: BKB are organised up to the kecamatan. The kecamatan's BKB, linked Berjenjang
    from the village's 4 BKBs, counts in the kecamatan's recap, not in the village's (307)."""
    from network.models import Hubungan
    from registry import rekap
    from registry.models import Wilayah

    call_command("load_demo", stdout=open("/dev/null", "w"))
    group = Perkumpulan.objects.get(kode="KEC-327701-BKB-001")
    assert (group.desa_id, group.jenis.kode, group.nama) == (
        "32.77.01", "BKB", "BKB Kecamatan Cimahi Selatan")
    links = Hubungan.objects.filter(mitra_perkumpulan=group, bentuk="BERJENJANG")
    assert sorted(links.values_list("perkumpulan__desa", "perkumpulan__jenis__kode")) == [
        ("32.77.01.1002", "BKB")] * 4
    village = rekap.build(Wilayah.objects.get(pk="32.77.01.1002"), 2006)
    kecamatan = rekap.build(Wilayah.objects.get(pk="32.77.01"), 2006)
    assert (village.jumlah_perkumpulan, kecamatan.jumlah_perkumpulan) == (307, 308)


def test_the_demo_village_has_aid_programmes_distributions_and_case_help(demo):
    """Aid (demo.bantuan): the city's PKH and BPNT, the village's stimulus, food programme and
    ad-hoc PMKS help, each with recipients and distributions; loaded once however often."""
    from bantuan.models import LaporanStimulan, Penerima, Penyaluran, Program
    from pmks.models import KasusPMKS
    from registry import rekap, validators
    from registry.models import Wilayah

    call_command("load_demo", stdout=open("/dev/null", "w"))
    year = validators.this_year()
    codes = set(Program.objects.values_list("kode", flat=True))
    assert {f"PKH-{year}-3277", f"BPNT-{year}-3277", f"STIM-{year}-3277011002",
            f"PANGAN-{year}-3277011002", "PMKS-3277011002-JIMPIT-BARA"} == codes
    for program in Program.objects.all():
        assert Penyaluran.objects.filter(penerima__program=program).exists(), program.kode
    stopped = Penerima.objects.filter(status="DIHENTIKAN")
    assert stopped.count() == 2 and "" not in stopped.values_list("alasan_berhenti", flat=True)
    assert list(Penerima.objects.exclude(alasan_ganda="").values_list("program__kode",
                                                                      flat=True)) == [
        f"PANGAN-{year}-3277011002"]
    # Every case being handled or closed got its help, as a distribution naming it.
    helped = KasusPMKS.objects.filter(status__in=["DITANGANI", "SELESAI"])
    assert helped.exists()
    assert set(Penyaluran.objects.filter(penerima__program__ad_hoc=True)
               .values_list("kasus", flat=True)) == set(helped.values_list("pk", flat=True))
    assert LaporanStimulan.objects.count() == 2
    assert Penyaluran.objects.filter(tanggal__year=year - 1).count() == Penyaluran.objects.count()
    # The recap of last year shows the aid tables; 2006 (seed 004) none of them.
    village = Wilayah.objects.get(pk="32.77.01.1002")
    last = {t.nomor: t for t in rekap.build(village, year - 1).tabel}
    assert {14, 15, 16, 17} <= set(last)
    assert last[17].total.nilai == [2, 0, 1, 1]
    assert not {14, 15, 16, 17} & {t.nomor for t in rekap.build(village, 2006).tabel}


def test_generated_villages_have_aid_and_their_cases_help(db):
    from bantuan.models import Penerima, Penyaluran, Program
    from pmks.models import KasusPMKS

    call_command("generate_demo", villages=2, groups_per_village=40, wilayah="32.77.01",
                 stdout=open("/dev/null", "w"))
    assert Program.objects.filter(kode__startswith="PKH-", wilayah="32.77").count() == 1
    assert Program.objects.filter(ad_hoc=False, bentuk="STIMULAN").count() == 2
    assert Penerima.objects.filter(keluarga__isnull=False).exists()
    assert Penyaluran.objects.filter(penerima__warga__isnull=False).exists()
    helped = KasusPMKS.objects.filter(status__in=["DITANGANI", "SELESAI"])
    assert helped.exists()
    given = Penyaluran.objects.filter(kasus__isnull=False, penerima__program__ad_hoc=True)
    assert set(given.values_list("kasus", flat=True)) == set(helped.values_list("pk", flat=True))
    for case in helped.select_related("pendamping")[:5]:
        help_given = given.get(kasus=case)
        assert help_given.perkumpulan_id == case.pendamping_id
        assert (help_given.nilai - 100_000) % 5_000 == 0
    # Generated again with --replace: the villages' aid goes with them, the city's stays.
    call_command("generate_demo", villages=2, groups_per_village=40, wilayah="32.77.01",
                 replace=True, stdout=open("/dev/null", "w"))
    assert Program.objects.filter(kode__startswith="PKH-").count() == 1
    assert set(given.values_list("kasus", flat=True)) == set(
        KasusPMKS.objects.filter(status__in=["DITANGANI", "SELESAI"]).values_list("pk", flat=True))


def test_the_demo_round_shows_a_list_in_mid_verification(demo):
    """`make run` shows a verification round at work: the village submitted after its meeting,
    the kecamatan accepted the groups and returned one case with its reason."""
    from registry.models import KopSurat, Wilayah
    from verifikasi.models import Aksi, Putaran, StatusItem, Tahap

    putaran = Putaran.objects.get(wilayah_id="32.77")
    usulan = putaran.usulan.get(desa_id="32.77.01.1002")
    assert (usulan.tahap, usulan.musdes_hadir, usulan.diajukan_oleh.username) == (
        Tahap.DIAJUKAN, 37, "demo-operator")
    assert usulan.items.filter(jenis="PERKUMPULAN", status=StatusItem.DITERIMA).count() == 307
    returned = usulan.items.get(status=StatusItem.DIKEMBALIKAN)
    assert returned.jenis == "PMKS" and "RT/RW" in returned.alasan
    assert returned.langkah.get(aksi=Aksi.KEMBALIKAN).oleh.username == "demo-kecamatan"
    # The letterhead of the village is its own; a village without one borrows its kecamatan's.
    assert KopSurat.for_area(usulan.desa).jabatan == "Lurah Cibeureum"
    assert KopSurat.for_area(Wilayah.objects.get(pk="32.77.01.1001")).jabatan == \
        "Camat Cimahi Selatan"
    expiring = Perkumpulan.objects.filter(desa_id="32.77.01.1002", sk_nomor__gt="")
    assert expiring.count() == 10
    # Loading again changes nothing.
    call_command("load_demo", accounts=True, stdout=open("/dev/null", "w"))
    assert Putaran.objects.count() == 1 and usulan.items.count() == \
        putaran.usulan.get().items.count()
    assert expiring.count() == 10


def test_the_demo_village_has_its_pokja_assessment_plan_and_round(demo):
    """`make run` shows the resilience pages filled: a Pokja of seven, 30 respondents scoring
    every statement, a plan of four activities (one done), a named round; kept on reloading."""
    from ketahanan.indikator import hitung
    from ketahanan.models import (
        KegiatanAksi,
        Penilaian,
        Pernyataan,
        PokjaTansosmas,
        PutaranPantau,
        Skor,
    )
    from registry.models import Wilayah

    pokja = PokjaTansosmas.objects.get(desa_id=CIBEUREUM)
    assert pokja.anggota.count() == 7
    penilaian = Penilaian.objects.get(desa_id=CIBEUREUM)
    statements = Pernyataan.objects.filter(aktif=True).count()
    assert statements == 12
    assert penilaian.responden.count() == 30
    assert Skor.objects.filter(responden__penilaian=penilaian).count() == 30 * statements
    assert list(KegiatanAksi.objects.filter(rencana__desa_id=CIBEUREUM).order_by("mulai")
                .values_list("status", flat=True)) == ["SELESAI", "BERJALAN", "RENCANA", "RENCANA"]
    assert PutaranPantau.objects.filter(wilayah_id=CIBEUREUM).count() == 1
    means = hitung(Wilayah.objects.get(pk=CIBEUREUM)).penilaian
    assert all(m["responden"] == 30 for m in means.values())
    # Protection scored lowest, local wisdom highest, as the demo means them.
    assert means["perlindungan"]["rata_rata"] < means["kearifan_lokal"]["rata_rata"]
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert PokjaTansosmas.objects.filter(desa_id=CIBEUREUM).count() == 1
