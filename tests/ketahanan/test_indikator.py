"""The eleven indicators on a fixture whose numbers are worked out by hand (the contract,
docs/ketahanan-sosial.md), the `ketahanan` command's three formats, and the registry as it stood
(`--pada`) before and after changes, deletions and ended memberships.

Cibeureum (worked out below, reference date today):
- active groups G1 (DW), G2 (KT), G3 (POSYANDU), G4 (BKR); G5 (DW) inactive.
  Community's initiative: G1, G2, G3 → 3/4 = 75.00. Gotong royong: G1, G2 → 2/4 = 50.00.
  Links: G1→G2, G3→an outside partner, G4→G5 (inactive: no edge) → linked 3/4 = 75.00.
- open cases: C1 FM accompanied by G1 and helped 10 days ago; C2 LUT; C3 KTK accompanied by G2;
  C4 AKTK; C5 FM closed (not counted). Accompanied 2/4 = 50.00; helped 1/4 = 25.00;
  violence (KTK, AKTK) accompanied 1/2 = 50.00. Helpers: FM←DW (present), LUT←BKL (absent),
  KTK←KT (present), AKTK←none → 2 categories without a helper.
- residents: P1 (1980, member of G1), P2 (1990, membership of G2 ended), P3 (2015, member of
  G1: a child), P4 (no date; NIK born 1975; no group), P5 (1985, member of inactive G5 only),
  P6 (no village; 1970 by NIK; member of G3: counted in Cibeureum). Adults P1, P2, P4, P5, P6
  = 5, members P1, P6 = 2 → 40.00.
- profile of the reference year: 2,000 residents → 4 × 1000 / 2000 = 2.00.
- the forum met 30 days ago → 1.
- funds: G1's jimpitan (two entries: one fund), the forum's death fund → 2; G2's arisan entry
  400 days ago and G3's government money do not count.
Melong: one active group, nothing else → every share of groups 0.00, the rest null or 0.
Kecamatan Cimahi Selatan: 5 active groups: linked 3/5 = 60.00, gotong royong 40.00, initiative
60.00; per 1,000 only over the villages with a profile: 2.00; forum 1 of 2 villages = 50.00.
"""

import datetime
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from tests.conftest import CIBEUREUM, MELONG, today

KECAMATAN = "32.77.01"


