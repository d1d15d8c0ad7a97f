"""The rounds' own pages: the list of rounds, the round form (who may open and change a round,
its errors), the progress by village (stages, dates, item counts, late; what each role sees; the
filters; a fixed number of queries whatever the district's size) and the difference between what
a village proposed and what was accepted.

The world: Kota Cimahi (32.77: Cimahi Selatan's 5 villages, Cimahi Tengah's 6, Cimahi Utara's 4).
In the round: Cibeureum approved, Melong submitted (one item returned), Utama verified,
Leuwigajah with a list not yet submitted, every other village without a list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import Tingkat, Wilayah
from tests.conftest import CIBEUREUM, MELONG, today
from verifikasi.models import ItemUsulan, Putaran, StatusItem, Tahap, UsulanDesa

D = datetime.date
UTAMA = "32.77.01.1003"
LEUWIGAJAH = "32.77.01.1004"
CIBEBER = "32.77.01.1005"
BAROS = "32.77.02.1001"


def make_round(staf=None, wilayah="32.77", late=False, nama="Verifikasi 2026", **fields):
    """A round of the district; `late`: every deadline has passed."""
    shift = -30 if late else 0
    values = dict(
        nama=nama, wilayah_id=wilayah, mulai=D(today().year, 1, 1), selesai=D(today().year, 12, 31),
        batas_usulan=today() + datetime.timedelta(7 + shift),
        batas_verifikasi=today() + datetime.timedelta(14 + shift),
        batas_persetujuan=today() + datetime.timedelta(21 + shift), dibuat_oleh=staf)
    values.update(fields)
    return Putaran.objects.create(**values)


def submit(putaran, kode, user):
    usulan = putaran.usulan_desa(Wilayah.objects.get(pk=kode))
    usulan.musdes_tanggal = today()
    usulan.musdes_tempat = "Balai Desa"
    usulan.musdes_hadir = 30
    usulan.ajukan(user)
    return usulan


def verify(usulan, kecamatan):
    for item in usulan.items.all():
        item.terima(kecamatan)
    usulan.verifikasi(kecamatan)


@pytest.fixture
def putaran(staf):
    return make_round(staf)


@pytest.fixture
def stages(putaran, operator, kecamatan, staf, make_perkumpulan):
    """Cibeureum approved (1 item), Melong submitted (2 items: 1 returned, 1 awaiting), Utama
    verified (1 item), Leuwigajah's list made but not submitted."""
    make_perkumpulan("CBR-DW-001")
    make_perkumpulan("MLG-DW-001", desa=MELONG)
    make_perkumpulan("MLG-DW-002", desa=MELONG)
    make_perkumpulan("UTM-DW-001", desa=UTAMA)
    cibeureum = submit(putaran, CIBEUREUM, operator)
    verify(cibeureum, kecamatan)
    cibeureum.setujui(staf)
    melong = submit(putaran, MELONG, operator)
    melong.items.order_by("label").first().kembalikan(kecamatan, "Alamat tidak lengkap")
    verify(submit(putaran, UTAMA, operator), kecamatan)
    putaran.usulan_desa(Wilayah.objects.get(pk=LEUWIGAJAH))
    return putaran


def rows(response) -> dict[str, dict]:
    """The village rows of a progress page: {code: {"tahap", "terlambat", counts}}."""
    found = {}
    for group in response.context["groups"]:
        for r in group["rows"]:
            found[r.desa.kode] = {"tahap": r.tahap, "terlambat": r.terlambat,
                                  "counts": (r.menunggu, r.diterima, r.dikembalikan)}
    return found


def totals(response) -> dict[str, int]:
    return {value: n for value, _label, n, _pct in response.context["totals"]["tahap"]}


