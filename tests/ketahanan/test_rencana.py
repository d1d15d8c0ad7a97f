"""A village's action plans and their activities over HTTP: the plan's life cycle, who may see
and write, the rules of an activity (one payer, an indicator of its own dimension), the
dashboard's figure and the plan page's fixed query count.

The world: Cibeureum's operator writes a plan of Cibeureum with two of its groups (PKK, Karang
Taruna) and the district's aid programme PKH."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bantuan.models import Program
from ketahanan.models import KegiatanAksi, RencanaAksi, StatusKegiatan
from tests.conftest import CIBEUREUM, MELONG

D = datetime.date


@pytest.fixture
def world(make_perkumpulan):
    pkk = make_perkumpulan("CBR-PKK-001", nama="PKK Cibeureum", jenis="DW")
    kt = make_perkumpulan("CBR-KT-001", nama="Karang Taruna Cibeureum", jenis="DW")
    pkh = Program.objects.create(kode="PKH-2025-3277", nama="Program Keluarga Harapan",
                                 wilayah_id="32.77", bentuk="UANG", sumber="PEMERINTAH",
                                 mulai=D(2025, 1, 1))
    return {"pkk": pkk, "kt": kt, "pkh": pkh}


def make_plan(nama="Rencana 2026", desa=CIBEUREUM):
    return RencanaAksi.objects.create(desa_id=desa, nama=nama, mulai=D(2026, 1, 1),
                                      selesai=D(2026, 12, 31))


def make_activity(plan, nama="Kegiatan", **fields):
    fields.setdefault("dimensi", "partisipasi")
    fields.setdefault("mulai", D(2026, 2, 1))
    fields.setdefault("selesai", D(2026, 3, 1))
    return KegiatanAksi.objects.create(rencana=plan, nama=nama, **fields)


def activity_data(world, **changes):
    data = {"nama": "Pelatihan kader", "dimensi": "partisipasi",
            "indikator": "warga_dewasa_anggota",
            "penanggung_jawab": [world["pkk"].kode, world["kt"].kode], "anggaran": "1500000",
            "program": world["pkh"].pk, "dana_perkumpulan": "", "jenis_dana": "",
            "mulai": "2026-02-01", "selesai": "2026-03-01"}
    data.update(changes)
    return data


def test_the_life_cycle_of_a_plan(client, operator, world):
    client.force_login(operator)
    response = client.post(reverse("ketahanan:rencana_new") + f"?wilayah={CIBEUREUM}", {
        "nama": "Rencana Aksi 2026", "mulai": "2026-01-01", "selesai": "2026-12-31"})
    plan = RencanaAksi.objects.get()
    assert plan.desa_id == CIBEUREUM
    detail = reverse("ketahanan:rencana_detail", args=[plan.pk])
    assert response.status_code == 302 and response["Location"] == detail

    response = client.post(reverse("ketahanan:kegiatan_new", args=[plan.pk]),
                           activity_data(world))
    assert response.status_code == 302
    kegiatan = KegiatanAksi.objects.get()
    assert set(kegiatan.penanggung_jawab.all()) == {world["pkk"], world["kt"]}
    assert kegiatan.program == world["pkh"] and kegiatan.anggaran == 1_500_000
    page = client.get(detail).content.decode()
    assert "PKK Cibeureum" in page and "Karang Taruna Cibeureum" in page
    assert "Program Keluarga Harapan" in page and "Rp 1.500.000" in page
    assert 'id="kemajuan-angka">0/1<' in page

    status_url = reverse("ketahanan:kegiatan_status", args=[kegiatan.pk])
    # Done straight from planned is no step it can take.
    response = client.post(status_url, {"status": "SELESAI", "tanggal_selesai": "2026-03-01",
                                        "hasil": "x"})
    assert response.status_code == 400
    assert client.post(status_url, {"status": "BERJALAN"}).status_code == 302
    kegiatan.refresh_from_db()
    assert kegiatan.status == StatusKegiatan.BERJALAN

    response = client.post(status_url, {"status": "SELESAI", "hasil": "30 kader dilatih"})
    assert response.status_code == 400
    assert 'id="id_tanggal_selesai_error"' in response.content.decode()
    assert response.context["form"].errors["tanggal_selesai"] == [
        str(response.context["form"].errors["tanggal_selesai"][0])]
    assert "30 kader dilatih" in response.content.decode()  # what was typed is kept
    kegiatan.refresh_from_db()
    assert kegiatan.status == StatusKegiatan.BERJALAN

    response = client.post(status_url, {"status": "SELESAI", "tanggal_selesai": "2026-03-01",
                                        "hasil": "30 kader dilatih"})
    assert response.status_code == 302
    kegiatan.refresh_from_db()
    assert kegiatan.status == StatusKegiatan.SELESAI
    assert kegiatan.tanggal_selesai == D(2026, 3, 1) and kegiatan.hasil == "30 kader dilatih"
    page = client.get(detail).content.decode()
    assert 'id="kemajuan-angka">1/1<' in page
    assert 'id="kemajuan-anggaran">Rp 1.500.000<' in page
    assert "30 kader dilatih" in page and "1 Mar 2026" in page
    listing = client.get(reverse("ketahanan:rencana_list") + f"?wilayah={CIBEUREUM}")
    assert listing.status_code == 200 and "1/1" in listing.content.decode()


def test_a_plan_edited_and_a_cancelled_activity_left_out_of_the_progress(client, operator,
                                                                         world):
    plan = make_plan()
    make_activity(plan, "Batal", status=StatusKegiatan.BATAL)
    make_activity(plan, "Jalan", status=StatusKegiatan.BERJALAN)
    client.force_login(operator)
    response = client.get(reverse("ketahanan:rencana_edit", args=[plan.pk]))
    assert response.status_code == 200
    response = client.post(reverse("ketahanan:rencana_edit", args=[plan.pk]), {
        "nama": "Rencana baru", "mulai": "2026-01-01", "selesai": "2025-12-31",
        "versi": response.context["form"]["versi"].value()})
    assert response.status_code == 400  # ends before it starts
    page = client.get(reverse("ketahanan:rencana_detail", args=[plan.pk])).content.decode()
    assert 'id="kemajuan-angka">0/1<' in page


@pytest.mark.parametrize("who, read, write", [
    ("operator", 200, 302), ("operator_lain", 404, 404), ("pengamat", 200, 403),
    ("staf", 200, 302), ("admin_user", 200, 302), ("staf_lain", 404, 404),
    ("kecamatan", 200, 403)])
def test_who_sees_and_writes_a_plan(client, request, world, who, read, write):
    plan = make_plan()
    kegiatan = make_activity(plan, "Kerja bakti", anggaran=200_000)
    kegiatan.penanggung_jawab.add(world["pkk"])
    client.force_login(request.getfixturevalue(who))
    detail = client.get(reverse("ketahanan:rencana_detail", args=[plan.pk]))
    assert detail.status_code == read
    if read == 200:
        page = detail.content.decode()
        assert "Kerja bakti" in page and "PKK Cibeureum" in page
        assert ('id="kegiatan-baru"' in page) == (write == 302)
    assert client.post(reverse("ketahanan:kegiatan_status", args=[kegiatan.pk]),
                       {"status": "BERJALAN"}).status_code == write
    assert client.post(reverse("ketahanan:kegiatan_edit", args=[kegiatan.pk]),
                       activity_data(world)).status_code == write
    new = client.post(reverse("ketahanan:rencana_new") + f"?wilayah={CIBEUREUM}",
                      {"nama": "Lain", "mulai": "2026-01-01", "selesai": "2026-12-31"})
    assert new.status_code == write
    kegiatan.refresh_from_db()
    assert (kegiatan.status == StatusKegiatan.BERJALAN) == (write == 302)


def test_an_activity_is_paid_by_a_programme_or_a_fund_not_both(client, operator, world):
    plan = make_plan()
    client.force_login(operator)
    response = client.post(reverse("ketahanan:kegiatan_new", args=[plan.pk]), activity_data(
        world, dana_perkumpulan=world["kt"].kode, jenis_dana="IURAN"))
    assert response.status_code == 400
    assert 'id="id_dana_perkumpulan_error"' in response.content.decode()
    assert not KegiatanAksi.objects.exists()
    # A group's fund alone pays.
    response = client.post(reverse("ketahanan:kegiatan_new", args=[plan.pk]), activity_data(
        world, program="", dana_perkumpulan=world["kt"].kode, jenis_dana="IURAN"))
    assert response.status_code == 302
    page = client.get(reverse("ketahanan:rencana_detail", args=[plan.pk])).content.decode()
    assert "Karang Taruna Cibeureum (" in page


def test_an_indicator_of_another_dimension_is_refused(client, operator, world):
    plan = make_plan()
    client.force_login(operator)
    response = client.post(reverse("ketahanan:kegiatan_new", args=[plan.pk]), activity_data(
        world, dimensi="perlindungan", indikator="forum_aktif"))
    assert response.status_code == 400
    assert 'id="id_indikator_error"' in response.content.decode()
    assert not KegiatanAksi.objects.exists()


def test_a_group_of_another_village_is_no_choice(client, operator, world, make_perkumpulan):
    other = make_perkumpulan("MLG-PKK-001", desa=MELONG, nama="PKK Melong")
    plan = make_plan()
    client.force_login(operator)
    response = client.post(reverse("ketahanan:kegiatan_new", args=[plan.pk]), activity_data(
        world, penanggung_jawab=[other.kode]))
    assert response.status_code == 400
    assert not KegiatanAksi.objects.exists()


def test_the_dashboard_counts_the_activities_done(client, operator, operator_lain, world):
    plan = make_plan()
    make_activity(plan, "Satu", status=StatusKegiatan.SELESAI, tanggal_selesai=D(2026, 3, 1))
    make_activity(plan, "Dua", status=StatusKegiatan.BERJALAN)
    make_activity(plan, "Tiga")
    make_activity(plan, "Batal", status=StatusKegiatan.BATAL)
    make_activity(make_plan(desa=MELONG), "Melong", status=StatusKegiatan.SELESAI,
                  tanggal_selesai=D(2026, 3, 1))
    client.force_login(operator)
    url = reverse("ketahanan:rencana_list") + f"?wilayah={CIBEUREUM}"
    response = client.get(reverse("registry:dashboard"))
    card = next(c for c in response.context["cards"] if c[2] == url)
    assert card[1] == 1 and "3" in card[0]
    assert f'href="{url}"' in response.content.decode()


def test_the_dashboard_card_costs_one_query(client, operator, world,
                                            django_assert_num_queries):
    from ketahanan.views.rencana import rencana_card

    plan = make_plan()
    for i in range(5):
        make_activity(plan, f"K{i}")
    request = client.get(reverse("registry:dashboard")).wsgi_request
    request.user = operator
    with django_assert_num_queries(1):
        assert rencana_card(request, None)[1] == 0


def add_activities(plan, world, first, last):
    for i in range(first, last):
        k = make_activity(plan, f"Kegiatan {i}", dimensi=["partisipasi", "perlindungan"][i % 2],
                          anggaran=100_000, program=world["pkh"] if i % 2 else None,
                          dana_perkumpulan=None if i % 2 else world["kt"],
                          jenis_dana="" if i % 2 else "IURAN",
                          status=StatusKegiatan.BERJALAN if i % 3 else StatusKegiatan.BATAL)
        k.penanggung_jawab.add(world["pkk"], world["kt"])


def test_the_plan_page_runs_a_fixed_number_of_queries(client, operator, world,
                                                      django_assert_num_queries):
    plan = make_plan()
    add_activities(plan, world, 0, 2)
    client.force_login(operator)
    url = reverse("ketahanan:rencana_detail", args=[plan.pk])
    client.get(url)
    # the session, the user with their area (what every page reads: base.html), the plan, its
    # activities, their groups, whether the user may write: the same with 2 activities and 10
    for n in (2, 10):
        add_activities(plan, world, 2, n)
        with django_assert_num_queries(6):
            response = client.get(url)
        assert response.content.decode().count('data-status="') == n


def test_the_before_and_after_cost_the_same_with_more_done_activities(client, operator,
                                                                     world):
    """Done activities of the same start and the same monitoring round share their
    computations: the page asks as many queries with 10 of them as with 2."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = make_plan()

    def done(first, last):
        for i in range(first, last):
            make_activity(plan, f"Selesai {i}", dimensi="kearifan_lokal",
                          indikator=["prakarsa_masyarakat", "nilai_gotong_royong"][i % 2],
                          status=StatusKegiatan.SELESAI, tanggal_selesai=D(2026, 3, 1),
                          hasil="Ya")

    done(0, 2)
    client.force_login(operator)
    url = reverse("ketahanan:rencana_detail", args=[plan.pk])
    client.get(url)
    counts = []
    for n in (2, 10):
        done(2, n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.content.decode().count("sebelum-sesudah") == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


# Before and after --------------------------------------------------------------------------
class Seen:
    """What the indicators were asked (area, reference date, moment), answering the day of
    the reference date as every indicator's value."""

    def __init__(self):
        self.calls = []

    def __call__(self, area, acuan, pada=None):
        self.calls.append((area.kode, acuan, pada))
        return type("Hasil", (), {"nilai": lambda _self, key: float(acuan.day)})()


def test_before_and_after_a_done_activity(client, operator, world, monkeypatch):
    """Before: the activity's start, the registry as it stood then; after: the first
    monitoring round after it was done (today's registry when the round's day is today or
    none has come yet); each moment computed once for the page."""
    from ketahanan import indikator
    from ketahanan.models import PutaranPantau
    from ketahanan.views.rencana import sebelum_sesudah
    from registry.lampau import parse_pada

    seen = Seen()
    monkeypatch.setattr(indikator, "hitung", seen, raising=False)
    plan = make_plan()
    done = make_activity(plan, "Pelatihan", indikator="warga_dewasa_anggota",
                         mulai=D(2026, 2, 3), status=StatusKegiatan.SELESAI,
                         tanggal_selesai=D(2026, 3, 1), hasil="Selesai")
    make_activity(plan, "Sama", indikator="perkumpulan_berjejaring", mulai=D(2026, 2, 3),
                  status=StatusKegiatan.SELESAI, tanggal_selesai=D(2026, 3, 2), hasil="Ya")
    make_activity(plan, "Tanpa indikator", status=StatusKegiatan.SELESAI,
                  tanggal_selesai=D(2026, 3, 1), hasil="Ya")
    make_activity(plan, "Berjalan", indikator="warga_dewasa_anggota",
                  status=StatusKegiatan.BERJALAN)
    PutaranPantau.objects.create(wilayah_id="32.77", nama="Sebelum", tanggal=D(2026, 2, 20))
    PutaranPantau.objects.create(wilayah_id="32.77.01", nama="Pantau", tanggal=D(2026, 4, 9))
    PutaranPantau.objects.create(wilayah_id=MELONG, nama="Tetangga", tanggal=D(2026, 3, 15))

    assert sebelum_sesudah(done) == (3.0, 9.0)
    assert seen.calls == [(CIBEUREUM, D(2026, 2, 3), parse_pada(D(2026, 2, 3))),
                          (CIBEUREUM, D(2026, 4, 9), parse_pada(D(2026, 4, 9)))]
    seen.calls.clear()
    client.force_login(operator)
    page = client.get(reverse("ketahanan:rencana_detail", args=[plan.pk])).content.decode()
    # The two done activities naming an indicator, its values as the indicator page shows them.
    assert page.count("3,00 → 9,00") == 2
    assert len(seen.calls) == 2  # the same two moments for both

    PutaranPantau.objects.filter(nama="Pantau").delete()
    seen.calls.clear()
    today = timezone.localdate()
    assert sebelum_sesudah(done)[1] == float(today.day)
    assert seen.calls[-1] == (CIBEUREUM, today, None)  # today's registry


def test_no_before_and_after_for_an_activity_not_done(world):
    from ketahanan.views.rencana import sebelum_sesudah

    plan = make_plan()
    assert sebelum_sesudah(make_activity(plan, "Jalan", indikator="warga_dewasa_anggota",
                                         status=StatusKegiatan.BERJALAN)) == (None, None)


def test_before_and_after_computed_from_the_registry(client, operator, make_perkumpulan):
    """The groups were registered today: at the activity's start the registry held none (no
    denominator: no value), today two of the three active groups are of the community's
    initiative."""
    make_perkumpulan("CBR-DW-001", prakarsa="MASYARAKAT")
    make_perkumpulan("CBR-KT-001", jenis="KT", prakarsa="MASYARAKAT")
    make_perkumpulan("CBR-BKR-001", jenis="BKR", prakarsa="PEMERINTAH")
    from ketahanan.views.rencana import sebelum_sesudah

    plan = make_plan()
    done = make_activity(plan, "Musyawarah warga", dimensi="kearifan_lokal",
                         indikator="prakarsa_masyarakat", mulai=D(2026, 2, 1),
                         status=StatusKegiatan.SELESAI, tanggal_selesai=D(2026, 3, 1),
                         hasil="Dua kelompok baru")
    assert sebelum_sesudah(done) == (None, 66.67)
    client.force_login(operator)
    page = client.get(reverse("ketahanan:rencana_detail", args=[plan.pk])).content.decode()
    assert "– → 66,67" in page
