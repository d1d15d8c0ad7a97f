"""Groups organised above the village (seed 004: BKB and Peta Keluarga up to the kecamatan or
province): created by form and by import, seen and changed by whoever holds their area or a
larger one, counted in their own area's recap and above but in no village's, and linked
`Berjenjang` to village groups."""

import pytest

from network.models import BentukHubungan, Hubungan
from registry import rekap
from registry.models import Perkumpulan
from tests.conftest import CIBEUREUM, MELONG, SUKARASA
from tests.network.conftest import add_link
from tests.registry.test_group_form import form_data
from tests.survey_files import created, group, imported, link, make_xlsx, message, refused

KECAMATAN = "32.77.01"  # Kecamatan Cimahi Selatan
KOTA = "32.77"


@pytest.fixture
def bkb(make_perkumpulan):
    """A BKB of the kecamatan and one of each of two villages below it, and one in Bandung."""
    return {
        "kec": make_perkumpulan("KEC-BKB-001", desa=KECAMATAN, jenis="BKB",
                                nama="BKB Kecamatan Cimahi Selatan", tahun_berdiri=1995),
        "cbr": make_perkumpulan("CBR-BKB-001", jenis="BKB", nama="BKB Mawar"),
        "mlg": make_perkumpulan("MLG-BKB-001", desa=MELONG, jenis="BKB", nama="BKB Melati"),
        "bdg": make_perkumpulan("BDG-BKB-001", desa=SUKARASA, jenis="BKB"),
    }


# Creating --------------------------------------------------------------------------------------
def test_staff_create_a_group_at_the_kecamatan_by_its_code(client, staf):
    client.force_login(staf)
    response = client.post("/perkumpulan/baru/", form_data(desa_kode="327701", rw=None))
    assert response.status_code == 302
    group = Perkumpulan.objects.get(kode="CBR-PY-009")
    assert group.desa_id == KECAMATAN and group.di_atas_desa
    page = client.get("/perkumpulan/CBR-PY-009/").content.decode()
    assert "Tingkat kepengurusan" in page and "Cimahi Selatan (32.77.01)" in page


@pytest.mark.parametrize(("kode", "code"), [
    ("32.73", "outside_area"),  # Kota Bandung: not the staff's
    ("32", "outside_area"),  # the province contains the staff's city: larger than their area
    ("32.77.99", "outside_area"),  # no such kecamatan
    ("32.7x", "kode"),  # not an area code
])
def test_an_area_outside_the_staff_or_unknown_is_refused(client, staf, kode, code):
    client.force_login(staf)
    response = client.post("/perkumpulan/baru/", form_data(desa_kode=kode))
    assert response.status_code == 400
    assert response.context["form"].has_error("desa_kode", code)
    assert not Perkumpulan.objects.filter(kode="CBR-PY-009").exists()


def test_an_operator_creates_in_their_village_only(client, operator):
    client.force_login(operator)
    assert client.post("/perkumpulan/baru/", form_data(desa_kode=KECAMATAN)).status_code == 302
    assert Perkumpulan.objects.get(kode="CBR-PY-009").desa_id == CIBEUREUM


def test_the_survey_import_takes_a_kecamatan_or_city_code(tmp_path, staf):
    path = make_xlsx(tmp_path, {"perkumpulan": [
        group("KEC-BKB-001", desa=KECAMATAN, jenis="BKB"),
        group("KOTA-PK-001", desa="3277", jenis="BKB", nama="Peta Keluarga Kota Cimahi"),
        group("CBR-BKB-001", jenis="BKB"),
    ], "jaringan": [
        link("CBR-BKB-001", "KEC-BKB-001", bentuk_hubungan="Berjenjang (vertikal)"),
        link("KEC-BKB-001", "KOTA-PK-001", bentuk_hubungan="Berjenjang"),
    ]})
    imp = imported(path, user=staf)
    assert imp.counts["perkumpulan"].as_dict() == created(3)
    assert dict(Perkumpulan.objects.values_list("kode", "desa")) == {
        "KEC-BKB-001": KECAMATAN, "KOTA-PK-001": KOTA, "CBR-BKB-001": CIBEUREUM}
    assert sorted((h.perkumpulan.kode, h.mitra_perkumpulan.kode, h.bentuk)
                  for h in Hubungan.objects.all()) == [
        ("CBR-BKB-001", "KEC-BKB-001", BentukHubungan.BERJENJANG),
        ("KEC-BKB-001", "KOTA-PK-001", BentukHubungan.BERJENJANG),
    ]


def test_the_import_refuses_unknown_codes_and_areas_outside_the_user(tmp_path, staf, operator):
    path = make_xlsx(tmp_path, {"perkumpulan": [group("X-1", desa="32.77.99")]})
    imp = refused(path, [("perkumpulan", 2, "kode_wilayah")], user=staf)
    assert "32.77.99" in message(imp)
    path = make_xlsx(tmp_path, {"perkumpulan": [group("X-1", desa="32.73")]}, name="b.xlsx")
    imp = refused(path, [("perkumpulan", 2, "kode_wilayah")], user=staf)
    assert "32.73" in message(imp)
    # An operator may not write the kecamatan their village lies in (access.may_write_area).
    path = make_xlsx(tmp_path, {"perkumpulan": [group("X-1", desa=KECAMATAN)]}, name="c.xlsx")
    refused(path, [("perkumpulan", 2, "kode_wilayah")], user=operator)


