"""Who sees and changes which aid records: programmes seen from their area, every area within it
and every area containing it; recipients and distributions name the poor (never for observers);
the admin's lists for each role, its lookup guard, and the help inline of a PMKS case."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from bantuan.models import LaporanStimulan, Penerima, Penyaluran, Program
from pmks.models import KasusPMKS, KategoriPMKS
from registry.models import User
from tests.conftest import CIBEUREUM, MELONG, SUKARASA

D = datetime.date
KECAMATAN, KOTA, PROVINSI, BANDUNG = "32.77.01", "32.77", "32", "32.73"
ROLES = ["operator", "operator_lain", "staf", "staf_lain", "pengamat", "admin_user"]


def make_program(kode, wilayah, **fields) -> Program:
    fields.setdefault("bentuk", "UANG")
    fields.setdefault("sasaran", "WARGA")
    record = Program(kode=kode, nama=f"Program {kode}", wilayah_id=wilayah, sumber="PEMERINTAH",
                     mulai=D(2025, 1, 1), selesai=D(2025, 12, 31), **fields)
    record.full_clean()
    record.save()
    return record


def make_penerima(program, **target) -> Penerima:
    record = Penerima(program=program, **target)
    record.full_clean()
    record.save()
    return record


@pytest.fixture
def aid(db, make_warga, make_perkumpulan):
    programmes = {name: make_program(f"P-{name.upper()}", area) for name, area in [
        ("cbr", CIBEUREUM), ("mlg", MELONG), ("kec", KECAMATAN), ("kota", KOTA),
        ("prov", PROVINSI), ("bdg", BANDUNG)]}
    stimulan = make_program("P-STIM-KEC", KECAMATAN, bentuk="STIMULAN", sasaran="PERKUMPULAN")
    siti = make_warga("3277014101800001", nama="Siti Cibeureum", wilayah_id=CIBEUREUM)
    budi = make_warga("3277011505750002", nama="Budi Melong", wilayah_id=MELONG)
    asep = make_warga("3273010101900003", nama="Asep Sukarasa", wilayah_id=SUKARASA)
    kelompok = make_perkumpulan("KEC-BKB-001", desa=KECAMATAN, jenis="BKB",
                                nama="BKB Kecamatan")
    recipients = {
        "siti": make_penerima(programmes["kota"], warga=siti),
        "budi": make_penerima(programmes["kota"], warga=budi),
        "asep": make_penerima(programmes["prov"], warga=asep),
        "kelompok": make_penerima(stimulan, perkumpulan=kelompok),
    }
    given = {name: Penyaluran.objects.create(penerima=r, tanggal=D(2025, 3, 1), nilai=300_000,
                                             keterangan=f"Tahap 1 {name}")
             for name, r in recipients.items()}
    LaporanStimulan.objects.create(penerima=recipients["kelompok"], tanggal=D(2025, 6, 1),
                                   kegiatan="Pelatihan", terpakai=100_000, sisa=200_000)
    return {"program": programmes, "stimulan": stimulan, "penerima": recipients,
            "penyaluran": given}


def codes(queryset) -> set[str]:
    return set(queryset.values_list("kode", flat=True))


# Programmes -----------------------------------------------------------------------------------
def test_an_operator_sees_their_villages_programmes_and_those_containing_it(aid, operator):
    assert codes(Program.objects.visible_to(operator)) == {
        "P-CBR", "P-KEC", "P-STIM-KEC", "P-KOTA", "P-PROV"}
    assert codes(Program.objects.editable_by(operator)) == {"P-CBR"}


def test_staff_see_everything_within_their_kabupaten_and_the_province(aid, staf, staf_lain):
    assert codes(Program.objects.visible_to(staf)) == {
        "P-CBR", "P-MLG", "P-KEC", "P-KOTA", "P-PROV", "P-STIM-KEC"}
    assert codes(Program.objects.editable_by(staf)) == {
        "P-CBR", "P-MLG", "P-KEC", "P-KOTA", "P-STIM-KEC"}
    assert codes(Program.objects.visible_to(staf_lain)) == {"P-BDG", "P-PROV"}
    assert codes(Program.objects.editable_by(staf_lain)) == {"P-BDG"}


def test_an_observer_sees_programmes_and_changes_none(aid, pengamat):
    assert codes(Program.objects.visible_to(pengamat)) == {
        "P-CBR", "P-MLG", "P-KEC", "P-KOTA", "P-PROV", "P-STIM-KEC"}
    assert not Program.objects.editable_by(pengamat).exists()


def test_the_scope_of_an_admin_without_an_area_a_user_without_one_and_inactive_users(
        aid, admin_user, operator):
    everything = codes(Program.objects.all())
    assert codes(Program.objects.visible_to(admin_user)) == everything
    assert Program.objects.filter(Program.scope_filter(admin_user)).count() == len(everything)
    nowhere = User.objects.create(username="operator_tanpa_wilayah", peran="operator")
    assert not Program.objects.visible_to(nowhere).exists()
    assert not Program.objects.filter(Program.scope_filter(nowhere)).exists()
    operator.is_active = False
    operator.save()
    assert not Program.objects.visible_to(operator).exists()
    assert not Program.objects.filter(Program.scope_filter(operator)).exists()
    assert not Program.objects.filter(Program.scope_filter(AnonymousUser())).exists()
    assert not Program.objects.visible_to(AnonymousUser()).exists()


# Recipients and distributions -----------------------------------------------------------------
def names(queryset) -> set[str]:
    return {r.nama for r in queryset}


def test_recipients_and_distributions_by_role(aid, operator, operator_lain, staf, staf_lain,
                                              pengamat, admin_user):
    everyone = {"Siti Cibeureum", "Budi Melong", "Asep Sukarasa", "BKB Kecamatan"}
    expected = {
        operator: {"Siti Cibeureum"},
        operator_lain: {"Budi Melong"},
        staf: {"Siti Cibeureum", "Budi Melong", "BKB Kecamatan"},
        staf_lain: {"Asep Sukarasa"},
        pengamat: set(),
        admin_user: everyone,
    }
    for user, seen in expected.items():
        assert names(Penerima.objects.visible_to(user)) == seen, user
        assert {p.penerima.nama for p in Penyaluran.objects.visible_to(user)} == seen, user
    assert names(Penerima.objects.editable_by(operator)) == {"Siti Cibeureum"}
    assert not Penerima.objects.editable_by(pengamat).exists()
    assert not Penyaluran.objects.visible_to(pengamat).exists()
    # A stimulus report (a group's) is seen from the group's area and above only.
    assert LaporanStimulan.objects.visible_to(staf).count() == 1
    assert not LaporanStimulan.objects.visible_to(operator).exists()


# The admin ------------------------------------------------------------------------------------
CHANGELISTS = ["program", "penerima", "penyaluran", "laporanstimulan"]
FORBIDDEN = {("pengamat", "penerima"), ("pengamat", "penyaluran")}


@pytest.mark.parametrize("role", ROLES)
def test_every_aid_changelist_for_every_role(client, aid, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    visible = {
        "program": Program.objects.visible_to(user),
        "penerima": Penerima.objects.visible_to(user),
        "penyaluran": Penyaluran.objects.visible_to(user),
        "laporanstimulan": LaporanStimulan.objects.visible_to(user),
    }
    for model in CHANGELISTS:
        response = client.get(f"/admin/bantuan/{model}/")
        if (role, model) in FORBIDDEN:
            assert response.status_code == 403, model
            assert "Siti" not in response.content.decode()
            continue
        assert response.status_code == 200, model
        listed = {row.pk for row in response.context["cl"].result_list}
        assert listed == set(visible[model].values_list("pk", flat=True)), model
    if role == "operator":
        page = client.get("/admin/bantuan/penerima/").content.decode()
        assert "Siti Cibeureum" in page and "Budi Melong" not in page
        page = client.get("/admin/bantuan/penyaluran/").content.decode()
        assert "Siti Cibeureum" in page and "Budi Melong" not in page


@pytest.mark.parametrize("role", ["operator", "staf", "admin_user"])
def test_a_recipient_of_another_village_is_not_opened(client, aid, request, role):
    client.force_login(request.getfixturevalue(role))
    budi = aid["penerima"]["budi"]
    response = client.get(f"/admin/bantuan/penerima/{budi.pk}/change/")
    if role == "operator":
        assert response.status_code == 302  # "does not exist": back to the list
        assert Penerima.objects.filter(pk=budi.pk).exists()
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("role", ["operator", "staf", "pengamat", "admin_user"])
def test_undeclared_lookups_are_refused(client, aid, request, role):
    client.force_login(request.getfixturevalue(role))
    for url in (
        "/admin/bantuan/penyaluran/?penerima__warga__nik__startswith=32",
        "/admin/bantuan/penerima/?warga__nik__startswith=32",
        "/admin/bantuan/penerima/?kasus__isnull=False",
        "/admin/bantuan/program/?penerima__warga__nik__startswith=32",
        "/admin/bantuan/program/?penerima__isnull=False",
        "/admin/bantuan/laporanstimulan/?penerima__perkumpulan__kode__startswith=KEC",
    ):
        response = client.get(url)
        assert response.status_code in (400, 403), url
        assert "Siti" not in response.content.decode()
    assert client.get("/admin/bantuan/program/?penerima__isnull=False").status_code == 400


def test_declared_filters_still_answer(client, aid, staf):
    client.force_login(staf)
    for url, query in [
        ("/admin/bantuan/program/", {"wilayah": CIBEUREUM}),
        ("/admin/bantuan/program/", {"bentuk__exact": "UANG", "ad_hoc__exact": "0"}),
        ("/admin/bantuan/penerima/", {"status__exact": "USULAN", "wilayah": MELONG}),
        ("/admin/bantuan/penerima/", {"program__bentuk__exact": "STIMULAN"}),
        ("/admin/bantuan/penyaluran/", {"tanggal__year": "2025", "wilayah": CIBEUREUM}),
    ]:
        response = client.get(url, query)
        assert response.status_code == 200, (url, query)
    response = client.get("/admin/bantuan/penerima/", {"wilayah": MELONG})
    assert {r.nama for r in response.context["cl"].result_list} == {"Budi Melong"}


def test_a_programme_is_added_in_the_admin_with_its_code(client, db, operator):
    client.force_login(operator)
    response = client.post("/admin/bantuan/program/add/", {
        "kode": "BLT-CBR-2025", "nama": "BLT Dana Desa", "sumber": "DANA_DESA",
        "bentuk": "UANG", "sasaran": "WARGA", "wilayah": CIBEUREUM, "mulai": "2025-01-01",
        "selesai": "2025-12-31", "batas_laporan_hari": "90"})
    assert response.status_code == 302
    assert Program.objects.get(kode="BLT-CBR-2025").wilayah_id == CIBEUREUM


def test_the_help_given_shows_read_only_on_the_cases_admin_page(client, aid, staf, make_warga):
    kasus = KasusPMKS.objects.create(warga=aid["penerima"]["siti"].warga, nama="Siti Cibeureum",
                                     desa_id=CIBEUREUM,
                                     kategori=KategoriPMKS.objects.get(kode="FM"))
    Penyaluran.bantu_kasus(kasus, tanggal=D(2025, 4, 2), sumber="DANA_DESA", bentuk="UANG",
                           nilai=150_000, keterangan="Bantuan sembako darurat")
    client.force_login(staf)
    response = client.get(f"/admin/pmks/kasuspmks/{kasus.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bantuan sembako darurat" in page
    (inline,) = [f for f in response.context["inline_admin_formsets"]
                 if f.formset.model is Penyaluran]
    assert not (inline.has_add_permission or inline.has_change_permission
                or inline.has_delete_permission)
    assert f'name="{inline.formset.prefix}-0-nilai"' not in page
