"""The admin as each role uses it: every page limited to the user's area, NIK masked for observers,
no PMKS for observers, accounts for administrators only, Indonesian by default."""

import pytest
from django.urls import reverse

from tests.conftest import CIBEUREUM, MELONG, SUKARASA

pytestmark = pytest.mark.django_db


NIK_CIMAHI = "3277014101800001"
NIK_BANDUNG = "3273010202900003"
MASKED_CIMAHI = "••••••••••••0001"


@pytest.fixture
def rows(make_perkumpulan, make_warga):
    """One of everything in Cibeureum (Kota Cimahi) and in Sukarasa (Kota Bandung)."""
    from members.models import Keanggotaan
    from network.models import Forum, Hubungan, Mitra, PengurusForum
    from pmks.models import KasusPMKS, KategoriPMKS

    miskin = KategoriPMKS.objects.get(kode="FM")
    made = {}
    for place, desa, nik, person in [
        ("cimahi", CIBEUREUM, NIK_CIMAHI, "Euis Rahmawati"),
        ("bandung", SUKARASA, NIK_BANDUNG, "Dadang Hermawan"),
    ]:
        kode = {"cimahi": "CBR-DW-001", "bandung": "SKR-DW-001"}[place]
        group = make_perkumpulan(kode, desa=desa, nama=f"Dasa Wisma {person.split()[0]}")
        warga = make_warga(nik, nama=person, wilayah_id=desa, alamat="Jl. Kenanga 12")
        Keanggotaan.objects.create(warga=warga, perkumpulan=group, peran="KETUA")
        KasusPMKS.objects.create(nama=f"Penerima {person.split()[1]}", desa_id=desa,
                                 kategori=miskin, pendamping=group, warga=warga)
        mitra = Mitra.objects.create(nama=f"Puskesmas {kode}", jenis="PEMERINTAH",
                                     wilayah_id=desa)
        Hubungan.objects.create(perkumpulan=group, mitra_luar=mitra, bentuk="RUJUKAN")
        forum = Forum.objects.create(desa_id=desa, nama=f"Forum WKSBM {kode}", mekanisme="TIM")
        forum.anggota.add(group)
        PengurusForum.objects.create(forum=forum, warga=warga, jabatan="Ketua")
        made[place] = {"group": group, "warga": warga, "forum": forum}
    return made


def html(response) -> str:
    return response.content.decode()


# What marks a Cibeureum row and a Sukarasa row on each changelist.
CHANGELISTS = [
    ("registry", "perkumpulan", "CBR-DW-001", "SKR-DW-001"),
    ("members", "warga", "Euis Rahmawati", "Dadang Hermawan"),
    ("members", "keanggotaan", "CBR-DW-001", "SKR-DW-001"),
    ("pmks", "kasuspmks", "Penerima Rahmawati", "Penerima Hermawan"),
    ("network", "hubungan", "Puskesmas CBR-DW-001", "Puskesmas SKR-DW-001"),
    ("network", "mitra", "Puskesmas CBR-DW-001", "Puskesmas SKR-DW-001"),
    ("network", "forum", "Forum WKSBM CBR-DW-001", "Forum WKSBM SKR-DW-001"),
]


@pytest.mark.parametrize(("app", "model", "own", "other"), CHANGELISTS)
def test_staff_changelist_lists_only_their_kabupaten(client, rows, staf, app, model, own, other):
    client.force_login(staf)
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    assert own in html(response)
    assert other not in html(response)
    assert len(response.context["cl"].result_list) == 1


@pytest.mark.parametrize(("app", "model", "own", "other"), CHANGELISTS)
def test_bandung_staff_changelist_is_the_reverse(
    client, rows, staf_lain, app, model, own, other
):
    client.force_login(staf_lain)
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    assert other in html(response)
    assert own not in html(response)


