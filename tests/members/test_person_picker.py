"""People picked by NIK or name: the add-member, household, forum-leader, Pokja and case forms
take a registered person's name as well as a NIK (members.forms.person_nik), the search page
offers the people as the officer types (`/cari/warga/`), and a case's new person is read from
their NIK like a member's."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from members.models import AnggotaKeluarga, Keanggotaan, Keluarga, Warga
from pmks.models import KasusPMKS, KategoriPMKS
from tests.conftest import CIBEUREUM
from tests.members.conftest import SITI, add, snapshot


def test_a_member_is_added_by_a_part_of_their_name(client, operator, data):
    """Siti is a member of Cibeureum's group; typed "aminah" she joins Melong's (the operator
    sees her), linked as registered."""
    Keanggotaan.objects.filter(warga=data["siti"]).delete()
    client.force_login(operator)
    people = Warga.objects.count()
    response = add(client, nik="  aminah ", nama="", jenis_kelamin="")
    assert response.status_code == 302
    assert Warga.objects.count() == people
    assert Keanggotaan.objects.get(warga=data["siti"], selesai__isnull=True).perkumpulan == \
        data["cbr"]


def test_a_picked_label_is_taken_whole(client, operator, data):
    """What the list offers (name — birth date, place (NIK)) sent as it is picks the NIK."""
    Keanggotaan.objects.filter(warga=data["budi"]).delete()
    client.force_login(operator)
    label = client.get("/cari/warga/", {"q": "budi"}).json()["hasil"][0]["label"]
    assert label == "Budi Santoso — Cibeureum (3277010203750002)"
    assert add(client, nik=label, nama="").status_code == 302
    assert Keanggotaan.objects.filter(warga=data["budi"], perkumpulan=data["cbr"]).exists()


def test_a_name_of_several_people_names_them_and_writes_nothing(client, operator, data,
                                                                make_warga):
    make_warga("3277014101900009", nama="Siti Rahayu", wilayah_id=CIBEUREUM,
               tanggal_lahir=datetime.date(1990, 1, 1))
    Keanggotaan.objects.create(warga=Warga.objects.get(nama="Siti Rahayu"),
                               perkumpulan=data["cbr"])
    client.force_login(operator)
    before = snapshot()
    response = add(client, nik="siti")
    assert response.status_code == 400
    [error] = response.context["form"].errors["nik"]
    assert error == ("Lebih dari satu orang bernama “siti”: Siti Aminah — Cibeureum "
                     "(3277014101800001); Siti Rahayu — 1 Jan 1990, Cibeureum (3277014101900009). "
                     "Ketik NIK orang yang dimaksud.")
    assert snapshot() == before


def test_a_stranger_is_never_found_by_name(client, operator, data):
    """Dede lives in Bandung and is in none of the operator's groups: his name finds nobody, and
    the message is the one for nobody at all."""
    client.force_login(operator)
    before = snapshot()
    response = add(client, nik="Dede Rahmat")
    assert response.status_code == 400
    assert response.context["form"].errors["nik"] == [
        "Tidak ada orang terdaftar bernama “Dede Rahmat” di wilayah Anda: ketik NIK-nya (16 "
        "digit); orang yang belum terdaftar didaftarkan dengan NIK itu."]
    assert snapshot() == before
    assert client.get("/cari/warga/", {"q": "dede"}).json() == {"hasil": []}


def test_the_search_offers_the_people_the_user_sees_in_one_query(client, operator, staf, data):
    client.force_login(staf)  # the city: Cibeureum and Melong, not Bandung
    found = client.get("/cari/warga/", {"q": "a"}).json()["hasil"]
    assert found == []  # one character is not yet a search
    found = client.get("/cari/warga/", {"q": "an"}).json()["hasil"]
    assert [p["label"].split(" — ")[0] for p in found] == ["Asep Sunandar", "Budi Santoso"]
    found = client.get("/cari/warga/", {"q": "aminah"}).json()["hasil"]
    assert [p["kode"] for p in found] == [SITI]
    found = client.get("/cari/warga/", {"q": "3277"}).json()["hasil"]
    assert sorted(p["kode"] for p in found) == sorted(
        [data["siti"].nik, data["budi"].nik, data["asep"].nik])
    client.get("/")  # the session and the user read before counting
    with CaptureQueriesContext(connection) as captured:
        client.get("/cari/warga/", {"q": "santoso"})
    assert len([q for q in captured if "members_warga" in q["sql"]]) == 1


def test_the_search_tells_nothing_to_observers_strangers_and_bad_input(client, pengamat, data):
    client.force_login(pengamat)  # sees groups, never people: the people pages' 403
    assert client.get("/cari/warga/", {"q": "siti"}).status_code == 403
    assert client.get("/cari/warga/", {"q": "si\x00ti"}).status_code == 400
    assert Client().get("/cari/warga/", {"q": "siti"}).status_code == 302  # to log in


def test_a_nul_in_a_person_box_is_refused_not_a_500(client, operator, data):
    client.force_login(operator)
    response = add(client, nik="Siti\x00")
    assert response.status_code == 400
    assert "nik" in response.context["form"].errors


def test_a_household_member_is_added_by_name(client, operator, data):
    household = Keluarga.objects.create(no_kk="3277010101200001", wilayah_id=CIBEUREUM,
                                        alamat="Jl. Mawar 1")
    client.force_login(operator)
    response = client.post(f"/keluarga/{household.pk}/anggota/tambah/", {
        "nik": "budi santoso", "hubungan": "KEPALA", "mulai": "2024-01-01"})
    assert response.status_code == 302
    assert AnggotaKeluarga.objects.get(keluarga=household).warga == data["budi"]


def test_a_forum_leader_is_picked_by_name(client, operator, data):
    from network.models import Forum, PengurusForum

    Forum.objects.create(desa_id=CIBEUREUM, nama="Forum WKSBM Cibeureum", mekanisme="TIM")
    client.force_login(operator)
    response = client.post("/forum/", {"aksi": "pengurus", "nik": "Siti Aminah",
                                       "jabatan": "Ketua"})
    assert response.status_code == 302
    assert PengurusForum.objects.get().warga == data["siti"]


@pytest.fixture
def kategori(db):
    return KategoriPMKS.objects.order_by("urutan", "nama")[0]


def test_a_case_is_recorded_for_a_registered_person_by_name(client, operator, data, kategori):
    client.force_login(operator)
    response = client.post("/pmks/baru/", {"nik": "budi", "kategori": kategori.pk})
    assert response.status_code == 302
    case = KasusPMKS.objects.get()
    assert (case.warga, case.nama) == (data["budi"], "Budi Santoso")


def test_a_case_reads_a_new_persons_birth_and_sex_from_the_nik(client, operator, data,
                                                                 kategori):
    """A new person's date of birth and sex come from their NIK; a NIK issued outside the
    village is told after the save, never refused."""
    client.force_login(operator)
    response = client.post("/pmks/baru/", {
        "nik": "3273016506010007", "nama": "Rina Lain", "kategori": kategori.pk})
    assert response.status_code == 302
    person = Warga.objects.get(nik="3273016506010007")
    assert (person.tanggal_lahir, person.jenis_kelamin) == (datetime.date(2001, 6, 25), "P")
    page = client.get(response["Location"]).content.decode()
    assert "NIK diterbitkan di kecamatan 32.73.01" in page.split('class="messages"')[1]


def test_the_case_form_says_where_its_village_is_for_the_nik_box(client, operator, staf, data):
    client.force_login(operator)
    html = client.get("/pmks/baru/").content.decode()
    box = html[html.index('name="nik"') - 600:html.index('name="nik"') + 600]
    assert f'data-wilayah="{CIBEUREUM}"' in box and 'data-cari="/cari/warga/"' in box
    client.force_login(staf)  # staff type the village: the box reads it from there
    html = client.get("/pmks/baru/").content.decode()
    box = html[html.index('name="nik"') - 600:html.index('name="nik"') + 600]
    assert 'data-wilayah-dari="id_desa_kode"' in box