def test_the_admin_places_a_group_at_an_area_the_user_may_write(client, staf, operator):
    from django.urls import reverse

    from tests.registry.test_admin import add_group_data

    client.force_login(operator)
    response = client.post(reverse("admin:registry_perkumpulan_add"), add_group_data(KECAMATAN))
    assert response.status_code == 200 and "desa" in response.context["adminform"].form.errors
    client.force_login(staf)
    response = client.post(reverse("admin:registry_perkumpulan_add"), add_group_data("32.73"))
    assert response.status_code == 200 and "desa" in response.context["adminform"].form.errors
    response = client.post(reverse("admin:registry_perkumpulan_add"), add_group_data(KECAMATAN))
    assert response.status_code == 302
    assert Perkumpulan.objects.get(kode="CBR-PSY-009").desa_id == KECAMATAN


# Who sees and changes it -------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "page", "form"), [
    ("operator", 404, 404),  # a village below it
    ("staf", 200, 200),  # the city's Dinas Sosial
    ("pengamat", 200, 403),  # an observer of the city: reads, never writes
    ("staf_lain", 404, 404),  # another city
    ("admin_user", 200, 200),
])
def test_who_sees_and_changes_a_kecamatan_group(client, request, bkb, role, page, form):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/perkumpulan/KEC-BKB-001/").status_code == page
    assert client.get("/perkumpulan/KEC-BKB-001/ubah/").status_code == form


def test_the_list_of_the_city_shows_it_and_a_villages_list_does_not(client, bkb, staf, operator):
    client.force_login(staf)
    client.get("/")  # the stored counts up to date: the total is read from them
    response = client.get("/perkumpulan/")
    assert [row[0] for row in response.context["page"].object_list] == [
        "CBR-BKB-001", "KEC-BKB-001", "MLG-BKB-001"]
    assert response.context["page"].paginator.count == 3
    client.force_login(operator)
    response = client.get("/perkumpulan/")
    assert [row[0] for row in response.context["page"].object_list] == ["CBR-BKB-001"]
    assert response.context["page"].paginator.count == 1


def test_a_kecamatan_observer_sees_its_groups(client, bkb):
    from tests.conftest import make_user

    client.force_login(make_user("pengamat_kec", "pengamat", KECAMATAN))
    response = client.get("/perkumpulan/")
    assert [row[0] for row in response.context["page"].object_list] == [
        "CBR-BKB-001", "KEC-BKB-001", "MLG-BKB-001"]


def test_staff_add_a_member_to_it_and_the_village_operator_sees_neither(client, bkb, staf,
                                                                      operator):
    from members.models import Keanggotaan, Warga
    from tests.members.conftest import NEW_NIK, add

    client.force_login(staf)
    assert add(client, "KEC-BKB-001", peran="KETUA").status_code == 302
    membership = Keanggotaan.objects.get(perkumpulan__kode="KEC-BKB-001")
    assert (membership.warga.nik, membership.peran) == (NEW_NIK, "KETUA")
    assert client.get(f"/anggota/{membership.pk}/").status_code == 200
    client.force_login(operator)
    assert client.get(f"/anggota/{membership.pk}/").status_code == 404
    assert not Warga.objects.visible_to(operator).filter(nik=NEW_NIK).exists()


# The recap -------------------------------------------------------------------------------------
def totals(kode):
    from registry.models import Wilayah

    return rekap.build(Wilayah.objects.get(pk=kode), 2026).jumlah_perkumpulan


def test_counted_in_the_kecamatan_and_city_but_in_no_village(bkb):
    assert {kode: totals(kode) for kode in (CIBEUREUM, MELONG, KECAMATAN, KOTA, "32")} == {
        CIBEUREUM: 1, MELONG: 1, KECAMATAN: 3, KOTA: 3, "32": 4}
    # Table 1 of the kecamatan counts it by its founding year (1995: ≥ 10 years).
    from registry.models import Wilayah

    table = rekap.build(Wilayah.objects.get(pk=KECAMATAN), 2026).tabel[0]
    assert (table.baris[0].label, table.baris[0].nilai) == ("BKB", [0, 3])
    # Moved to a village, inactive, deleted: the stored counts follow.
    bkb["kec"].desa_id = MELONG
    bkb["kec"].save()
    assert (totals(MELONG), totals(KECAMATAN), totals(KOTA)) == (2, 3, 3)
    bkb["kec"].desa_id = KECAMATAN
    bkb["kec"].save()
    assert (totals(MELONG), totals(KECAMATAN)) == (1, 3)
    bkb["kec"].aktif = False
    bkb["kec"].save()
    assert (totals(KECAMATAN), totals(KOTA), totals("32")) == (2, 2, 3)
    bkb["kec"].delete()
    assert (totals(KECAMATAN), totals(KOTA)) == (2, 2)
    assert rekap.refresh_all() == 3  # every area with groups, the kecamatan no more
    assert (totals(CIBEUREUM), totals(KECAMATAN), totals(KOTA), totals("32")) == (1, 2, 2, 3)


