"""A village's own figures (ProfilDesa, seed 004 III.A): the rules, the officer's form, who may
see and change a profile, and the ratios the dashboard and the recap compute from the latest
profiles (groups per 1,000 residents, memberships per adult aged 15+)."""

import io
import json

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from registry import rekap as rekap_module
from registry.models import Wilayah
from tests.conftest import CIBEUREUM, MELONG

# Seed 004 III.A: Cibeureum has 23 RW, 170 RT, 11,571 KK and 39,652 residents. The seed gives no
# split by sex or age: these are made up to add up to its total.
SEED = {
    "jumlah_rw": 23, "jumlah_rt": 170, "jumlah_kk": 11571, "jumlah_penduduk": 39652,
    "penduduk_laki_laki": 19826, "penduduk_perempuan": 19826,
    "usia_0_4": 3652, "usia_5_14": 7000, "usia_15_24": 8000, "usia_25_59": 18000,
    "usia_60_plus": 3000,
}
LIVELIHOODS = "buruh/pegawai swasta; pegawai negeri; pengrajin; penjahit; petani"


@pytest.fixture
def make_profil(db):
    from registry.models import ProfilDesa

    def make(desa=CIBEUREUM, tahun=2006, **fields):
        profil = ProfilDesa(desa_id=desa, tahun=tahun, **fields)
        profil.full_clean()
        profil.save()
        return profil

    return make


def form_data(**changes):
    data = {"tahun": "2006", **{k: str(v) for k, v in SEED.items()},
            "mata_pencaharian": LIVELIHOODS, "sumber": "Monografi Kelurahan 2006"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# The rules ------------------------------------------------------------------------------------
def errors_of(**fields):
    from registry.models import ProfilDesa

    profil = ProfilDesa(desa_id=CIBEUREUM, tahun=2006, **fields)
    with pytest.raises(ValidationError) as caught:
        profil.full_clean()
    return caught.value.message_dict


def test_the_figures_must_agree(db):
    assert "penduduk_laki_laki" in errors_of(jumlah_penduduk=100, penduduk_laki_laki=40,
                                             penduduk_perempuan=50)
    bands = {"usia_0_4": 10, "usia_5_14": 10, "usia_15_24": 10, "usia_25_59": 10,
             "usia_60_plus": 10}
    assert "usia_0_4" in errors_of(jumlah_penduduk=100, **bands)  # 50 ≠ 100
    assert "usia_0_4" in errors_of(penduduk_laki_laki=20, penduduk_perempuan=20, usia_0_4=41)
    assert "jumlah_rt" in errors_of(jumlah_rw=5, jumlah_rt=4)
    assert "jumlah_kk" in errors_of(jumlah_penduduk=10, jumlah_kk=11)
    from registry.models import ProfilDesa

    with pytest.raises(ValidationError) as caught:
        ProfilDesa(desa_id=CIBEUREUM, tahun=1899).full_clean()
    assert "tahun" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        ProfilDesa(desa_id="32.77.01", tahun=2006).full_clean()
    assert "desa" in caught.value.message_dict


def test_the_population_follows_from_sex_or_bands(make_profil):
    assert make_profil(penduduk_laki_laki=60, penduduk_perempuan=40).jumlah_penduduk == 100
    bands = {"usia_0_4": 1, "usia_5_14": 2, "usia_15_24": 3, "usia_25_59": 4, "usia_60_plus": 5}
    made = make_profil(tahun=2007, **bands)
    assert (made.jumlah_penduduk, made.dewasa) == (15, 12)
    assert make_profil(tahun=2008, mata_pencaharian="petani;  Petani ; sopir").mata_pencaharian \
        == "petani; sopir"


def test_one_profile_per_village_and_year(make_profil):
    from django.db import IntegrityError, transaction

    make_profil()
    with pytest.raises(ValidationError):
        make_profil()
    from registry.models import ProfilDesa

    with pytest.raises(IntegrityError), transaction.atomic():
        ProfilDesa.objects.create(desa_id=CIBEUREUM, tahun=2006)


# The form -------------------------------------------------------------------------------------
def test_officer_enters_and_corrects_a_profile(client, operator):
    from registry.models import ProfilDesa

    client.force_login(operator)
    assert client.get(f"/profil/{CIBEUREUM}/baru/").status_code == 200
    response = client.post(f"/profil/{CIBEUREUM}/baru/", form_data())
    assert response.status_code == 302
    profil = ProfilDesa.objects.get(desa_id=CIBEUREUM, tahun=2006)
    assert (profil.jumlah_rw, profil.jumlah_rt, profil.jumlah_kk, profil.jumlah_penduduk) == (
        23, 170, 11571, 39652)
    assert profil.mata_pencaharian == LIVELIHOODS
    assert profil.history.count() == 1
    page = client.get(f"/profil/{CIBEUREUM}/")
    assert page.status_code == 200 and page.context["profiles"] == [profil]

    url = f"/profil/{CIBEUREUM}/2006/ubah/"
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(jumlah_kk="11600"))
    assert response.status_code == 302
    profil.refresh_from_db()
    assert profil.jumlah_kk == 11600
    assert profil.history.count() == 2
    [(_label, old, new)] = client.get(f"/profil/{CIBEUREUM}/").context["history"][0].fields
    assert (old, new) == ("11571", "11600")