# The list of rounds ---------------------------------------------------------------------------
def test_the_list_shows_the_rounds_of_the_area_newest_first(client, staf, staf_lain):
    old = make_round(staf, nama="Verifikasi 2025", mulai=D(today().year - 1, 1, 1),
                     selesai=D(today().year - 1, 12, 31))
    new = make_round(staf)
    bandung = make_round(staf_lain, wilayah="32.73", nama="Verifikasi Bandung")
    client.force_login(staf)
    response = client.get(reverse("verifikasi:putaran_list"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"].object_list] == [new.pk, old.pk]
    assert reverse("verifikasi:putaran_new").encode() in response.content
    assert bandung.nama.encode() not in response.content
    # Every village of Kota Cimahi is yet to submit.
    shown = response.context["page"].object_list[0]
    assert shown.tahap[Tahap.BELUM] == 15 and shown.jumlah_desa == 15


@pytest.mark.parametrize("who", ["operator", "kecamatan", "pengamat"])
def test_the_list_has_no_open_button_for_who_may_not_run_rounds(client, request, who, stages):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("verifikasi:putaran_list"))
    assert response.status_code == 200
    assert stages.nama.encode() in response.content
    assert reverse("verifikasi:putaran_new").encode() not in response.content
    shown = response.context["page"].object_list[0]
    # Counts of the user's own area: the operator's one village (approved), the kecamatan's five.
    expected = {"operator": {Tahap.DISETUJUI: 1, Tahap.BELUM: 0},
                "kecamatan": {Tahap.DISETUJUI: 1, Tahap.DIAJUKAN: 1, Tahap.DIVERIFIKASI: 1,
                              Tahap.BELUM: 2},
                "pengamat": {Tahap.DISETUJUI: 1, Tahap.DIAJUKAN: 1, Tahap.DIVERIFIKASI: 1,
                             Tahap.BELUM: 12}}[who]
    assert {k: shown.tahap[k] for k in expected} == expected


def test_the_list_query_count_is_fixed(client, staf, django_assert_max_num_queries):
    for i in range(12):
        make_round(staf, nama=f"Putaran {i}")
    client.force_login(staf)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("verifikasi:putaran_list")).status_code == 200


# The form -------------------------------------------------------------------------------------
@pytest.mark.parametrize("who, status", [
    ("operator", 403), ("kecamatan", 403), ("pengamat", 403), ("staf", 200), ("staf_lain", 200),
    ("admin_user", 200)])
def test_who_may_open_a_round(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("verifikasi:putaran_new")).status_code == status


@pytest.mark.parametrize("who, status", [
    ("operator", 403), ("kecamatan", 403), ("pengamat", 403), ("staf", 200), ("staf_lain", 404),
    ("admin_user", 200)])
def test_who_may_change_a_round(client, request, putaran, who, status):
    client.force_login(request.getfixturevalue(who))
    url = reverse("verifikasi:putaran_edit", args=[putaran.pk])
    assert client.get(url).status_code == status
    response = client.post(url, {"nama": "Diubah", "mulai": "2026-01-01"})
    assert response.status_code in ((400, 409) if status == 200 else (status,))
    putaran.refresh_from_db()
    assert putaran.nama == "Verifikasi 2026"