def test_staff_cannot_open_a_group_of_another_kabupaten(client, rows, staf):
    """Django 5.2 answers an object outside the queryset with a redirect to the admin index and
    a "does not exist" warning: the group is never shown."""
    bandung = rows["bandung"]["group"]
    client.force_login(staf)
    url = reverse("admin:registry_perkumpulan_change", args=[bandung.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    page = html(client.get(response["Location"]))
    assert f"“{bandung.pk}” tidak ada. Mungkin telah dihapus?" in page
    assert "SKR-DW-001" not in page
    # Nor can it be changed or deleted by posting.
    response = client.post(url, {"kode": "SKR-DW-001", "nama": "Diubah dari Cimahi"})
    assert response.status_code == 302
    bandung.refresh_from_db()
    assert bandung.nama == "Dasa Wisma Dadang"
    response = client.post(
        reverse("admin:registry_perkumpulan_delete", args=[bandung.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert type(bandung).objects.filter(pk=bandung.pk).exists()


def test_staff_opens_a_group_of_their_kabupaten(client, rows, staf):
    client.force_login(staf)
    group = rows["cimahi"]["group"]
    response = client.get(reverse("admin:registry_perkumpulan_change", args=[group.pk]))
    assert response.status_code == 200
    assert "CBR-DW-001" in html(response)


# ---------------------------------------------------------------------------------------------
# Observers: no PMKS, no NIK


def test_observer_gets_403_on_pmks_cases(client, rows, pengamat):
    client.force_login(pengamat)
    assert client.get(reverse("admin:pmks_kasuspmks_changelist")).status_code == 403
    assert client.get(reverse("admin:pmks_kasuspmks_add")).status_code == 403
    index = html(client.get(reverse("admin:index")))
    assert reverse("admin:pmks_kasuspmks_changelist") not in index
    assert reverse("admin:members_warga_changelist") not in index


def test_observer_opens_no_people_in_the_admin_as_on_the_web(client, rows, pengamat):
    """One rule (registry.access.may_view): the web's people pages and the admin's agree."""
    client.force_login(pengamat)
    person = rows["cimahi"]["warga"]
    assert client.get(reverse("members:warga_list")).status_code == 403
    assert client.get(reverse("members:warga_detail", args=[person.pk])).status_code == 403
    for url in (
        reverse("admin:members_warga_changelist"),
        reverse("admin:members_warga_change", args=[person.pk]),
        reverse("admin:members_warga_history", args=[person.pk]),
        reverse("admin:members_warga_export"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert NIK_CIMAHI not in html(response)


@pytest.mark.parametrize(
    "page",
    [
        "admin:members_keanggotaan_changelist",
        "group",  # the group page, with its members inline
        "forum",  # the forum page, with its leaders inline
    ],
)
def test_observer_never_gets_a_full_nik(client, rows, pengamat, page):
    client.force_login(pengamat)
    if page == "group":
        url = reverse("admin:registry_perkumpulan_change", args=[rows["cimahi"]["group"].pk])
    elif page == "forum":
        url = reverse("admin:network_forum_change", args=[rows["cimahi"]["forum"].pk])
    else:
        url = reverse(page)
    response = client.get(url)
    assert response.status_code == 200
    assert "Euis Rahmawati" in html(response)
    assert NIK_CIMAHI not in html(response)


def test_observer_cannot_confirm_a_nik_by_searching(client, rows, pengamat):
    client.force_login(pengamat)
    url = reverse("admin:members_keanggotaan_changelist")
    response = client.get(url, {"q": NIK_CIMAHI})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 0
    assert client.get(reverse("admin:members_warga_changelist"),
                      {"q": NIK_CIMAHI}).status_code == 403


def test_observer_cannot_confirm_a_nik_by_filtering(client, rows, pengamat):
    """A NIK lookup in the query string would tell an observer whose NIK it is, digit by digit."""
    client.force_login(pengamat)
    url = reverse("admin:members_warga_changelist")
    found = []
    for query in ({"nik": NIK_CIMAHI}, {"nik__startswith": NIK_CIMAHI[:10]}):
        response = client.get(url, query)
        if response.status_code == 200 and "cl" in response.context:
            found += [person.nama for person in response.context["cl"].result_list]
    assert found == []


def test_staff_sees_nik_masked_on_the_people_list(client, rows, staf):
    client.force_login(staf)
    response = client.get(reverse("admin:members_warga_changelist"))
    assert response.status_code == 200
    assert MASKED_CIMAHI in html(response)
    assert NIK_CIMAHI not in html(response)


def test_staff_finds_a_person_by_full_nik(client, rows, staf):
    client.force_login(staf)
    response = client.get(reverse("admin:members_warga_changelist"), {"q": NIK_CIMAHI})
    assert [p.nama for p in response.context["cl"].result_list] == ["Euis Rahmawati"]


# ---------------------------------------------------------------------------------------------
# Operators add only in their own village


def add_group_data(desa: str) -> dict:
    from registry.models import JenisPerkumpulan

    data = {
        "kode": "CBR-PSY-009", "nama": "Posyandu Kenanga",
        "jenis": str(JenisPerkumpulan.objects.get(kode="POSYANDU").pk),
        "desa": desa, "rw": "3", "rt": "2", "aktif": "on", "tahun_berdiri": "1999",
        "tujuan": "", "prakarsa": "", "jumlah_anggota": "", "masa_kepengurusan": "",
        "jaringan_kerja": "", "_save": "Simpan",
    }
    for prefix in ("keanggotaan", "hubungan", "dana"):
        data.update({
            f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        })
    return data


def test_operator_cannot_add_a_group_in_another_village(client, operator):
    from registry.models import Perkumpulan

    client.force_login(operator)
    url = reverse("admin:registry_perkumpulan_add")
    page = html(client.get(url))
    assert 'name="keanggotaan-TOTAL_FORMS"' in page and 'name="hubungan-TOTAL_FORMS"' in page
    response = client.post(url, add_group_data(MELONG))
    assert response.status_code == 200  # the form again, with the error
    assert list(response.context["adminform"].form.errors) == ["desa"]
    assert not Perkumpulan.objects.filter(kode="CBR-PSY-009").exists()


def test_operator_adds_a_group_in_their_village(client, operator):
    from registry.models import Perkumpulan

    client.force_login(operator)
    response = client.post(reverse("admin:registry_perkumpulan_add"), add_group_data(CIBEUREUM))
    assert response.status_code == 302
    group = Perkumpulan.objects.get(kode="CBR-PSY-009")
    assert (group.desa_id, group.jenis.kode, group.rw) == (CIBEUREUM, "POSYANDU", 3)


def test_autocomplete_offers_an_operator_only_their_village(client, operator):
    client.force_login(operator)
    query = {"app_label": "registry", "model_name": "perkumpulan", "field_name": "desa"}
    response = client.get("/admin/autocomplete/", {**query, "term": "Mel"})
    assert response.status_code == 200
    assert response.json()["results"] == []
    response = client.get("/admin/autocomplete/", {**query, "term": "Cib"})
    assert response.json()["results"] == [{"id": CIBEUREUM, "text": f"{CIBEUREUM} Cibeureum"}]


def test_autocomplete_offers_staff_the_areas_of_their_kabupaten(client, staf):
    client.force_login(staf)
    query = {"app_label": "registry", "model_name": "perkumpulan", "field_name": "desa"}
    response = client.get("/admin/autocomplete/", {**query, "term": "Mel"})
    assert response.json()["results"] == [{"id": MELONG, "text": f"{MELONG} Melong"}]
    # A group may sit at a kecamatan of the city (above the village); Bandung's areas are not
    # Cimahi's.
    assert client.get("/admin/autocomplete/", {**query, "term": "Cimahi Selatan"}).json()[
        "results"
    ] == [{"id": "32.77.01", "text": "32.77.01 Cimahi Selatan"}]
    assert client.get("/admin/autocomplete/", {**query, "term": "Sukarasa"}).json()[
        "results"
    ] == []


# ---------------------------------------------------------------------------------------------
# Accounts, language, query counts


def test_user_list_is_for_administrators_only(client, staf, admin_user):
    url = reverse("admin:registry_user_changelist")
    client.force_login(staf)
    assert client.get(url).status_code == 403
    assert url not in html(client.get(reverse("admin:index")))
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    assert "staf_cimahi" in html(response) and "admin_nasional" in html(response)


@pytest.mark.parametrize("role", ["operator", "staf", "pengamat", "admin_user"])
def test_admin_is_in_indonesian_by_default(request, client, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    page = html(response)
    assert '<html lang="id"' in page
    assert "Keluar" in page  # Django's "Log out"
    assert "Log out" not in page


def test_perkumpulan_changelist_queries_do_not_grow_with_rows(
    client, staf, make_perkumpulan, django_assert_max_num_queries
):
    from registry.models import Perkumpulan

    client.force_login(staf)
    url = reverse("admin:registry_perkumpulan_changelist")
    bound = 9
    for count in (3, 30):
        while Perkumpulan.objects.count() < count:
            n = Perkumpulan.objects.count() + 1
            make_perkumpulan(f"CBR-DW-{n:03d}", desa=CIBEUREUM if n % 2 else MELONG)
        with django_assert_max_num_queries(bound):
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == count