def test_form_errors_are_400_and_keep_what_was_typed(client, operator, make_profil):
    from registry.models import ProfilDesa

    client.force_login(operator)
    url = f"/profil/{CIBEUREUM}/baru/"
    response = client.post(url, form_data(penduduk_laki_laki="1"))
    assert response.status_code == 400
    assert "penduduk_laki_laki" in response.context["form"].errors
    assert response.context["form"]["jumlah_kk"].value() == "11571"
    response = client.post(url, form_data(jumlah_rw="-1", tahun="abc"))
    assert response.status_code == 400
    assert {"jumlah_rw", "tahun"} <= set(response.context["form"].errors)
    make_profil(tahun=2006)
    response = client.post(url, form_data())
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["tahun"]] == [
        "profil_desa_tahun_unique"]
    assert ProfilDesa.objects.count() == 1
    assert client.post(url, {}).status_code == 400


def test_scoping(client, operator, operator_lain, pengamat, staf, staf_lain, make_profil):
    make_profil(**SEED)
    edit = f"/profil/{CIBEUREUM}/2006/ubah/"
    client.force_login(pengamat)  # Kota Cimahi, read-only
    assert client.get(f"/profil/{CIBEUREUM}/").status_code == 200
    assert client.get(f"/profil/{CIBEUREUM}/").context["can_edit"] is False
    assert client.get(edit).status_code == 403
    assert client.post(f"/profil/{CIBEUREUM}/baru/", form_data(tahun="2007")).status_code == 403
    client.force_login(operator_lain)  # Melong
    assert client.get(f"/profil/{CIBEUREUM}/").status_code == 404
    assert client.get(edit).status_code == 404
    assert client.post(f"/profil/{CIBEUREUM}/baru/", form_data(tahun="2007")).status_code == 404
    assert client.get(f"/profil/{MELONG}/baru/").status_code == 200
    client.force_login(staf_lain)  # Kota Bandung
    assert client.get(edit).status_code == 404
    client.force_login(staf)  # Kota Cimahi
    assert client.post(edit, form_data(sumber="BPS")).status_code == 302
    client.force_login(operator)
    assert client.get(f"/profil/{CIBEUREUM}/").context["can_edit"] is True
    assert client.get("/profil/32.77.01/").status_code == 404  # a kecamatan has no profile
    assert client.get(f"/profil/{CIBEUREUM}/9999/ubah/").status_code == 404
    from registry.models import ProfilDesa

    assert list(ProfilDesa.objects.visible_to(operator_lain)) == []
    assert ProfilDesa.objects.editable_by(pengamat).count() == 0


# The dashboard's ratios -----------------------------------------------------------------------
@pytest.fixture
def members_in(make_warga):
    """`n` current members of `group`, people of Cibeureum."""
    from members.models import Keanggotaan

    made = iter(range(1, 10000))

    def add(group, n):
        for _i in range(n):
            person = make_warga(f"3277014101800{next(made):03d}", wilayah_id=CIBEUREUM)
            Keanggotaan.objects.create(warga=person, perkumpulan=group)

    return add


