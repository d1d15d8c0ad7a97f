"""The programme pages: the list with its totals, a programme's page (by village, progress, the
recipients), the form, the recipients' workbook (logged) and the double-aid overlaps — for each
role, with their query counts fixed whatever the number of recipients.

The world: PKH (Kota Cimahi, cash, from 2025) with Ani (received Rp 300,000) and Budi
(approved) and Cici (stopped) of Cibeureum and Fajar of Melong (received Rp 200,000); BLT Melong
(Melong's own); an ad-hoc PMKS help programme of Cibeureum; a Bandung programme."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bantuan.models import Penerima, Penyaluran, Program, StatusPenerima
from pmks.models import LogAkses, Tindakan
from tests.conftest import CIBEUREUM, MELONG, SUKARASA

D = datetime.date
PKH = "PKH-2025-3277"
START = D(2025, 1, 1)
JOINED = D(2025, 2, 1)
GIVEN = D(2025, 3, 1)


def nik(i: int) -> str:
    """A valid NIK of Kecamatan Cimahi Selatan (32.77.01), a man born 1 January 1980."""
    return f"327701010180{i:04d}"


def program(kode, wilayah, bentuk="UANG", mulai=START, **fields):
    fields.setdefault("nama", f"Program {kode}")
    return Program.objects.create(kode=kode, wilayah_id=wilayah, bentuk=bentuk,
                                  sumber="PEMERINTAH", mulai=mulai, **fields)


def recipient(prog, warga, status=StatusPenerima.DISETUJUI, mulai=JOINED, **fields):
    if status == StatusPenerima.DIHENTIKAN:
        fields.setdefault("alasan_berhenti", "Pindah")
    return Penerima.objects.create(program=prog, warga=warga, desa_id=warga.wilayah_id,
                                   status=status, mulai=mulai, **fields)


def give(penerima, nilai, tanggal=GIVEN):
    Penyaluran(penerima=penerima, nilai=nilai, tanggal=tanggal).save()


@pytest.fixture
def world(make_warga):
    people = {name: make_warga(nik(i), nama=name, wilayah_id=MELONG if name == "Fajar"
                               else CIBEUREUM, rw=3, rt=4, alamat=f"Jl. {name}")
              for i, name in enumerate(["Ani", "Budi", "Cici", "Dodi", "Fajar"], 1)}
    pkh = program(PKH, "32.77", nama="Program Keluarga Harapan")
    blt = program("BLT-MELONG", MELONG, nama="BLT Desa Melong")
    adhoc = program("PMKS-AD-HOC", CIBEUREUM, nama="Bantuan langsung PMKS", ad_hoc=True)
    bandung = program("BLT-BANDUNG", SUKARASA, nama="BLT Sukarasa")
    rows = {
        "Ani": recipient(pkh, people["Ani"]),
        "Budi": recipient(pkh, people["Budi"]),
        "Cici": recipient(pkh, people["Cici"], StatusPenerima.DIHENTIKAN),
        "Fajar": recipient(pkh, people["Fajar"]),
    }
    give(rows["Ani"], 300_000)
    give(rows["Fajar"], 200_000)
    recipient(blt, people["Fajar"], mulai=D(2025, 1, 1))
    return {"people": people, "pkh": pkh, "blt": blt, "adhoc": adhoc, "bandung": bandung,
            "rows": rows}


def listed(response) -> dict:
    return {p.kode: (p.jumlah_penerima, p.nilai_disalurkan)
            for p in response.context["page"].object_list}


# The list -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("who", "expected"), [
    ("operator", {PKH: (2, 300_000)}),
    ("operator_lain", {PKH: (1, 200_000), "BLT-MELONG": (1, 0)}),
    ("staf", {PKH: (3, 500_000), "BLT-MELONG": (1, 0)}),
    ("staf_lain", {"BLT-BANDUNG": (0, 0)}),
    ("pengamat", {PKH: (3, 500_000), "BLT-MELONG": (1, 0)}),
    ("admin_user", {PKH: (3, 500_000), "BLT-MELONG": (1, 0), "BLT-BANDUNG": (0, 0)}),
])
def test_each_role_sees_its_programmes_with_the_totals_of_its_area(
        world, client, request, who, expected):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get("/bantuan/")
    assert response.status_code == 200
    assert listed(response) == expected
    body = response.content.decode()
    assert ('id="program-baru"' in body) == (who != "pengamat")
    assert 'href="/bantuan/"' in body  # the nav link, for every role


def test_ad_hoc_programmes_show_on_asking_and_filters_narrow_the_list(world, client, operator):
    client.force_login(operator)
    assert "PMKS-AD-HOC" in listed(client.get("/bantuan/?ad_hoc=on"))
    assert listed(client.get("/bantuan/?bentuk=BARANG")) == {}
    assert PKH in listed(client.get("/bantuan/?tahun=2026&sumber=PEMERINTAH&aktif=on"))
    assert listed(client.get("/bantuan/?tahun=2024")) == {}
    response = client.get("/bantuan/?tahun=abc")
    assert response.status_code == 400 and response.context["filter"].has_error("tahun")


def test_the_observer_sees_totals_never_names(world, client, pengamat):
    client.force_login(pengamat)
    response = client.get(f"/bantuan/program/{world['pkh'].pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ani" not in body and "Fajar" not in body and nik(1)[-4:] not in body
    assert response.context["page"] is None and not response.context["personal"]
    assert response.context["totals"]["semua"] == 4 and response.context["totals"]["nilai"] \
        == 500_000
    assert 'id="program-xlsx"' not in body and 'id="penerima-tambah"' not in body
    assert client.get(f"/bantuan/program/{world['pkh'].pk}/penerima.xlsx").status_code == 403
    assert client.get("/bantuan/ganda/").status_code == 403
    assert client.get("/bantuan/program/baru/").status_code == 403


# A programme's page ---------------------------------------------------------------------------
def test_staff_see_recipients_by_village_and_the_progress(world, client, staf):
    client.force_login(staf)
    response = client.get(f"/bantuan/program/{world['pkh'].pk}/")
    assert response.status_code == 200
    by_village = {r["desa"]: r for r in response.context["villages"]}
    assert set(by_village) == {CIBEUREUM, MELONG}
    cib = by_village[CIBEUREUM]
    assert (cib["DITERIMA"], cib["DISETUJUI"], cib["DIHENTIKAN"], cib["penyaluran"],
            cib["nilai"], cib["kuota_terpakai"]) == (1, 1, 1, 1, 300_000, 2)
    totals = response.context["totals"]
    # Ani, Budi and Fajar approved or received; Ani and Fajar received something.
    assert (totals["diputuskan"], totals["tersalur"], totals["persen"]) == (3, 2, 67)
    names = [p.nama for p in response.context["page"].object_list]
    assert sorted(names) == ["Ani", "Budi", "Cici", "Fajar"]
    body = response.content.decode()
    assert 'id="progress-bar"' in body and 'value="67"' in body
    assert f'href="/bantuan/program/{world["pkh"].pk}/penerima.xlsx"' in body
    assert f'href="/bantuan/program/{world["pkh"].pk}/penerima/tambah/"' in body
    assert f'href="/bantuan/penerima/{world["rows"]["Ani"].pk}/"' in body
    assert 'id="program-ubah"' in body


def test_a_village_operator_sees_only_their_villages_recipients(world, client, operator):
    client.force_login(operator)
    response = client.get(f"/bantuan/program/{world['pkh'].pk}/")
    assert [r["desa"] for r in response.context["villages"]] == [CIBEUREUM]
    assert sorted(p.nama for p in response.context["page"].object_list) == ["Ani", "Budi",
                                                                          "Cici"]
    assert "Fajar" not in response.content.decode()
    # The kota's programme is not the operator's to change.
    assert 'id="program-ubah"' not in response.content.decode()
    assert client.get(f"/bantuan/program/{world['blt'].pk}/").status_code == 404


def test_staff_of_another_kota_do_not_find_the_programme(world, client, staf_lain):
    client.force_login(staf_lain)
    assert client.get(f"/bantuan/program/{world['pkh'].pk}/").status_code == 404
    assert client.get(f"/bantuan/program/{world['pkh'].pk}/penerima.xlsx").status_code == 404


# The workbook ---------------------------------------------------------------------------------
def test_the_workbook_lists_recipients_by_name_by_address_and_is_logged(world, client, staf):
    client.force_login(staf)
    response = client.get(f"/bantuan/program/{world['pkh'].pk}/penerima.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))[1:]
    by_name = {r[1]: r for r in rows}
    assert set(by_name) == {"Ani", "Budi", "Cici", "Fajar"}
    ani = by_name["Ani"]
    assert ani[0] == nik(1) and ani[3:6] == (3, 4, "Jl. Ani")
    assert ani[9:] == (1, 300_000) and by_name["Budi"][9:] == (0, 0)
    log = LogAkses.objects.get()
    assert (log.pengguna, log.tindakan, log.wilayah_id, log.keterangan) == (
        staf, Tindakan.EKSPOR, "32.77", f"bantuan {PKH}: 4 baris")


def test_an_operators_workbook_holds_their_village(world, client, operator):
    client.force_login(operator)
    response = client.get(f"/bantuan/program/{world['pkh'].pk}/penerima.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(r[1] for r in list(book.active.iter_rows(values_only=True))[1:])
    assert names == ["Ani", "Budi", "Cici"]
    assert LogAkses.objects.get().keterangan == f"bantuan {PKH}: 3 baris"


# The form -------------------------------------------------------------------------------------
def data(**changes):
    values = {"kode": "BLT-CBR-2026", "nama": "BLT Dana Desa Cibeureum", "sumber": "DANA_DESA",
              "bentuk": "UANG", "sasaran": "WARGA", "wilayah": CIBEUREUM,
              "mulai": "2026-01-01", "selesai": "", "syarat": "Keluarga miskin",
              "kuota_per_desa": "50", "batas_laporan_hari": "90"}
    values.update(changes)
    return values


def test_an_operator_creates_their_villages_programme(world, client, operator):
    client.force_login(operator)
    assert client.get("/bantuan/program/baru/").status_code == 200
    response = client.post("/bantuan/program/baru/", data(wilayah="3277011002"))
    created = Program.objects.get(kode="BLT-CBR-2026")
    assert response.status_code == 302
    assert response["Location"] == f"/bantuan/program/{created.pk}/"
    assert (created.wilayah_id, created.kuota_per_desa, created.ad_hoc) == (CIBEUREUM, 50, False)


def test_a_new_programme_sent_twice_is_written_once(world, client, staf):
    client.force_login(staf)
    token = client.get("/bantuan/program/baru/").context["form"]["sekali"].value()
    first = client.post("/bantuan/program/baru/", data(sekali=token))
    again = client.post("/bantuan/program/baru/", data(sekali=token))
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Program.objects.filter(kode="BLT-CBR-2026").count() == 1


def test_an_operator_changes_their_own_villages_programme(world, client, operator):
    client.force_login(operator)
    client.post("/bantuan/program/baru/", data())
    created = Program.objects.get(kode="BLT-CBR-2026")
    response = client.post(f"/bantuan/program/{created.pk}/ubah/",
                           data(kuota_per_desa="", nama="BLT Cibeureum"))
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.nama, created.kuota_per_desa) == ("BLT Cibeureum", None)


@pytest.mark.parametrize(("who", "changes", "field"), [
    ("operator", {"wilayah": MELONG}, "wilayah"),           # the next village
    ("operator", {"wilayah": "32.77"}, "wilayah"),          # above the operator's village
    ("staf", {"wilayah": "32.73.01"}, "wilayah"),           # another kota
    ("staf", {"wilayah": "99.99"}, "wilayah"),              # no such area
    ("staf", {"bentuk": "STIMULAN"}, "sasaran"),            # a stimulus goes to groups
    ("staf", {"selesai": "2025-12-31"}, "__all__"),         # ends before it starts
    ("staf", {"kode": PKH}, "kode"),                        # taken
    ("staf", {"kode": "PKH 2026"}, "kode"),                 # a space
    ("staf", {"nama": ""}, "nama"),
    ("staf", {"mulai": "31-31-2026"}, "mulai"),
])
def test_form_errors_are_told_and_nothing_is_written(world, client, request, who, changes,
                                                     field):
    client.force_login(request.getfixturevalue(who))
    before = Program.objects.count()
    response = client.post("/bantuan/program/baru/", data(**changes))
    assert response.status_code == 400
    assert response.context["form"].has_error(field)
    assert Program.objects.count() == before


def test_staff_change_a_programme_others_may_not(world, client, staf, staf_lain, operator,
                                                   pengamat):
    url = f"/bantuan/program/{world['pkh'].pk}/ubah/"
    client.force_login(operator)
    assert client.get(url).status_code == 404
    client.force_login(staf_lain)
    assert client.get(url).status_code == 404
    client.force_login(pengamat)
    assert client.get(url).status_code == 403
    client.force_login(staf)
    assert client.get(f"/bantuan/program/{world['adhoc'].pk}/ubah/").status_code == 404
    form = client.get(url).context["form"]
    assert form["wilayah"].value() == "32.77"
    response = client.post(url, data(kode="IGNORED", nama="PKH Kota Cimahi", wilayah="32.77",
                                     mulai="2025-01-01", versi=form["versi"].value()))
    assert response.status_code == 302
    world["pkh"].refresh_from_db()
    assert (world["pkh"].nama, world["pkh"].kode) == ("PKH Kota Cimahi", PKH)


def test_an_edit_over_a_newer_version_is_refused(world, client, staf):
    client.force_login(staf)
    url = f"/bantuan/program/{world['pkh'].pk}/ubah/"
    old = client.get(url).context["form"]["versi"].value()
    Program.objects.filter(pk=world["pkh"].pk).update(nama="Changed meanwhile",
                                                      diubah=timezone.now())
    response = client.post(url, data(nama="Mine", wilayah="32.77", mulai="2025-01-01",
                                     versi=old))
    assert response.status_code == 409
    world["pkh"].refresh_from_db()
    assert world["pkh"].nama == "Changed meanwhile"


# Double aid -----------------------------------------------------------------------------------
def test_the_overlap_page_finds_a_planted_overlap_and_not_the_others(world, client, staf,
                                                                      operator_lain):
    people = world["people"]
    blt = program("BLT-2025", "32.77", nama="BLT Kota")
    sembako = program("SEMBAKO-2025", "32.77", bentuk="BARANG", nama="Sembako")
    # Ani: cash from PKH (open) and cash from BLT: an overlap, recorded with a reason.
    ani_blt = recipient(blt, people["Ani"], mulai=D(2025, 6, 1), selesai=D(2025, 12, 31),
                        alasan_ganda="Korban banjir")
    # Budi: PKH ended before BLT started: no overlap.
    Penerima.objects.filter(pk=world["rows"]["Budi"].pk).update(selesai=D(2025, 5, 31))
    recipient(blt, people["Budi"], mulai=D(2025, 6, 1))
    # Cici: stopped on PKH; Dodi: goods, another form: neither counts.
    recipient(blt, people["Cici"], mulai=D(2025, 6, 1))
    recipient(sembako, people["Dodi"], mulai=D(2025, 6, 1))
    recipient(sembako, people["Ani"], mulai=D(2025, 6, 1))
    client.force_login(staf)
    response = client.get("/bantuan/ganda/")
    assert response.status_code == 200
    found = {(row["penerima"].nama, row["penerima"].program.kode, row["lain"].program.kode)
             for row in response.context["rows"]}
    # Fajar: PKH and Melong's own BLT from the start (the world's), no reason recorded.
    assert found == {("Ani", PKH, "BLT-2025"), ("Ani", "BLT-2025", PKH),
                     ("Fajar", PKH, "BLT-MELONG"), ("Fajar", "BLT-MELONG", PKH)}
    body = response.content.decode()
    assert "Korban banjir" in body and f'href="/bantuan/penerima/{ani_blt.pk}/"' in body
    assert {row["penerima"].nama for row in
            client.get(f"/bantuan/ganda/?wilayah={MELONG}").context["rows"]} == {"Fajar"}
    client.force_login(operator_lain)
    assert {row["penerima"].nama for row in
            client.get("/bantuan/ganda/").context["rows"]} == {"Fajar"}
    assert client.get(f"/bantuan/ganda/?wilayah={CIBEUREUM}").status_code == 404


def test_the_administrator_sees_every_overlap_and_any_area(world, client, admin_user):
    client.force_login(admin_user)
    assert {row["penerima"].nama for row in
            client.get("/bantuan/ganda/").context["rows"]} == {"Fajar"}
    assert client.get("/bantuan/ganda/?wilayah=32.73.01").context["rows"] == []
    response = client.get("/bantuan/ganda/?wilayah=bukan-kode")
    assert response.status_code == 400


# Dashboard ------------------------------------------------------------------------------------
def test_the_dashboard_counts_running_programmes(world, client, operator):
    program("OLD-2020", "32.77", mulai=D(2020, 1, 1), selesai=D(2020, 12, 31))
    client.force_login(operator)
    cards = {url: value for _label, value, url in client.get("/").context["cards"]}
    assert cards["/bantuan/"] == 1  # PKH; not the old one, the ad-hoc one nor Melong's


# Query counts ---------------------------------------------------------------------------------
def grow(world, n: int):
    """`n` more recipients of PKH in Cibeureum, each with a distribution, each also on a
    second cash programme (an overlap each), and `n` more programmes."""
    from members.models import Warga

    second = program("BLT-GROW", "32.77")
    for i in range(n):
        person = Warga.objects.create(nik=nik(100 + i), nama=f"Warga {i}", wilayah_id=CIBEUREUM)
        give(recipient(world["pkh"], person), 1000)
        recipient(second, person)
        program(f"EXTRA-{i}", CIBEUREUM)


def counted(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["staf", "operator", "pengamat"])
def test_query_counts_do_not_grow_with_the_recipients(world, client, request, who,
                                                      django_assert_max_num_queries):
    user = request.getfixturevalue(who)
    client.force_login(user)
    urls = ["/bantuan/", f"/bantuan/program/{world['pkh'].pk}/"]
    if who != "pengamat":
        urls.append("/bantuan/ganda/")
    grow(world, 2)
    small = {url: counted(client, url) for url in urls}
    grow_more = 18
    from members.models import Warga

    second = Program.objects.get(kode="BLT-GROW")
    for i in range(grow_more):
        person = Warga.objects.create(nik=nik(200 + i), nama=f"Lagi {i}", wilayah_id=CIBEUREUM)
        give(recipient(world["pkh"], person), 1000)
        recipient(second, person)
        program(f"MORE-{i}", CIBEUREUM)
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            client.get(url)
        assert small[url] <= 12
