"""The recap "as approved in round R": approval keeps the village's counts; the live recap moves
on, the approved one does not; villages join it as they are approved; the page's ?putaran= and the
command's --putaran give the same numbers; unknown or unseen rounds are refused."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from pmks.models import KasusPMKS, KategoriPMKS, StatusKasus
from registry import rekap
from registry.models import Wilayah
from tests.conftest import CIBEUREUM, MELONG
from verifikasi.models import Putaran, Tahap

URL = "/rekap/"
KEC = "32.77.01"  # Cibeureum's and Melong's kecamatan
KEC_LAIN = "32.77.02"
KOTA = "32.77"
DESA_KEC_LAIN = "32.77.02.1001"


def make_round(nama="Verifikasi 2026", wilayah=KOTA, **fields):
    today = timezone.localdate()
    return Putaran.objects.create(
        nama=nama, wilayah_id=wilayah, mulai=today.replace(month=1, day=1),
        selesai=today.replace(month=12, day=31), batas_usulan=today + datetime.timedelta(7),
        batas_verifikasi=today + datetime.timedelta(14),
        batas_persetujuan=today + datetime.timedelta(21), **fields)


@pytest.fixture
def putaran(staf):
    return make_round(dibuat_oleh=staf)


def approve(putaran, desa, operator, kecamatan, staf):
    usulan = putaran.usulan_desa(Wilayah.objects.get(pk=desa))
    usulan.musdes_tanggal = timezone.localdate()
    usulan.musdes_tempat = "Balai Desa"
    usulan.musdes_hadir = 30
    usulan.ajukan(operator)
    for item in usulan.items.all():
        item.terima(kecamatan)
    usulan.verifikasi(kecamatan)
    usulan.setujui(staf)
    assert usulan.tahap == Tahap.DISETUJUI
    return usulan


def kasus(desa=CIBEUREUM, kategori=0, **fields):
    return KasusPMKS.objects.create(
        nama=fields.pop("nama", "Ujang"), desa_id=desa,
        kategori=KategoriPMKS.objects.order_by("urutan")[kategori], **fields)


@pytest.fixture
def cibeureum_data(make_perkumpulan):
    """Cibeureum: 2 Dasa Wisma and a Posyandu; an open case accompanied by one of them, an
    open one not accompanied, a closed one. Melong: a Karang Taruna and an open case."""
    dw1 = make_perkumpulan("CBR-DW-001", tahun_berdiri=1990)
    make_perkumpulan("CBR-DW-002", tahun_berdiri=2020)
    make_perkumpulan("CBR-PY-001", jenis="POSYANDU")
    make_perkumpulan("MLG-KT-001", desa=MELONG, jenis="KT")
    make_perkumpulan("CTG-DW-001", desa=DESA_KEC_LAIN)
    cases = {
        "didampingi": kasus(nama="Icih", pendamping=dw1),
        "terbuka": kasus(nama="Entis", kategori=1),
        "selesai": kasus(nama="Asep", status=StatusKasus.SELESAI),
        "melong": kasus(desa=MELONG, nama="Dadang"),
    }
    return {"dw1": dw1, **cases}


def build(kode, putaran=None, sensitive=True) -> dict:
    area = Wilayah.objects.get(pk=kode)
    sumber = (rekap.REKAP_SOURCES["putaran"].open(putaran.pk, area)
              if putaran is not None else None)
    return rekap.build(area, 2026, sensitive=sensitive, sumber=sumber).as_dict()


def table(data: dict, nomor: int) -> dict | None:
    return next((t for t in data["tabel"] if t["nomor"] == nomor), None)


def by_code(data: dict, nomor: int) -> dict:
    return {r["kode"]: r["nilai"] for r in table(data, nomor)["baris"]}


def test_the_approved_recap_keeps_what_was_approved(
        putaran, operator, kecamatan, staf, make_perkumpulan, cibeureum_data):
    approve(putaran, CIBEUREUM, operator, kecamatan, staf)
    approved = build(CIBEUREUM, putaran)
    assert approved["jumlah_perkumpulan"] == 3
    assert by_code(approved, 1) == {"DW": [1, 1], "POSYANDU": [0, 1]}
    assert by_code(approved, 11) == {"DIDAMPINGI": [1], "BELUM": [1]}
    assert table(approved, 10)["total"]["nilai"] == [2, 0, 0, 1, 0]
    assert approved["putaran"] == {
        "id": putaran.pk, "nama": "Verifikasi 2026", "desa_disetujui": 1, "desa_semua": 1,
        "tabel_tidak_termasuk": approved["putaran"]["tabel_tidak_termasuk"],
        "catatan": approved["putaran"]["catatan"]}
    # The village's live data moves on: a group added, one closed, a case closed.
    make_perkumpulan("CBR-KT-001", jenis="KT")
    dw1 = cibeureum_data["dw1"]
    dw1.aktif = False
    dw1.save()
    entis = cibeureum_data["terbuka"]
    entis.status = StatusKasus.DITANGANI
    entis.pendamping = make_perkumpulan("CBR-DW-003")
    entis.save()
    live = build(CIBEUREUM)
    assert live["jumlah_perkumpulan"] == 4
    assert by_code(live, 1) == {"DW": [1, 1], "POSYANDU": [0, 1], "KT": [0, 1]}
    assert by_code(live, 11) == {"DIDAMPINGI": [2]}
    assert build(CIBEUREUM, putaran) == approved


def test_villages_join_as_they_are_approved_and_sum_up_the_levels(
        putaran, operator, operator_lain, kecamatan, staf, cibeureum_data):
    approve(putaran, CIBEUREUM, operator, kecamatan, staf)
    kec = build(KEC, putaran)
    assert kec["jumlah_perkumpulan"] == 3  # Melong not approved yet: not counted
    assert kec["putaran"]["desa_disetujui"] == 1
    assert kec["putaran"]["desa_semua"] == Wilayah.objects.filter(kecamatan=KEC).count()
    assert "KT" not in by_code(kec, 1)
    approve(putaran, MELONG, operator_lain, kecamatan, staf)
    kec = build(KEC, putaran)
    assert kec["jumlah_perkumpulan"] == 4
    assert by_code(kec, 1) == {"DW": [1, 1], "POSYANDU": [0, 1], "KT": [0, 1]}
    assert by_code(kec, 11) == {"DIDAMPINGI": [1], "BELUM": [2]}
    assert kec["putaran"]["desa_disetujui"] == 2
    city = build(KOTA, putaran)
    # The other kecamatan's group is live only: its village is not approved.
    assert build(KOTA)["jumlah_perkumpulan"] == 5
    assert city["jumlah_perkumpulan"] == 4
    assert city["putaran"]["desa_semua"] == Wilayah.objects.filter(
        kabupaten=KOTA, tingkat="desa").count()
    assert [t["nomor"] for t in city["tabel"]] == [t["nomor"] for t in kec["tabel"]]
    assert build(KEC_LAIN, putaran)["jumlah_perkumpulan"] == 0
    # The province's recap as approved: the round's villages within it.
    assert build("32", putaran)["jumlah_perkumpulan"] == 4


def test_the_tables_not_kept_at_approval_are_left_out_with_a_note(
        putaran, operator, kecamatan, staf, cibeureum_data):
    approve(putaran, CIBEUREUM, operator, kecamatan, staf)
    approved = build(CIBEUREUM, putaran)
    numbers = {t["nomor"] for t in approved["tabel"]}
    assert numbers <= set(range(1, 12))
    assert {1, 10, 11} <= numbers
    left_out = approved["putaran"]["tabel_tidak_termasuk"]
    assert {12, 13, 14, 15, 16, 17} <= set(left_out)
    assert "13" in approved["putaran"]["catatan"]
    assert "profil" not in approved


def test_a_round_without_pmks_keeps_no_pmks_tables(operator, kecamatan, staf, cibeureum_data):
    putaran = make_round(cakup_pmks=False, cakup_penerima=False)
    approve(putaran, CIBEUREUM, operator, kecamatan, staf)
    approved = build(CIBEUREUM, putaran)
    assert table(approved, 10) is None and table(approved, 1) is not None
    assert {10, 11} <= set(approved["putaran"]["tabel_tidak_termasuk"])


def test_without_the_option_the_json_is_unchanged(putaran, operator, kecamatan, staf,
                                                  cibeureum_data, capsys):
    def command(*extra):
        call_command("rekap", "--wilayah", KEC, "--tahun-acuan", "2026", *extra)
        return capsys.readouterr().out

    before = command()
    approve(putaran, CIBEUREUM, operator, kecamatan, staf)
    assert command() == before
    assert "putaran" not in json.loads(before)
    assert json.loads(command("--putaran", str(putaran.pk)))["putaran"]["desa_disetujui"] == 1


def page(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_the_command_and_the_page_give_the_same_numbers(
        client, putaran, operator, operator_lain, kecamatan, staf, cibeureum_data, capsys):
    approve(putaran, CIBEUREUM, operator, kecamatan, staf)
    approve(putaran, MELONG, operator_lain, kecamatan, staf)
    call_command("rekap", "--wilayah", KEC, "--tahun-acuan", "2026", "--putaran",
                 str(putaran.pk))
    from_command = json.loads(capsys.readouterr().out)
    response = page(client, kecamatan, wilayah=KEC, tahun=2026, putaran=putaran.pk)
    assert response.status_code == 200
    assert response.context["rekap"].as_dict() == from_command
    html = response.content.decode()
    assert "Verifikasi 2026" in html and "rekap-sumber" in html
    # The links to the villages and the download keep the round.
    assert f"wilayah={CIBEUREUM}&amp;tahun=2026&amp;putaran={putaran.pk}" in html
    assert f"/rekap/xlsx/?wilayah={KEC}&amp;tahun=2026&amp;putaran={putaran.pk}" in html or \
        f"tahun=2026&amp;putaran={putaran.pk}\"" in html
    # The sub-area comparison counts the approved villages only.
    rows = {r["wilayah"].kode: r["jumlah"] for r in response.context["compare_rows"]
            if r["wilayah"]}
    assert rows[CIBEUREUM] == 3 and rows[MELONG] == 1
    # The text output says which round.
    call_command("rekap", "--wilayah", KEC, "--tahun-acuan", "2026", "--putaran",
                 str(putaran.pk), "--format", "text")
    text = capsys.readouterr().out
    assert "Verifikasi 2026" in text and "2" in text.splitlines()[1]


def test_the_page_offers_the_rounds_with_approved_villages(
        client, putaran, operator, kecamatan, staf, cibeureum_data):
    make_round(nama="Putaran Kosong")  # nothing approved in it
    html = page(client, staf, wilayah=KEC, tahun=2026).content.decode()
    assert "Verifikasi 2026" not in html
    approve(putaran, CIBEUREUM, operator, kecamatan, staf)
    response = page(client, staf, wilayah=KEC, tahun=2026)
    assert [p for p in response.context["pickers"] if p["param"] == "putaran"] == [
        {"param": "putaran", "choices": [(putaran.pk, "Verifikasi 2026")], "input": "",
         "selected": None}]
    assert f'<option value="{putaran.pk}"' in response.content.decode()
    assert "Putaran Kosong" not in response.content.decode()
    assert response.context["sumber"] is None


def test_an_unknown_or_unseen_round_is_refused(client, putaran, staf_lain, staf, operator,
                                               kecamatan, cibeureum_data):
    approve(putaran, CIBEUREUM, operator, kecamatan, staf)
    assert page(client, staf, wilayah=KOTA, putaran=putaran.pk + 99).status_code == 404
    assert page(client, staf, wilayah=KOTA, putaran="abc").status_code == 404
    # Kota Bandung's staff do not see Cimahi's round, even for their own area.
    assert page(client, staf_lain, wilayah="32.73", putaran=putaran.pk).status_code == 404
    # Visible, but not about the area asked for.
    bandung_round = make_round(nama="Bandung 2026", wilayah="32.73")
    response = page(client, staf_lain, wilayah="32.73", putaran=putaran.pk)
    assert response.status_code == 404
    from registry.models import User

    admin = User.objects.create(username="adm", peran="admin")
    response = page(client, admin, wilayah="32.73", putaran=putaran.pk)
    assert response.status_code == 400
    assert page(client, admin, wilayah="32.73", putaran=bandung_round.pk).status_code == 200
    with pytest.raises(CommandError):
        call_command("rekap", "--wilayah", KOTA, "--putaran", str(putaran.pk + 99),
                     stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("rekap", "--wilayah", "32.73", "--putaran", str(putaran.pk),
                     stdout=io.StringIO())


def test_the_observer_sees_the_approved_recap_without_pmks(
        client, putaran, operator, kecamatan, staf, pengamat, cibeureum_data):
    approve(putaran, CIBEUREUM, operator, kecamatan, staf)
    response = page(client, pengamat, wilayah=KEC, tahun=2026, putaran=putaran.pk)
    assert response.status_code == 200
    numbers = [t.nomor for t in response.context["rekap"].tabel]
    assert 1 in numbers and 10 not in numbers and 11 not in numbers
    assert response.context["rekap"].jumlah_perkumpulan == 3
    # The operator of the village sees its own approved recap too.
    response = page(client, operator, wilayah=CIBEUREUM, tahun=2026, putaran=putaran.pk)
    assert response.status_code == 200
    assert 10 in [t.nomor for t in response.context["rekap"].tabel]


def test_the_approved_page_reads_a_fixed_number_of_queries(
        client, putaran, operator, operator_lain, kecamatan, staf, make_perkumpulan,
        cibeureum_data, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    approve(putaran, CIBEUREUM, operator, kecamatan, staf)
    client.force_login(staf)
    params = {"wilayah": KOTA, "tahun": 2026, "putaran": putaran.pk}
    client.get(URL, params)
    with CaptureQueriesContext(connection) as measured:
        client.get(URL, params)
    for i in range(12):
        make_perkumpulan(f"MLG-X-{i:03d}", desa=MELONG, jenis=["DW", "KT", "BKB"][i % 3])
    approve(putaran, MELONG, operator_lain, kecamatan, staf)
    with django_assert_max_num_queries(len(measured)):
        response = client.get(URL, params)
    assert response.context["rekap"].jumlah_perkumpulan == 16
