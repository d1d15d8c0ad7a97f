"""The recap as the registry stood (`rekap --pada`, the recap page's `?pada=`): read from the
audit history, a group deleted since still counts, one created since does not, a membership ended
since is still current, a chair's education and a link as they were; a case closed since is open.
The village is written by the survey importer (its bulk history rows) and changed through the ORM
(simple-history's rows)."""

import datetime
import json
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import survey_files as sf
from tests.conftest import CIBEUREUM, MELONG

KECAMATAN = "32.77.01"


@pytest.fixture
def recap_json(capsys):
    def run(*args) -> dict:
        call_command("rekap", *args, "--format", "json")
        return json.loads(capsys.readouterr().out)

    return run


def tables(data: dict) -> dict:
    return {t["nomor"]: t for t in data["tabel"]}


@pytest.fixture
def village(tmp_path, make_perkumpulan):
    """The survey's two groups (importer), a Melong group, a link and a case (ORM)."""
    sf.imported(sf.make_xlsx(tmp_path, sf.good_sheets()))
    make_perkumpulan("MLG-KT-001", desa=MELONG, jenis="KT", tahun_berdiri=2020)
    return tmp_path


def change_everything(make_perkumpulan):
    """After the moment: delete a group, create one, end a membership, change a chair's
    education, remove a link, close a case."""
    from members.models import Keanggotaan, Warga
    from network.models import Hubungan
    from pmks.models import KasusPMKS
    from registry.models import Perkumpulan

    Perkumpulan.objects.get(kode="MLG-KT-001").delete()
    make_perkumpulan("CBR-KT-009", jenis="KT", tahun_berdiri=2024)
    membership = Keanggotaan.objects.get(perkumpulan__kode="CBR-DW-001", warga__nik=sf.BUDI)
    membership.selesai = timezone.localdate()
    membership.save()
    chair = Warga.objects.get(nik=sf.SITI)
    chair.pendidikan = "PT"
    chair.save()
    for link in Hubungan.objects.filter(perkumpulan__kode="CBR-DW-001"):
        link.delete()
    case = KasusPMKS.objects.get(nama="Asep Saepudin")
    case.status = "SELESAI"
    case.save()


@pytest.mark.parametrize("few", [20_000, 0], ids=["by-ids", "by-subquery"])
@pytest.mark.parametrize("area", [CIBEUREUM, KECAMATAN, "32.77"])
def test_the_recap_as_it_stood_is_the_recap_of_that_moment(village, make_perkumpulan,
                                                           recap_json, area, few, monkeypatch):
    # (a village's few groups are found by their ids, a city's many by a subquery)
    monkeypatch.setattr("registry.lampau.FEW", few)
    year = str(timezone.localdate().year)
    before = recap_json("--wilayah", area, "--tahun-acuan", year)
    moment = timezone.localtime()
    change_everything(make_perkumpulan)
    now = recap_json("--wilayah", area, "--tahun-acuan", year)
    assert now != before  # the changes show today …
    past = recap_json("--wilayah", area, "--tahun-acuan", year,
                      "--pada", moment.isoformat())
    # … and not as it stood: every table the past recap serves is the one of that moment.
    kept = tables(past)
    assert kept.keys() == {n for n in tables(before) if n <= 11}
    for nomor, table in kept.items():
        assert table == tables(before)[nomor], nomor
    assert past["jumlah_perkumpulan"] == before["jumlah_perkumpulan"]
    assert past["pada"]["pada"].startswith(moment.strftime("%Y-%m-%dT%H:%M"))


def test_what_changed_since_shows_today(village, make_perkumpulan, recap_json):
    year = str(timezone.localdate().year)
    change_everything(make_perkumpulan)
    now = tables(recap_json("--wilayah", CIBEUREUM, "--tahun-acuan", year))
    # 3 groups today in Cibeureum (2 surveyed + the new KT); the chair now has a degree (PT).
    assert now[1]["total"]["jumlah"] == 3
    assert {row["kode"] for row in now[4]["baris"]} == {"PT"}
    # Table 11: the one open case is Mak Icih, not accompanied.
    assert [(r["kode"], r["nilai"][0]) for r in now[11]["baris"]] == [("BELUM", 1)]


def test_as_it_stood_a_deleted_group_counts_and_a_new_one_does_not(village, make_perkumpulan,
                                                                    recap_json):
    moment = timezone.localtime()
    change_everything(make_perkumpulan)
    past = recap_json("--wilayah", KECAMATAN, "--pada", moment.isoformat())
    assert past["jumlah_perkumpulan"] == 3  # CBR-DW-001, CBR-PSY-001, MLG-KT-001
    table4 = tables(past)[4]
    assert {row["kode"]: row["jumlah"] for row in table4["baris"]} == {"SMA": 1}
    table11 = tables(past)[11]
    assert [r["nilai"][0] for r in table11["baris"]] == [1, 1]  # Asep accompanied, Icih not