def test_dashboard_ratios_for_a_village_and_a_city(client, operator, staf, pengamat,
                                                   make_perkumpulan, make_profil, members_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    groups = [make_perkumpulan(f"CBR-{i:03d}") for i in range(4)]  # Cibeureum: 4 active
    make_perkumpulan("CBR-OFF", aktif=False)
    make_perkumpulan("MLG-001", desa=MELONG)
    make_perkumpulan("X-001", desa="32.77.02.1001")  # no profile: not counted in the ratios
    members_in(groups[0], 6)
    members_in(groups[1], 3)
    make_profil(tahun=2000, jumlah_penduduk=1000)  # an older profile: not the latest
    make_profil(**SEED, mata_pencaharian=LIVELIHOODS)
    def queries(user):
        client.force_login(user)
        client.get("/")  # brings the stored counts up to date
        with CaptureQueriesContext(connection) as captured:
            client.get("/")
        return len(captured)

    few = {"operator": queries(operator), "staf": queries(staf)}
    client.force_login(operator)
    profil = client.get("/").context["profil"]
    assert (profil["desa"], profil["tahun"], profil["jumlah_rw"], profil["jumlah_rt"],
            profil["jumlah_kk"], profil["jumlah_penduduk"], profil["dewasa"]) == (
        1, 2006, 23, 170, 11571, 39652, 29000)
    assert (profil["perkumpulan"], profil["anggota"]) == (4, 9)
    assert profil.per_seribu == 0.10  # 4 × 1,000 / 39,652 = 0.1009
    assert profil.per_dewasa == 0.0  # 9 / 29,000
    assert profil["mata_pencaharian"] == LIVELIHOODS

    # Melong: 5,000 residents (2,000 adults), 1 group, no memberships.
    make_profil(desa=MELONG, tahun=2005, jumlah_penduduk=5000, usia_0_4=500, usia_5_14=2500,
                usia_15_24=500, usia_25_59=1000, usia_60_plus=500)
    client.force_login(staf)
    profil = client.get("/").context["profil"]
    assert (profil["desa"], profil["jumlah_penduduk"], profil["dewasa"], profil["perkumpulan"],
            profil["anggota"]) == (2, 44652, 31000, 5, 9)
    assert profil.per_seribu == 0.11  # 5 × 1,000 / 44,652 = 0.1120
    assert profil.per_dewasa == 0.0  # 9 / 31,000 = 0.00029
    client.force_login(pengamat)
    assert client.get("/").context["profil"]["jumlah_penduduk"] == 44652

    # More villages' profiles, more groups: the dashboard runs as many queries.
    for i, kode in enumerate(["32.77.02.1001", "32.77.02.1002", "32.77.03.1001"]):
        make_profil(desa=kode, tahun=2010 + i, jumlah_penduduk=100)
        make_perkumpulan(f"Y-{i}", desa=kode)
    assert {"operator": queries(operator), "staf": queries(staf)} == few
    assert client.get("/").context["profil"]["desa"] == 5


def test_dashboard_ratio_with_larger_numbers(client, operator, make_perkumpulan, make_profil,
                                             members_in):
    groups = [make_perkumpulan(f"CBR-{i:03d}") for i in range(3)]
    members_in(groups[0], 10)
    members_in(groups[2], 5)
    make_profil(jumlah_penduduk=400, usia_0_4=40, usia_5_14=60, usia_15_24=100,
                usia_25_59=150, usia_60_plus=50)
    client.force_login(operator)
    response = client.get("/")
    profil = response.context["profil"]
    assert profil.per_seribu == 7.5  # 3 × 1,000 / 400
    assert profil.per_dewasa == 0.05  # 15 / 300
    html = response.content.decode()
    assert "7,50" in html and "0,05" in html  # Indonesian decimals


def test_dashboard_without_profile(client, operator, make_perkumpulan):
    make_perkumpulan("CBR-001")
    client.force_login(operator)
    profil = client.get("/").context["profil"]
    assert profil["desa"] == 0 and profil.per_seribu is None and profil.per_dewasa is None


# The recap's block ----------------------------------------------------------------------------
def test_recap_shows_the_area_profile(client, staf, make_perkumpulan, make_profil, members_in):
    groups = [make_perkumpulan(f"CBR-{i:03d}") for i in range(3)]
    members_in(groups[0], 15)
    make_profil(tahun=2006, jumlah_penduduk=400, usia_0_4=40, usia_5_14=60, usia_15_24=100,
                usia_25_59=150, usia_60_plus=50)
    make_profil(tahun=2020, jumlah_penduduk=600)  # after the reference year 2006
    client.force_login(staf)
    response = client.get("/rekap/", {"wilayah": "32.77", "tahun": "2006"})
    rekap = response.context["rekap"]
    # Villages, year, RW, RT, KK, population, men, women, the 5 bands, adults, the two ratios
    # (by position: the labels are translated).
    expected = [1, 2006, None, None, None, 400, None, None, 40, 60, 100, 150, 50, 300, 7.5, 0.05]
    assert [value for _label, value in rekap.profil_rows()] == expected
    assert [t.nomor for t in rekap.tabel][:1] == [1]
    data = rekap.as_dict()["profil"]
    assert (data["jumlah_penduduk"], data["dewasa"], data["perkumpulan"], data["anggota"],
            data["per_1000_penduduk"], data["anggota_per_dewasa"]) == (400, 300, 3, 15, 7.5, 0.05)
    json.dumps(rekap.as_dict())
    assert "Profil wilayah" in rekap_module.as_text(rekap)
    assert "Profil wilayah" not in rekap_module.as_text(rekap_module.build(
        Wilayah.objects.get(pk="32.77.02"), 2006))
    later = client.get("/rekap/", {"wilayah": "32.77", "tahun": "2026"}).context["rekap"]
    assert later.profil["jumlah_penduduk"] == 600 and later.profil.per_seribu == 5.0
    book = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(
        "/rekap/xlsx/", {"wilayah": "32.77", "tahun": "2006"}).streaming_content)))
    sheet = book["Profil wilayah"]
    assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)] == expected
    assert "Profil wilayah" not in openpyxl.load_workbook(io.BytesIO(b"".join(client.get(
        "/rekap/xlsx/", {"wilayah": "32.77.02", "tahun": "2006"}).streaming_content))).sheetnames