def form_data(**changes) -> dict:
    data = {"nama": "Verifikasi Semester I", "wilayah": "32.77", "mulai": "2026-01-01",
            "selesai": "2026-06-30", "cakup_perkumpulan": "on", "cakup_pmks": "on",
            "batas_usulan": "2026-07-15", "batas_verifikasi": "2026-07-31",
            "batas_persetujuan": "2026-08-15", "catatan": "Musdes paling lambat 10 Juli"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_open_a_round_of_their_district(client, staf):
    client.force_login(staf)
    form = client.get(reverse("verifikasi:putaran_new")).context["form"]
    assert form["wilayah"].value() == "32.77"
    assert [w.kode for w in form.fields["wilayah"].queryset] == ["32.77"]
    response = client.post(reverse("verifikasi:putaran_new"), form_data())
    putaran = Putaran.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("verifikasi:putaran_detail", args=[putaran.pk])
    assert (putaran.wilayah_id, putaran.dibuat_oleh, putaran.cakup_penerima) == \
        ("32.77", staf, False)
    assert putaran.batas_persetujuan == D(2026, 8, 15)


def test_deadlines_in_the_wrong_order_are_refused(client, staf):
    client.force_login(staf)
    response = client.post(reverse("verifikasi:putaran_new"),
                           form_data(batas_verifikasi="2026-07-10",
                                     batas_persetujuan="2026-07-01"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"batas_verifikasi", "batas_persetujuan"}
    assert b'role="alert"' in response.content
    assert not Putaran.objects.exists()


@pytest.mark.parametrize("changes, field", [
    ({"selesai": "2025-12-31"}, "selesai"),
    ({"cakup_perkumpulan": None, "cakup_pmks": None}, "cakup_perkumpulan"),
    ({"wilayah": "32.73"}, "wilayah"),
    ({"wilayah": "32.77.01"}, "wilayah"),
])
def test_other_errors_of_the_form(client, staf, changes, field):
    client.force_login(staf)
    response = client.post(reverse("verifikasi:putaran_new"), form_data(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Putaran.objects.exists()


def test_a_province_staff_picks_one_of_its_districts(client, db):
    from tests.conftest import make_user

    provinsi = make_user("staf_jabar", "staf", "32")
    client.force_login(provinsi)
    form = client.get(reverse("verifikasi:putaran_new")).context["form"]
    assert form["wilayah"].value() is None
    kodes = [w.kode for w in form.fields["wilayah"].queryset]
    assert "32.77" in kodes and "32.73" in kodes and all(k.startswith("32.") for k in kodes)
    client.post(reverse("verifikasi:putaran_new"), form_data(wilayah="32.73"))
    assert Putaran.objects.get().wilayah_id == "32.73"


def test_changing_a_round_keeps_its_district(client, staf, putaran):
    client.force_login(staf)
    url = reverse("verifikasi:putaran_edit", args=[putaran.pk])
    form = client.get(url).context["form"]
    data = {**form_data(nama="Verifikasi 2026 (diperpanjang)", wilayah="32.73",
                        batas_usulan=str(putaran.batas_usulan),
                        batas_verifikasi=str(putaran.batas_verifikasi),
                        batas_persetujuan=str(putaran.batas_persetujuan + datetime.timedelta(5)),
                        mulai=str(putaran.mulai), selesai=str(putaran.selesai)),
            "versi": form["versi"].value()}
    response = client.post(url, data)
    assert response.status_code == 302
    putaran.refresh_from_db()
    assert putaran.nama == "Verifikasi 2026 (diperpanjang)"
    assert putaran.wilayah_id == "32.77"


# The progress page ----------------------------------------------------------------------------
def test_progress_shows_each_village_stage_counts_and_totals(client, staf, stages):
    client.force_login(staf)
    response = client.get(reverse("verifikasi:putaran_detail", args=[stages.pk]))
    assert response.status_code == 200
    found = rows(response)
    assert len(found) == 15
    assert found[CIBEUREUM] == {"tahap": Tahap.DISETUJUI, "terlambat": False,
                                "counts": (0, 1, 0)}
    assert found[MELONG] == {"tahap": Tahap.DIAJUKAN, "terlambat": False, "counts": (1, 0, 1)}
    assert found[UTAMA] == {"tahap": Tahap.DIVERIFIKASI, "terlambat": False,
                            "counts": (0, 1, 0)}
    assert found[LEUWIGAJAH]["tahap"] == found[BAROS]["tahap"] == Tahap.BELUM
    assert totals(response) == {Tahap.BELUM: 12, Tahap.DIAJUKAN: 1, Tahap.DIVERIFIKASI: 1,
                                Tahap.DISETUJUI: 1}
    content = response.content.decode()
    # Each village links to its list and, once submitted, to what was proposed and approved.
    assert reverse("verifikasi:usulan_detail", args=[stages.pk, BAROS]) in content
    assert reverse("verifikasi:usulan_selisih", args=[stages.pk, CIBEUREUM]) in content
    assert reverse("verifikasi:usulan_selisih", args=[stages.pk, BAROS]) not in content
    # The kecamatan's bars: Cimahi Selatan has villages in every stage.
    selatan = next(k for k in response.context["per_kecamatan"]
                   if k["kecamatan"].kode == "32.77.01")
    assert [s["tahap"] for s in selatan["bar"]] == list(Tahap.values)
    assert 'id="kecamatan-32.77.01"' in content and "<svg" in content
    assert reverse("verifikasi:putaran_edit", args=[stages.pk]) in content


def test_late_villages_at_each_stage(client, staf, operator, kecamatan, make_perkumpulan):
    """Every deadline has passed: a village without a list or not submitted is late, a submitted
    list not verified is late, a verified list not approved is late; an approved one is not."""
    putaran = make_round(staf, late=True)
    make_perkumpulan("CBR-DW-001")
    cibeureum = submit(putaran, CIBEUREUM, operator)
    verify(cibeureum, kecamatan)
    cibeureum.setujui(staf)
    submit(putaran, MELONG, operator)
    verify(submit(putaran, UTAMA, operator), kecamatan)
    putaran.usulan_desa(Wilayah.objects.get(pk=LEUWIGAJAH))
    client.force_login(staf)
    url = reverse("verifikasi:putaran_detail", args=[putaran.pk])
    found = rows(client.get(url))
    assert {k: found[k]["terlambat"] for k in (CIBEUREUM, MELONG, UTAMA, LEUWIGAJAH, BAROS)} == {
        CIBEUREUM: False, MELONG: True, UTAMA: True, LEUWIGAJAH: True, BAROS: True}
    late = client.get(url, {"terlambat": "1"})
    assert CIBEUREUM not in rows(late) and len(rows(late)) == 14
    assert late.context["totals"]["terlambat"] == 14
    assert b'data-terlambat="1"' in late.content


def test_nothing_is_late_before_the_deadlines(client, staf, stages):
    client.force_login(staf)
    response = client.get(reverse("verifikasi:putaran_detail", args=[stages.pk]),
                          {"terlambat": "1"})
    assert rows(response) == {}
    assert response.context["totals"]["terlambat"] == 0


def test_a_list_submitted_after_its_deadline_stays_late(client, staf, operator,
                                                        make_perkumpulan):
    putaran = make_round(staf, batas_usulan=today() - datetime.timedelta(1))
    make_perkumpulan("CBR-DW-001")
    submit(putaran, CIBEUREUM, operator)
    client.force_login(staf)
    found = rows(client.get(reverse("verifikasi:putaran_detail", args=[putaran.pk])))
    assert found[CIBEUREUM] == {"tahap": Tahap.DIAJUKAN, "terlambat": True, "counts": (1, 0, 0)}


@pytest.mark.parametrize("who, villages", [
    ("operator", {CIBEUREUM}),
    ("kecamatan", {MELONG, CIBEUREUM, UTAMA, LEUWIGAJAH, CIBEBER}),
    ("staf", None), ("pengamat", None), ("admin_user", None),
])
def test_each_role_sees_the_villages_of_its_area(client, request, stages, who, villages):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("verifikasi:putaran_detail", args=[stages.pk]))
    assert response.status_code == 200
    shown = set(rows(response))
    assert shown == villages if villages else len(shown) == 15
    # The totals are the whole district's for everyone.
    assert totals(response)[Tahap.BELUM] == 12
    diff = reverse("verifikasi:usulan_selisih", args=[stages.pk, CIBEUREUM]).encode()
    assert (diff in response.content) == (who != "pengamat")
    # Stages and counts, never who took a step.
    assert b"operator_cibeureum" not in response.content
    assert b"tksk_cimahi_selatan" not in response.content


def test_a_round_of_another_district_is_not_found(client, staf_lain, kecamatan_lain, stages):
    client.force_login(staf_lain)
    assert client.get(reverse("verifikasi:putaran_detail", args=[stages.pk])).status_code == 404
    client.force_login(kecamatan_lain)
    response = client.get(reverse("verifikasi:putaran_detail", args=[stages.pk]))
    assert set(rows(response)) == {f"32.77.02.100{i}" for i in range(1, 7)}


def test_the_filters(client, staf, stages):
    client.force_login(staf)
    url = reverse("verifikasi:putaran_detail", args=[stages.pk])
    assert set(rows(client.get(url, {"tahap": "DISETUJUI"}))) == {CIBEUREUM}
    assert set(rows(client.get(url, {"tahap": "DIAJUKAN"}))) == {MELONG}
    assert len(rows(client.get(url, {"kecamatan": "32.77.02"}))) == 6
    assert set(rows(client.get(url, {"kecamatan": "32.77.01", "tahap": "BELUM"}))) == {
        LEUWIGAJAH, CIBEBER}
    for bad in ({"tahap": "SELESAI"}, {"kecamatan": "32.73.01"}):
        response = client.get(url, bad)
        assert response.status_code == 400
        assert rows(response) == {}


def test_an_operator_cannot_filter_another_kecamatan(client, operator, stages):
    client.force_login(operator)
    response = client.get(reverse("verifikasi:putaran_detail", args=[stages.pk]),
                          {"kecamatan": "32.77.02"})
    assert response.status_code == 400


def district(kode: str, villages: int) -> None:
    """A synthetic kabupaten `kode` of province 32 with `villages` villages, 15 a kecamatan."""
    Wilayah.objects.create(kode=kode, nama=f"Kabupaten Uji {kode}", tingkat=Tingkat.KABUPATEN,
                           induk_id="32", provinsi_id="32")
    for k in range((villages + 14) // 15):
        kec = f"{kode}.{k + 1:02d}"
        Wilayah.objects.create(kode=kec, nama=f"Kecamatan {kec}", tingkat=Tingkat.KECAMATAN,
                               induk_id=kode, provinsi_id="32", kabupaten_id=kode)
        Wilayah.objects.bulk_create([
            Wilayah(kode=f"{kec}.{2001 + i}", nama=f"Desa {kec}.{i}", tingkat=Tingkat.DESA,
                    induk_id=kec, provinsi_id="32", kabupaten_id=kode, kecamatan_id=kec)
            for i in range(min(15, villages - 15 * k))])


def fill(putaran: Putaran, items: int = 5) -> None:
    """A list for every village of the round, in every stage by turns, with items by turns
    awaiting, accepted and returned."""
    stages_ = list(Tahap)
    lists = UsulanDesa.objects.bulk_create([
        UsulanDesa(putaran=putaran, desa=desa, tahap=stages_[i % 4])
        for i, desa in enumerate(putaran.desa())])
    statuses = list(StatusItem)
    ItemUsulan.objects.bulk_create([
        ItemUsulan(usulan=u, jenis="PERKUMPULAN", kunci=f"PERKUMPULAN:{j}", objek_id=j,
                   label=f"Kelompok {j}", perubahan="BARU", status=statuses[j % 3])
        for u in lists for j in range(items)])


def test_progress_runs_the_same_queries_at_3_and_30_villages(client, staf,
                                                             django_assert_max_num_queries):
    from tests.conftest import make_user

    district("32.98", 3)
    district("32.97", 30)
    small, big = make_round(wilayah="32.98"), make_round(wilayah="32.97")
    fill(small)
    fill(big)
    client.force_login(make_user("staf_provinsi", "staf", "32"))
    counts = {}
    for putaran, villages in ((small, 3), (big, 30)):
        url = reverse("verifikasi:putaran_detail", args=[putaran.pk])
        client.get(url)  # the session and the user, as on every later request
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert len(rows(response)) == villages
        assert sum(r["counts"][0] for r in rows(response).values()) > 0
        counts[villages] = len(captured)
    assert counts[3] == counts[30]
    with django_assert_max_num_queries(8):
        client.get(reverse("verifikasi:putaran_detail", args=[big.pk]))


# What was proposed, what was accepted ---------------------------------------------------------
@pytest.fixture
def diff(putaran, operator, kecamatan, make_perkumpulan):
    """Cibeureum's list: CBR-DW-001 returned (founding year), fixed and submitted again;
    CBR-DW-002 returned and left so; CBR-DW-003 accepted as proposed; CBR-DW-004 added after
    the first submission."""
    first = make_perkumpulan("CBR-DW-001")
    make_perkumpulan("CBR-DW-002", nama="Posyandu Mawar")
    make_perkumpulan("CBR-DW-003")
    usulan = submit(putaran, CIBEUREUM, operator)
    items = {i.label.split()[0]: i for i in usulan.items.all()}
    items["CBR-DW-001"].kembalikan(kecamatan, "Tahun berdiri salah")
    items["CBR-DW-002"].kembalikan(kecamatan, "Nama kelompok tidak sesuai SK")
    items["CBR-DW-003"].terima(kecamatan)
    first.tahun_berdiri = 2001
    first.save()
    make_perkumpulan("CBR-DW-004")
    assert usulan.perbarui(operator, "Sudah diperbaiki") == (1, 1)
    return usulan


def test_the_difference_page(client, kecamatan, diff):
    client.force_login(kecamatan)
    response = client.get(reverse("verifikasi:usulan_selisih", args=[diff.putaran_id,
                                                                     CIBEUREUM]))
    assert response.status_code == 200
    items = {i.label.split()[0]: i for i in response.context["items"]}
    assert items["CBR-DW-001"].perbedaan == [("tahun_berdiri", "2000", "2001")]
    assert items["CBR-DW-001"].status == StatusItem.DIAJUKAN
    assert items["CBR-DW-002"].perbedaan == []
    assert items["CBR-DW-002"].status == StatusItem.DIKEMBALIKAN
    assert [k for k, i in items.items() if i.ditambah_kemudian] == ["CBR-DW-004"]
    assert response.context["changed"] == 1 and response.context["later"] == 1
    content = response.content.decode()
    assert "Nama kelompok tidak sesuai SK" in content
    assert '<td class="awal">2000</td><td class="akhir">2001</td>' in content
    assert content.count('class="badge ditambah"') == 1


def test_the_difference_once_approved(client, staf, operator, kecamatan, putaran,
                                      make_perkumpulan):
    group = make_perkumpulan("CBR-DW-001")
    usulan = submit(putaran, CIBEUREUM, operator)
    usulan.items.get().kembalikan(kecamatan, "Tahun berdiri salah")
    group.tahun_berdiri = 1999
    group.save()
    usulan.perbarui(operator)
    verify(usulan, kecamatan)
    usulan.setujui(staf)
    client.force_login(staf)
    response = client.get(reverse("verifikasi:usulan_selisih", args=[putaran.pk, CIBEUREUM]))
    assert response.context["approved"]
    item = response.context["items"][0]
    assert (item.status, item.perbedaan) == (StatusItem.DITERIMA,
                                             [("tahun_berdiri", "2000", "1999")])


@pytest.mark.parametrize("who, status", [
    ("operator", 200), ("operator_lain", 404), ("kecamatan", 200), ("kecamatan_lain", 404),
    ("staf", 200), ("staf_lain", 404), ("pengamat", 403), ("admin_user", 200)])
def test_who_may_see_the_difference(client, request, diff, who, status):
    client.force_login(request.getfixturevalue(who))
    url = reverse("verifikasi:usulan_selisih", args=[diff.putaran_id, CIBEUREUM])
    assert client.get(url).status_code == status


def test_the_difference_of_a_village_without_a_list(client, staf, putaran):
    client.force_login(staf)
    response = client.get(reverse("verifikasi:usulan_selisih", args=[putaran.pk, BAROS]))
    assert response.status_code == 200
    assert b'id="selisih-kosong"' in response.content
    # A village outside the round's district, or no village at all.
    for kode in ("32.73.01.1001", "32.77.01", "bukan-kode"):
        url = reverse("verifikasi:usulan_selisih", args=[putaran.pk, kode])
        assert client.get(url).status_code == 404


# The dashboard and the admin -----------------------------------------------------------------
def test_the_dashboard_counts_the_open_rounds(client, staf, putaran):
    make_round(staf, late=True, nama="Putaran lalu")
    client.force_login(staf)
    response = client.get(reverse("registry:dashboard"))
    card = next(c for c in response.context["cards"]
                if c[2] == reverse("verifikasi:putaran_list"))
    assert card[1] == 1


@pytest.mark.parametrize("who, add, change", [
    ("staf", 200, 200), ("operator", 403, 403), ("kecamatan", 403, 403), ("pengamat", 403, 403),
    ("staf_lain", 200, 302), ("admin_user", 200, 200)])
def test_the_admin_of_rounds(client, request, putaran, who, add, change):
    """Dinas Sosial opens and changes its district's rounds; the other roles of the district
    see a round read-only (a save is refused); staff of another district do not find it (the
    admin goes back to its index)."""
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("admin:verifikasi_putaran_add")).status_code == add
    url = reverse("admin:verifikasi_putaran_change", args=[putaran.pk])
    assert client.get(url).status_code == (200 if change == 403 else change)
    data = {"nama": "Diubah di admin", "mulai": "2026-01-01", "selesai": "2026-12-31",
            "cakup_pmks": "on", "batas_usulan": "2026-07-01", "batas_verifikasi": "2026-07-15",
            "batas_persetujuan": "2026-08-01", "catatan": ""}
    response = client.post(url, data)
    putaran.refresh_from_db()
    if change == 200:
        assert response.status_code == 302
        assert putaran.nama == "Diubah di admin"
    else:
        assert response.status_code == change
        assert putaran.nama == "Verifikasi 2026"


def test_the_admin_shows_a_list_read_only(client, staf, pengamat, stages):
    usulan = UsulanDesa.objects.get(putaran=stages, desa=MELONG)
    url = reverse("admin:verifikasi_usulandesa_change", args=[usulan.pk])
    client.force_login(staf)
    response = client.get(url)
    assert response.status_code == 200
    assert b"Alamat tidak lengkap" in response.content
    assert client.post(url, {"tahap": "DISETUJUI"}).status_code == 403
    usulan.refresh_from_db()
    assert usulan.tahap == Tahap.DIAJUKAN
    client.force_login(pengamat)
    response = client.get(url)
    assert response.status_code == 200
    assert b"Alamat tidak lengkap" not in response.content
