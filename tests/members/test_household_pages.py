"""A household's page and forms: reachable from a person's page, scoped by role (an operator of
another village gets 404, an observer 403), adding and ending a member, the member households on
a group's page, and their cost in queries."""

import datetime

import pytest

from members.models import AnggotaKeluarga, HubunganKeluarga, KeanggotaanKeluarga, Keluarga
from tests.conftest import CIBEUREUM
from tests.members.conftest import NEW_NIK, SITI, panel, queries

KK = "3277011505150001"


@pytest.fixture
def household(data):
    k = Keluarga.objects.create(no_kk=KK, wilayah_id=CIBEUREUM, rw=3, rt=2, alamat="Jl. Mawar 5")
    k.tambah_anggota(data["budi"], HubunganKeluarga.KEPALA, datetime.date(2015, 5, 15))
    k.tambah_anggota(data["siti"], HubunganKeluarga.PASANGAN, datetime.date(2015, 5, 15))
    KeanggotaanKeluarga.objects.create(keluarga=k, perkumpulan=data["cbr"],
                                       mulai=datetime.date(2020, 1, 1))
    return k


@pytest.mark.parametrize(("role", "status"), [
    ("operator", 200), ("staf", 200), ("admin_user", 200),
    ("operator_lain", 404), ("staf_lain", 404), ("pengamat", 403),
])
def test_the_household_page_by_role(client, request, household, role, status):
    client.force_login(request.getfixturevalue(role))
    response = client.get(f"/keluarga/{household.pk}/")
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert KK in text and SITI in text and "Budi Santoso" in text and "Jl. Mawar 5" in text


def test_a_persons_page_leads_to_their_household(client, operator, household, data):
    client.force_login(operator)
    response = client.get(f"/warga/{data['siti'].pk}/")
    assert f'href="/keluarga/{household.pk}/"' in response.content.decode()


def test_an_operator_registers_a_household_of_their_village_only(client, operator):
    client.force_login(operator)
    sent = {"no_kk": KK, "desa": "32.77.01.1001", "rw": "3", "rt": "2", "alamat": "Jl. Melati"}
    response = client.post("/keluarga/baru/", sent)
    assert response.status_code == 400
    assert "32.77.01.1001" in response.content.decode()
    response = client.post("/keluarga/baru/", {**sent, "no_kk": "3277011513150001",
                                               "desa": CIBEUREUM})
    assert response.status_code == 400
    assert not Keluarga.objects.exists()
    response = client.post("/keluarga/baru/", {**sent, "desa": CIBEUREUM})
    k = Keluarga.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/keluarga/{k.pk}/"
    assert (k.no_kk, k.wilayah_id, k.rw, k.rt, k.alamat) == (KK, CIBEUREUM, 3, 2, "Jl. Melati")


def test_a_household_number_is_unique(client, operator, household):
    client.force_login(operator)
    response = client.post("/keluarga/baru/", {"no_kk": KK, "desa": CIBEUREUM})
    assert response.status_code == 400
    assert Keluarga.objects.count() == 1


@pytest.mark.parametrize(("role", "status"), [("pengamat", 403), ("operator_lain", 404)])
def test_others_may_not_change_a_household(client, request, household, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.post(f"/keluarga/{household.pk}/ubah/",
                       {"no_kk": KK, "desa": CIBEUREUM, "alamat": "X"}).status_code == status
    member = AnggotaKeluarga.objects.get(warga__nik=SITI)
    assert client.post(f"/keluarga/anggota/{member.pk}/akhiri/",
                       {"selesai": "2024-01-01"}).status_code == status
    household.refresh_from_db()
    member.refresh_from_db()
    assert household.alamat == "Jl. Mawar 5" and member.selesai is None


def test_adding_and_ending_a_member(client, operator, household, data, make_warga):
    child = make_warga(NEW_NIK, nama="Rina", wilayah_id=CIBEUREUM)
    client.force_login(operator)
    url = f"/keluarga/{household.pk}/anggota/tambah/"
    assert client.post(url, {"nik": "3273011505900004", "hubungan": "ANAK",
                             "mulai": "2020-01-01"}).status_code == 400  # Dede: not in reach
    response = client.post(url, {"nik": NEW_NIK, "hubungan": "ANAK", "mulai": "2020-01-01"})
    assert response.status_code == 302
    assert AnggotaKeluarga.objects.get(warga=child, selesai__isnull=True).hubungan == "ANAK"
    member = AnggotaKeluarga.objects.get(warga=child)
    end = f"/keluarga/anggota/{member.pk}/akhiri/"
    assert client.post(end, {"selesai": "2019-01-01"}).status_code == 400  # before it started
    assert client.post(end, {"selesai": "2024-06-30"}).status_code == 302
    member.refresh_from_db()
    assert member.selesai == datetime.date(2024, 6, 30)


def test_the_group_panel_shows_member_households_masked_for_observers(
        client, operator, pengamat, household):
    client.force_login(operator)
    shown = panel(client.get("/perkumpulan/CBR-DW-001/"))["households"]
    assert [(m.keluarga.no_kk, m.keluarga.kepala.nama) for m in shown] == [(KK, "Budi Santoso")]
    client.force_login(pengamat)
    text = client.get("/perkumpulan/CBR-DW-001/").content.decode()
    assert KK not in text and "••••••••••••0001" in text


def test_the_pages_cost_the_same_whatever_the_number_of_members(
        client, operator, household, make_warga, django_assert_max_num_queries):
    client.force_login(operator)
    urls = [f"/keluarga/{household.pk}/", "/perkumpulan/CBR-DW-001/"]
    few = [queries(client, url) for url in urls]
    for i in range(12):
        k = Keluarga.objects.create(no_kk=f"32770115051501{i + 10:02d}", wilayah_id=CIBEUREUM)
        person = make_warga(f"32770101018{i % 10}{i + 100:04d}", wilayah_id=CIBEUREUM)
        household.tambah_anggota(person, HubunganKeluarga.ANAK, datetime.date(2020, 1, 1))
        KeanggotaanKeluarga.objects.create(keluarga=k, perkumpulan=household.keanggotaan
                                           .get().perkumpulan)
    for url, n in zip(urls, few, strict=True):
        with django_assert_max_num_queries(n):
            assert client.get(url).status_code == 200