# The admin ------------------------------------------------------------------------------------
def test_admin_scopes_village_profiles(client, operator, operator_lain, pengamat, make_profil):
    from django.urls import reverse

    from registry.models import ProfilDesa

    own = make_profil(**SEED)
    other = make_profil(desa=MELONG, tahun=2006, jumlah_penduduk=10)
    client.force_login(operator)
    changelist = client.get(reverse("admin:registry_profildesa_changelist"))
    assert changelist.status_code == 200
    assert list(changelist.context["cl"].result_list) == [own]
    assert client.get(reverse("admin:registry_profildesa_change", args=[other.pk])
                      ).status_code == 302  # Django's "no such record": back to the list
    add = reverse("admin:registry_profildesa_add")
    data = {"tahun": "2007", "jumlah_penduduk": "50", "mata_pencaharian": "", "sumber": ""}
    response = client.post(add, {**data, "desa": MELONG})
    assert response.status_code == 200 and "desa" in response.context["adminform"].form.errors
    response = client.post(add, {**data, "desa": CIBEUREUM, "tahun": "2006"})
    assert response.status_code == 200  # the year is taken
    assert client.post(add, {**data, "desa": CIBEUREUM}).status_code == 302
    assert ProfilDesa.objects.filter(desa_id=CIBEUREUM).count() == 2
    client.force_login(pengamat)
    assert client.get(reverse("admin:registry_profildesa_changelist")).status_code == 200
    assert client.get(add).status_code == 403
    page = client.get(reverse("admin:registry_profildesa_change", args=[own.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.get(reverse("admin:registry_profildesa_history", args=[own.pk])
                      ).status_code == 200


def test_the_profile_pages_cost_fixed_queries(client, operator, make_profil):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_profil(tahun=2000, jumlah_penduduk=10)
    client.force_login(operator)
    pages = [f"/profil/{CIBEUREUM}/", f"/profil/{CIBEUREUM}/2000/ubah/",
             f"/profil/{CIBEUREUM}/baru/"]

    def count():
        found = {}
        for url in pages:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            found[url] = len(captured)
        return found

    few = count()
    for year in range(2001, 2021):
        client.post(f"/profil/{CIBEUREUM}/baru/", form_data(tahun=str(year)))
    assert count() == few
    assert max(few.values()) <= 12, few