def test_a_group_moved_since_counts_where_it_was(village, make_perkumpulan, recap_json):
    from registry.models import Perkumpulan

    moment = timezone.localtime()
    group = Perkumpulan.objects.get(kode="MLG-KT-001")
    group.desa_id = CIBEUREUM
    group.save()
    assert recap_json("--wilayah", CIBEUREUM)["jumlah_perkumpulan"] == 3
    assert recap_json("--wilayah", MELONG)["jumlah_perkumpulan"] == 0
    assert recap_json("--wilayah", CIBEUREUM, "--pada", moment.isoformat())[
        "jumlah_perkumpulan"] == 2
    assert recap_json("--wilayah", MELONG, "--pada", moment.isoformat())[
        "jumlah_perkumpulan"] == 1


def test_a_date_means_the_end_of_that_day_and_before_the_registry_nothing(village, recap_json):
    today = timezone.localdate().isoformat()
    assert recap_json("--wilayah", CIBEUREUM, "--pada", today)["jumlah_perkumpulan"] == 2
    assert recap_json("--wilayah", CIBEUREUM, "--pada", "2020-01-01")["jumlah_perkumpulan"] == 0


def test_the_reference_year_follows_the_moment_unless_given(village, recap_json):
    assert recap_json("--wilayah", CIBEUREUM, "--pada", "2021-06-30")["tahun_acuan"] == 2021
    assert recap_json("--wilayah", CIBEUREUM, "--pada", "2021-06-30",
                      "--tahun-acuan", "2006")["tahun_acuan"] == 2006


def test_a_moment_to_come_answers_as_now(village, recap_json):
    later = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    assert recap_json("--wilayah", CIBEUREUM, "--pada", later)["jumlah_perkumpulan"] == 2


@pytest.mark.parametrize("value", ["kemarin", "2026-13-01", "1999-12-31"])
def test_a_bad_moment_is_told_without_a_traceback(db, value):
    with pytest.raises(CommandError, match="--pada"):
        call_command("rekap", "--wilayah", CIBEUREUM, "--pada", value, stdout=StringIO())


def test_the_second_asking_reads_the_stored_counts(village, make_perkumpulan):
    from registry import lampau, rekap
    from registry.models import LampauSiap, Wilayah

    moment = timezone.now()
    change_everything(make_perkumpulan)
    area = Wilayah.objects.get(pk=KECAMATAN)
    with CaptureQueriesContext(connection) as first:
        rekap.build(area, 2026, sumber=lampau.SumberLampau(area=area, pada=moment))
    with CaptureQueriesContext(connection) as second:
        again = rekap.build(area, 2026, sumber=lampau.SumberLampau(area=area, pada=moment))
    assert len(second) < len(first)
    assert again.jumlah_perkumpulan == 3
    assert LampauSiap.objects.filter(momen=moment, wilayah=area).count() == 1
    # A village within reads its kecamatan's computation.
    village_area = Wilayah.objects.get(pk=CIBEUREUM)
    one = rekap.build(village_area, 2026, sumber=lampau.SumberLampau(area=village_area,
                                                                     pada=moment))
    assert one.jumlah_perkumpulan == 2
    assert LampauSiap.objects.count() == 1


def test_the_recap_page_takes_a_date_and_shows_the_past(village, make_perkumpulan, client,
                                                        staf):
    moment = timezone.localtime()
    change_everything(make_perkumpulan)
    client.force_login(staf)
    page = client.get("/rekap/", {"wilayah": KECAMATAN, "pada": moment.isoformat()})
    assert page.status_code == 200
    assert page.context["rekap"].jumlah_perkumpulan == 3
    html = page.content.decode()
    assert 'type="date"' in html and 'name="pada"' in html
    assert quote(page.context["sumber"].pk) in html  # carried by the download and print links
    live = client.get("/rekap/", {"wilayah": KECAMATAN})
    assert live.context["rekap"].jumlah_perkumpulan == 3  # 2 + the new one, Melong's gone
    download = client.get("/rekap/xlsx/", {"wilayah": KECAMATAN,
                                           "pada": timezone.localdate().isoformat()})
    assert download.status_code == 200


def test_the_recap_page_refuses_a_bad_date_with_a_message(village, client, staf):
    client.force_login(staf)
    page = client.get("/rekap/", {"wilayah": KECAMATAN, "pada": "31-02-2026"})
    assert page.status_code == 400
    assert "31-02-2026" in page.content.decode()