def day(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def make_village(make_perkumpulan, make_warga) -> dict:
    """The village worked out in the module's docstring (the `village` fixture: conftest)."""
    from bantuan.models import Penyaluran
    from members.models import Keanggotaan
    from network.models import (
        DanaKomunitas,
        DanaPerkumpulan,
        Forum,
        Hubungan,
        Mitra,
        PertemuanForum,
    )
    from pmks.models import KasusPMKS, KategoriPMKS
    from registry.models import Daftar, JenisPerkumpulan, Pilihan, ProfilDesa

    g = {
        "G1": make_perkumpulan("CBR-DW-001", jenis="DW", prakarsa="MASYARAKAT"),
        "G2": make_perkumpulan("CBR-KT-001", jenis="KT", prakarsa="MASYARAKAT"),
        "G3": make_perkumpulan("CBR-PSY-001", jenis="POSYANDU", prakarsa="MASYARAKAT"),
        "G4": make_perkumpulan("CBR-BKR-001", jenis="BKR", prakarsa="PEMERINTAH"),
        "G5": make_perkumpulan("CBR-DW-002", jenis="DW", aktif=False),
        "G6": make_perkumpulan("MLG-DW-001", desa=MELONG, jenis="DW"),
    }
    gotong = Pilihan.objects.get(daftar=Daftar.NILAI, kode="GOTONG_ROYONG")
    g["G1"].nilai_solidaritas.add(gotong)
    g["G2"].nilai_solidaritas.add(gotong)
    Hubungan.objects.create(perkumpulan=g["G1"], mitra_perkumpulan=g["G2"], bentuk="KOORDINASI")
    office = Mitra.objects.create(nama="Puskesmas", jenis="PEMERINTAH", wilayah_id=CIBEUREUM)
    Hubungan.objects.create(perkumpulan=g["G3"], mitra_luar=office, bentuk="RUJUKAN")
    Hubungan.objects.create(perkumpulan=g["G4"], mitra_perkumpulan=g["G5"], bentuk="BERBAGI")

    kategori = {k.kode: k for k in KategoriPMKS.objects.filter(
        kode__in=["FM", "LUT", "KTK", "AKTK"])}
    jenis = {j.kode: j for j in JenisPerkumpulan.objects.all()}
    for kode, helpers in (("FM", ["DW"]), ("LUT", ["BKL"]), ("KTK", ["KT"]), ("AKTK", [])):
        kategori[kode].jenis_penolong.set([jenis[h] for h in helpers])

    p = {
        "P1": make_warga("3277011208800001", wilayah_id=CIBEUREUM,
                         tanggal_lahir=datetime.date(1980, 8, 12)),
        "P2": make_warga("3277011303900002", wilayah_id=CIBEUREUM,
                         tanggal_lahir=datetime.date(1990, 3, 13)),
        "P3": make_warga("3277010505150003", wilayah_id=CIBEUREUM,
                         tanggal_lahir=datetime.date(2015, 5, 5)),
        "P4": make_warga("3277010101750004", wilayah_id=CIBEUREUM),
        "P5": make_warga("3277010202850005", wilayah_id=CIBEUREUM,
                         tanggal_lahir=datetime.date(1985, 2, 2)),
        "P6": make_warga("3277010303700006"),
    }
    Keanggotaan.objects.create(warga=p["P1"], perkumpulan=g["G1"], peran="ANGGOTA")
    Keanggotaan.objects.create(warga=p["P2"], perkumpulan=g["G2"], peran="ANGGOTA",
                               mulai=day(300), selesai=day(20))
    Keanggotaan.objects.create(warga=p["P3"], perkumpulan=g["G1"], peran="ANGGOTA")
    Keanggotaan.objects.create(warga=p["P5"], perkumpulan=g["G5"], peran="ANGGOTA")
    Keanggotaan.objects.create(warga=p["P6"], perkumpulan=g["G3"], peran="ANGGOTA")

    c = {
        "C1": KasusPMKS.objects.create(nama="C1", warga=p["P1"], desa_id=CIBEUREUM,
                                       kategori=kategori["FM"], status="DITANGANI",
                                       pendamping=g["G1"]),
        "C2": KasusPMKS.objects.create(nama="C2", desa_id=CIBEUREUM, kategori=kategori["LUT"]),
        "C3": KasusPMKS.objects.create(nama="C3", desa_id=CIBEUREUM, kategori=kategori["KTK"],
                                       status="DITANGANI", pendamping=g["G2"]),
        "C4": KasusPMKS.objects.create(nama="C4", desa_id=CIBEUREUM, kategori=kategori["AKTK"]),
        "C5": KasusPMKS.objects.create(nama="C5", desa_id=CIBEUREUM, kategori=kategori["FM"],
                                       status="SELESAI", pendamping=g["G1"]),
    }
    Penyaluran.bantu_kasus(c["C1"], tanggal=day(10), sumber="JIMPITAN", bentuk="BARANG",
                           nilai=50000)

    ProfilDesa.objects.create(desa_id=CIBEUREUM, tahun=today().year, jumlah_penduduk=2000)
    forum = Forum.objects.create(desa_id=CIBEUREUM, nama="Forum WKSBM", mekanisme="TIM")
    PertemuanForum.objects.create(forum=forum, tanggal=day(30), jenis="RUTIN")
    DanaPerkumpulan.objects.create(perkumpulan=g["G1"], jenis="JIMPITAN", tanggal=day(5),
                                   terkumpul=10000)
    DanaPerkumpulan.objects.create(perkumpulan=g["G1"], jenis="JIMPITAN", tanggal=day(50),
                                   terkumpul=10000)
    DanaPerkumpulan.objects.create(perkumpulan=g["G2"], jenis="ARISAN", tanggal=day(400),
                                   terkumpul=10000)
    DanaPerkumpulan.objects.create(perkumpulan=g["G3"], jenis="PEMERINTAH", tanggal=day(5),
                                   terkumpul=10000)
    DanaKomunitas.objects.create(forum=forum, jenis="DANA_KEMATIAN", tanggal=day(15),
                                 terkumpul=10000)
    return {"g": g, "p": p, "c": c}


CIBEUREUM_VALUES = {
    "perlindungan": {"pmks_didampingi": 50.0, "pmks_dibantu_12_bulan": 25.0,
                     "kategori_tanpa_penolong": 2},
    "partisipasi": {"perkumpulan_berjejaring": 75.0, "warga_dewasa_anggota": 40.0,
                    "perkumpulan_per_1000_warga": 2.0},
    "pengendalian_konflik": {"korban_kekerasan_didampingi": 50.0, "forum_aktif": 1},
    "kearifan_lokal": {"nilai_gotong_royong": 50.0, "prakarsa_masyarakat": 75.0,
                       "dana_komunitas_aktif": 2},
}
MELONG_VALUES = {
    "perlindungan": {"pmks_didampingi": None, "pmks_dibantu_12_bulan": None,
                     "kategori_tanpa_penolong": 0},
    "partisipasi": {"perkumpulan_berjejaring": 0.0, "warga_dewasa_anggota": None,
                    "perkumpulan_per_1000_warga": None},
    "pengendalian_konflik": {"korban_kekerasan_didampingi": None, "forum_aktif": 0},
    "kearifan_lokal": {"nilai_gotong_royong": 0.0, "prakarsa_masyarakat": 0.0,
                       "dana_komunitas_aktif": 0},
}
KECAMATAN_VALUES = {
    "perlindungan": {"pmks_didampingi": 50.0, "pmks_dibantu_12_bulan": 25.0,
                     "kategori_tanpa_penolong": 2},
    "partisipasi": {"perkumpulan_berjejaring": 60.0, "warga_dewasa_anggota": 40.0,
                    "perkumpulan_per_1000_warga": 2.0},
    "pengendalian_konflik": {"korban_kekerasan_didampingi": 50.0, "forum_aktif": 50.0},
    "kearifan_lokal": {"nilai_gotong_royong": 40.0, "prakarsa_masyarakat": 60.0,
                       "dana_komunitas_aktif": 2},
}


def command_json(*args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("ketahanan", *args, "--format", "json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def test_a_village_s_eleven_indicators_are_those_worked_out_by_hand(village):
    data = command_json("--wilayah", CIBEUREUM)
    assert data["wilayah"] == CIBEUREUM
    assert data["tahun_acuan"] == today().year
    assert data["dimensi"] == CIBEUREUM_VALUES
    assert "desa" not in data  # a village has no villages


def test_a_village_with_no_cases_residents_profile_or_forum_gets_null_and_zero(village):
    assert command_json("--wilayah", MELONG)["dimensi"] == MELONG_VALUES


def test_an_area_above_the_village_sums_its_villages_and_lists_each(village):
    data = command_json("--wilayah", KECAMATAN)
    assert data["dimensi"] == KECAMATAN_VALUES
    assert [(d["wilayah"], d["dimensi"]) for d in data["desa"]] == [
        (MELONG, MELONG_VALUES), (CIBEUREUM, CIBEUREUM_VALUES)]  # by code


def test_an_empty_area_has_null_shares(db):
    data = command_json("--wilayah", "32.77.03")
    assert data["dimensi"]["partisipasi"]["perkumpulan_berjejaring"] is None
    assert data["dimensi"]["pengendalian_konflik"]["forum_aktif"] is None
    assert data["desa"] == []


def test_a_reference_year_puts_the_reference_date_at_its_31_december(village):
    # In 2006 the profile (of this year) is not there, the help, meeting and funds were not
    # yet given: per 1,000 is null, nothing was helped, the forum had not met.
    data = command_json("--wilayah", CIBEUREUM, "--tahun-acuan", "2006")
    assert data["tahun_acuan"] == 2006
    assert data["tanggal_acuan"] == "2006-12-31"
    values = data["dimensi"]
    assert values["partisipasi"]["perkumpulan_per_1000_warga"] is None
    assert values["perlindungan"]["pmks_dibantu_12_bulan"] == 0.0
    assert values["pengendalian_konflik"]["forum_aktif"] == 0
    assert values["kearifan_lokal"]["dana_komunitas_aktif"] == 0
    # P1 (1980), P4 (1975 by NIK), P5 (1985), P6 (1970) were adults in 2006; P2 (1990) not.
    assert values["partisipasi"]["warga_dewasa_anggota"] == 50.0


def test_as_the_registry_stood_before_changes_deletions_and_ended_memberships(village):
    from members.models import Keanggotaan

    before = command_json("--wilayah", KECAMATAN)
    moment = timezone.localtime()
    g, c = village["g"], village["c"]
    g["G4"].delete()  # the isolated BKR group: deleted since
    g["G3"].aktif = False  # dissolved since
    g["G3"].save()
    Keanggotaan.objects.filter(warga=village["p"]["P1"]).update(selesai=today())
    for membership in Keanggotaan.objects.filter(warga=village["p"]["P1"]):
        membership.save()  # an ended membership, through the ORM (its history)
    c["C2"].status = "SELESAI"
    c["C2"].save()
    now = command_json("--wilayah", KECAMATAN)
    # Today: 3 active groups (G1, G2, G6), G1–G2 linked: 2/3; open cases 3.
    assert now["dimensi"]["partisipasi"]["perkumpulan_berjejaring"] == 66.67
    assert now["dimensi"]["perlindungan"]["pmks_didampingi"] == round(100 * 2 / 3, 2)
    past = command_json("--wilayah", KECAMATAN, "--pada",
                        moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:26])
    assert past["dimensi"] == before["dimensi"]
    assert [d["dimensi"] for d in past["desa"]] == [d["dimensi"] for d in before["desa"]]
    assert past["pada"].startswith(moment.strftime("%Y-%m-%dT%H:%M"))


def test_a_group_created_since_does_not_count_as_it_stood(village, make_perkumpulan):
    moment = timezone.localtime()
    make_perkumpulan("MLG-KT-001", desa=MELONG, jenis="KT", prakarsa="MASYARAKAT")
    assert command_json("--wilayah", MELONG)["dimensi"]["kearifan_lokal"][
        "prakarsa_masyarakat"] == 50.0
    past = command_json("--wilayah", MELONG, "--pada", moment.isoformat())
    assert past["dimensi"] == MELONG_VALUES


def test_before_the_registry_held_anything_every_share_is_null(village):
    data = command_json("--wilayah", CIBEUREUM, "--pada", "2020-01-01")
    assert data["tanggal_acuan"] == "2020-01-01"
    assert data["dimensi"]["partisipasi"]["perkumpulan_berjejaring"] is None
    assert data["dimensi"]["perlindungan"]["pmks_didampingi"] is None


@pytest.mark.parametrize("args, message", [
    (["--pada", "kemarin"], "--pada kemarin"),
    (["--pada", "1999-12-31"], "2000-01-01"),
    (["--tahun-acuan", "20"], "not a plausible year"),
    (["--format", "xlsx"], "needs --output"),
    (["--tahun-acuan", "2006", "--pada", "2026-01-01"], "not allowed with"),
])
def test_bad_options_are_told_without_a_traceback(village, args, message):
    from io import StringIO

    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("ketahanan", "--wilayah", CIBEUREUM, *args, stdout=StringIO())


def test_the_xlsx_holds_each_indicator_with_its_numerator_and_denominator(village, tmp_path):
    path = tmp_path / "ketahanan.xlsx"
    call_command("ketahanan", "--wilayah", KECAMATAN, "--format", "xlsx", "--output", str(path),
                 stderr=open("/dev/null", "w"))
    book = openpyxl.load_workbook(path)
    rows = {row[2]: row for row in book["Indikator"].iter_rows(min_row=4, values_only=True)}
    assert rows["perkumpulan_berjejaring"][3:] == (60.0, 3, 5)
    assert rows["pmks_didampingi"][3:] == (50.0, 2, 4)
    assert rows["perkumpulan_per_1000_warga"][3:] == (2.0, 4, 2000)
    villages = list(book["Desa"].iter_rows(min_row=2, values_only=True))
    assert [v[0] for v in villages] == [MELONG, CIBEUREUM]
    assert isinstance(villages[0][0], str)


def test_the_text_says_each_indicator_in_indonesian_number_format(village, tmp_path):
    path = tmp_path / "ketahanan.txt"
    call_command("ketahanan", "--wilayah", CIBEUREUM, "--format", "text", "--output",
                 str(path), stderr=open("/dev/null", "w"))
    text = path.read_text(encoding="utf-8")
    assert "75,00" in text and "40,00" in text and "Cibeureum" in text


def test_the_assessed_means_stand_beside_the_computed_indicators(village, make_warga):
    from ketahanan.models import Penilaian, Pernyataan, Responden, Skor

    statements = [Pernyataan.objects.create(kode=f"T{i}", dimensi="perlindungan", teks=f"S{i}")
                  for i in (1, 2)]
    older = Penilaian.objects.create(desa_id=CIBEUREUM, tanggal=day(400), nama="2025")
    latest = Penilaian.objects.create(desa_id=CIBEUREUM, tanggal=day(3), nama="2026")
    for round_, scores in ((older, [[1, 1]]), (latest, [[4, 5], [3, 3], [2, 3]])):
        for n, pair in enumerate(scores, start=1):
            responden = Responden.objects.create(penilaian=round_, nomor=n)
            for statement, value in zip(statements, pair, strict=True):
                Skor.objects.create(responden=responden, pernyataan=statement, nilai=value)
    data = command_json("--wilayah", CIBEUREUM)
    # The latest round only: (4+5+3+3+2+3)/6 = 3.33, three respondents.
    assert data["penilaian"]["perlindungan"] == {"rata_rata": 3.33, "responden": 3}
    assert data["penilaian"]["partisipasi"] == {"rata_rata": None, "responden": 0}
    # 200 days ago, the older round was the latest; 500 days ago there was none.
    from ketahanan.indikator import hitung
    from registry.models import Wilayah

    cibeureum = Wilayah.objects.get(pk=CIBEUREUM)
    assert hitung(cibeureum, acuan=day(200)).penilaian["perlindungan"] == {
        "rata_rata": 1.0, "responden": 1}
    assert hitung(cibeureum, acuan=day(500)).penilaian["perlindungan"]["responden"] == 0
    kec = command_json("--wilayah", KECAMATAN)
    assert kec["penilaian"]["perlindungan"] == {"rata_rata": 3.33, "responden": 3}
    assert kec["desa"][1]["penilaian"]["perlindungan"]["responden"] == 3