def test_a_full_rebuild_gives_the_same_store(bkb, make_perkumpulan):
    from registry.models import RekapSel

    make_perkumpulan("KOTA-PK-001", desa=KOTA, jenis="BKB", jaringan_kerja="PEMERINTAH")
    for kode in (CIBEUREUM, KECAMATAN, KOTA, "32"):
        totals(kode)
    kept = set(RekapSel.objects.values_list("wilayah", "jenis", "dimensi", "nilai", "jumlah"))
    assert rekap.refresh_all() == 5
    assert set(RekapSel.objects.values_list("wilayah", "jenis", "dimensi", "nilai",
                                            "jumlah")) == kept


def test_the_drill_down_shows_the_kecamatan_level_row(client, bkb, staf):
    client.force_login(staf)
    response = client.get("/rekap/", {"wilayah": KECAMATAN, "tahun": 2026})
    rows = [(r["wilayah"].kode if r["wilayah"] else str(r.get("own", "Total")), r["jumlah"])
            for r in response.context["compare_rows"] if r["jumlah"]]
    assert rows == [(MELONG, 1), (CIBEUREUM, 1), ("Tingkat kecamatan (bukan desa)", 1),
                    ("Total", 3)]
    assert b'Tingkat kecamatan (bukan desa)' in response.content
    # The village's own recap page has no such row, and counts its one group.
    response = client.get("/rekap/", {"wilayah": CIBEUREUM, "tahun": 2026})
    assert response.context["rekap"].jumlah_perkumpulan == 1
    assert response.context["compare_rows"] == []
    # The city's: the kecamatan's row holds it (3), no row at the city's own level.
    response = client.get("/rekap/", {"wilayah": KOTA, "tahun": 2026})
    rows = [(r["wilayah"].kode if r["wilayah"] else "Total", r["jumlah"])
            for r in response.context["compare_rows"] if r["jumlah"]]
    assert rows == [(KECAMATAN, 3), ("Total", 3)]


# Links -----------------------------------------------------------------------------------------
def test_staff_link_a_village_group_to_the_kecamatan_one(client, bkb, staf, operator):
    client.force_login(staf)
    response = add_link(client, "CBR-BKB-001", kode_perkumpulan="KEC-BKB-001",
                        bentuk="BERJENJANG")
    assert response.status_code == 302
    response = add_link(client, "KEC-BKB-001", kode_perkumpulan="MLG-BKB-001",
                        bentuk="BERJENJANG")
    assert response.status_code == 302
    assert sorted(Hubungan.objects.values_list("perkumpulan__kode", "mitra_perkumpulan__kode",
                                               "bentuk")) == [
        ("CBR-BKB-001", "KEC-BKB-001", "BERJENJANG"), ("KEC-BKB-001", "MLG-BKB-001", "BERJENJANG")]
    panel = client.get("/perkumpulan/KEC-BKB-001/").context["panels"]
    rows = next(p["context"]["rows"] for p in panel if "rows" in p["context"])
    assert [(r["outgoing"], r["other"].kode) for r in rows] == [
        (False, "CBR-BKB-001"), (True, "MLG-BKB-001")]
    # The operator sees the link on their group's page, by the other group's name and code.
    client.force_login(operator)
    page = client.get("/perkumpulan/CBR-BKB-001/")
    assert b"BKB Kecamatan Cimahi Selatan" in page.content and b"KEC-BKB-001" in page.content
    # ... but reaches no further: the kecamatan's group is not theirs to link by code.
    response = add_link(client, "CBR-BKB-001", kode_perkumpulan="KEC-BKB-001", bentuk="RUJUKAN")
    assert response.status_code == 400


# Query counts ----------------------------------------------------------------------------------
def test_the_list_costs_the_same_queries_with_groups_above_the_village(
        client, staf, make_perkumpulan):
    from tests.registry.test_group_list import PAGES, count_queries

    make_perkumpulan("CBR-DW-001")
    client.force_login(staf)
    for url in PAGES:  # the filter's rendered fields are kept after a first request
        client.get(url)
    few = {url: count_queries(client, url) for url in PAGES}
    for i in range(6):
        make_perkumpulan(f"ATAS-{i}", desa=[KECAMATAN, KOTA][i % 2], jenis="BKB")
    client.get("/")
    assert {url: count_queries(client, url) for url in PAGES} == few


def test_every_record_scoped_by_its_group_follows_a_group_above_the_village():
    """A record whose area is its group's (a membership, a link, a fund entry…) must be found
    where the group is, at any level: one missing flag hides a kecamatan group's records."""
    from django.apps import apps

    by_group = [m for m in apps.get_models()
                if getattr(m, "scope_path", "").startswith("perkumpulan__")
                and not hasattr(m, "scope_filter")]
    assert len(by_group) >= 4
    assert [m.__name__ for m in by_group if not getattr(m, "scope_any_level", False)] == []
