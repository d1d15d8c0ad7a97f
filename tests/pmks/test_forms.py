"""The case forms on the web: a new case (by NIK, by name and address), a changed case, a status
change, a referral, help given — who may use them, what they write, and that bad input is told
beside the field with nothing written."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from bantuan.models import Penyaluran
from members.models import Warga
from pmks.models import (
    KasusPMKS,
    KategoriPMKS,
    LogAkses,
    RiwayatStatus,
    Rujukan,
    StatusKasus,
)
from tests.conftest import CIBEUREUM, MELONG
from tests.pmks.conftest import NIK

NEW_NIK = "3277011505900002"
ROLES = ["anonymous", "operator", "operator_lain", "staf", "staf_lain", "pengamat", "admin_user"]


def snapshot() -> tuple:
    return tuple(model.objects.count()
                 for model in (KasusPMKS, Warga, RiwayatStatus, Rujukan, Penyaluran))


def tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(("method", "url", "expected"), [
    ("get", "/pmks/baru/", [302, 200, 200, 200, 200, 403, 200]),
    ("get", "/pmks/{icih}/ubah/", [302, 200, 404, 200, 404, 403, 200]),
    # Empty forms: refused with the errors (400) where the case may be changed, nothing written.
    ("post", "/pmks/{icih}/ubah/", [302, 400, 404, 400, 404, 403, 400]),
    ("post", "/pmks/{icih}/status/", [302, 400, 404, 400, 404, 403, 400]),
    ("post", "/pmks/{icih}/rujukan/", [302, 400, 404, 400, 404, 403, 400]),
    ("post", "/pmks/{icih}/bantuan/", [302, 400, 404, 400, 404, 403, 400]),
])
def test_permission_matrix(client, request, cases, method, url, expected):
    before = snapshot()
    for role, status in zip(ROLES, expected, strict=True):
        client.logout()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        response = getattr(client, method)(url.format(icih=cases["icih"].pk))
        assert response.status_code == status, (role, method, url)
    assert snapshot() == before


def test_a_get_of_an_action_is_refused(client, operator, cases):
    client.force_login(operator)
    assert client.get(f"/pmks/{cases['icih'].pk}/status/").status_code == 405


def test_the_case_page_offers_the_forms_to_those_who_may_change_it(client, operator, cases):
    client.force_login(operator)
    response = client.get(f"/pmks/{cases['icih'].pk}/")
    assert [name for name, _title, _form in response.context["forms"]] == [
        "status", "rujukan", "bantuan"]
    html = response.content.decode()
    assert f'action="/pmks/{cases["icih"].pk}/rujukan/"' in html
    assert f'href="/pmks/{cases["icih"].pk}/ubah/"' in html
    # Help is given by the accompanying group unless another is typed.
    field = {name: form for name, _title, form in response.context["forms"]}["bantuan"][
        "perkumpulan"]
    assert field.value() == cases["icih"].pendamping.kode == "CBR-DW-001"
    assert 'name="perkumpulan" value="CBR-DW-001"' in html


def new_case(client, **data):
    data.setdefault("kategori", KategoriPMKS.objects.order_by("urutan", "nama")[0].pk)
    return client.post("/pmks/baru/", data)


def test_an_operator_records_a_case_by_name_and_address(client, operator, cases):
    client.force_login(operator)
    response = new_case(client, nama="Nini Ooh", rw="2", rt="4", alamat="Kp. Cibeureum",
                        tanggal_identifikasi="2026-03-01")
    case = KasusPMKS.objects.get(nama="Nini Ooh")
    assert response.status_code == 302 and response.url == f"/pmks/{case.pk}/"
    assert (case.desa_id, case.rw, case.rt, case.warga, case.status) == (
        CIBEUREUM, 2, 4, None, StatusKasus.TERIDENTIFIKASI)
    first = case.riwayat.get()
    assert (first.status, first.tanggal, first.oleh) == (
        StatusKasus.TERIDENTIFIKASI, datetime.date(2026, 3, 1), operator)
    assert "Nini Ooh" in [c.nama for c in client.get("/pmks/").context["page"].object_list]


def test_a_new_nik_registers_the_person_where_they_live(client, operator, cases):
    client.force_login(operator)
    response = new_case(client, nik="3277 0115 0590 0002", nama="Asep", rw="7",
                        pendamping_kode="CBR-DW-001")
    assert response.status_code == 302
    person = Warga.objects.get(nik=NEW_NIK)
    assert (person.nama, person.wilayah_id, person.rw) == ("Asep", CIBEUREUM, 7)
    case = KasusPMKS.objects.get(warga=person)
    assert case.pendamping == cases["icih"].pendamping


def test_a_registered_person_is_found_by_nik_and_keeps_their_name(client, operator, cases):
    client.force_login(operator)
    second = KategoriPMKS.objects.order_by("urutan", "nama")[1]
    people = Warga.objects.count()
    assert new_case(client, nik=NIK, kategori=second.pk).status_code == 302
    case = KasusPMKS.objects.get(warga__nik=NIK, kategori=second)
    assert case.nama == "Mak Icih" and Warga.objects.count() == people


@pytest.mark.parametrize(("data", "field", "code"), [
    ({"nik": NIK}, "kategori", "pmks_person_category_open_unique"),  # Mak Icih, same category
    ({"nama": "Ujang Baru", "nik": "3277011505900"}, "nik", "nik_length"),
    ({"nama": "Ujang Baru", "tanggal_identifikasi": "tomorrow"}, "tanggal_identifikasi",
     "future"),
    ({"nama": "Ujang Baru", "pendamping_kode": "TIDAK-ADA"}, "pendamping_kode", "unknown"),
    ({"nama": "Ujang Baru", "pendamping_kode": "MLG-DW-001"}, "pendamping_kode", "unknown"),
    ({"nama": ""}, "nama", "required"),
    ({"nama": "Ujang Baru", "rw": "1000"}, "rw", None),
])
def test_bad_input_is_told_beside_the_field_and_nothing_is_written(
        client, operator, cases, make_perkumpulan, data, field, code):
    make_perkumpulan("MLG-DW-001", desa=MELONG)  # a group the operator of Cibeureum cannot use
    if data.get("tanggal_identifikasi") == "tomorrow":
        data["tanggal_identifikasi"] = tomorrow()
    client.force_login(operator)
    before = snapshot()
    response = new_case(client, **data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error(field, code) if code else form.has_error(field), form.errors.as_data()
    assert snapshot() == before
    if data.get("nama"):
        assert data["nama"] in response.content.decode()  # nothing typed is lost


def test_the_same_name_and_category_in_a_village_is_one_case(client, operator, cases):
    client.force_login(operator)
    response = new_case(client, nama="Abah Entis", kategori=cases["entis"].kategori_id)
    assert response.context["form"].has_error("kategori", "pmks_name_category_unique")
    # Another category is another case of the same person.
    assert new_case(client, nama="Abah Entis").status_code == 302


def test_staff_choose_a_village_of_their_area(client, staf, staf_lain, cases):
    client.force_login(staf_lain)
    response = new_case(client, nama="Ujang Baru", desa_kode="32.77.01.1002")
    assert response.context["form"].has_error("desa_kode", "outside_area")
    client.force_login(staf)
    assert new_case(client, nama="Ujang Baru").context["form"].has_error("desa_kode", "required")
    assert new_case(client, nama="Ujang Baru", desa_kode=MELONG).status_code == 302
    assert KasusPMKS.objects.get(nama="Ujang Baru").desa_id == MELONG


def test_a_case_is_changed_without_touching_its_status(client, operator, cases):
    client.force_login(operator)
    entis = cases["entis"]
    response = client.post(f"/pmks/{entis.pk}/ubah/", {
        "nama": "Abah Entis", "rw": "6", "kategori": entis.kategori_id,
        "pendamping_kode": "CBR-DW-001", "respon": "BERSYUKUR",
    })
    assert response.status_code == 302
    entis.refresh_from_db()
    assert (entis.rw, entis.pendamping.kode, entis.respon, entis.status) == (
        6, "CBR-DW-001", "BERSYUKUR", StatusKasus.TERIDENTIFIKASI)
    assert not entis.riwayat.exists()  # a change of data is no change of status


def test_the_edit_form_starts_from_the_case(client, operator, cases):
    client.force_login(operator)
    form = client.get(f"/pmks/{cases['icih'].pk}/ubah/").context["form"]
    assert (form["nik"].value(), form["nama"].value(), form["pendamping_kode"].value()) == (
        NIK, "Mak Icih", "CBR-DW-001")
    assert "desa_kode" not in form.fields  # an operator's cases are in their village
    # The accompanying group is typed; the village's groups are offered first as it is.
    assert form.fields["pendamping_kode"].widget.attrs["data-desa"] == CIBEUREUM
    # The form shows the full NIK: it is a view of the case, logged.
    assert LogAkses.objects.get().kasus == cases["icih"]


def test_a_status_change_is_dated_by_whom_and_why(client, operator, cases):
    client.force_login(operator)
    entis = cases["entis"]
    response = client.post(f"/pmks/{entis.pk}/status/", {
        "status": "DITANGANI", "tanggal": "2026-05-02", "catatan": "dikunjungi kader"})
    assert response.status_code == 302 and response.url.endswith("#timeline-judul")
    entis.refresh_from_db()
    assert entis.status == StatusKasus.DITANGANI
    record = entis.riwayat.get()
    assert (record.tanggal, record.oleh, record.catatan) == (
        datetime.date(2026, 5, 2), operator, "dikunjungi kader")
    assert "dikunjungi kader" in client.get(f"/pmks/{entis.pk}/").content.decode()


@pytest.mark.parametrize(("data", "field", "code"), [
    ({"status": "TERIDENTIFIKASI"}, "status", "same_status"),
    ({"status": "HILANG"}, "status", "invalid_choice"),
    ({"status": "SELESAI", "tanggal": "tomorrow"}, "tanggal", "future"),
    ({"status": "SELESAI", "tanggal": "kemarin"}, "tanggal", "invalid"),
])
def test_a_bad_status_change_is_refused(client, operator, cases, data, field, code):
    if data.get("tanggal") == "tomorrow":
        data["tanggal"] = tomorrow()
    client.force_login(operator)
    before = snapshot()
    response = client.post(f"/pmks/{cases['entis'].pk}/status/", data)
    assert response.status_code == 400
    assert response.context["form"].has_error(field, code), response.context["form"].errors
    assert snapshot() == before
    cases["entis"].refresh_from_db()
    assert cases["entis"].status == StatusKasus.TERIDENTIFIKASI


def test_a_referral_moves_the_case_to_referred(client, operator, cases):
    client.force_login(operator)
    entis = cases["entis"]
    response = client.post(f"/pmks/{entis.pk}/rujukan/", {
        "tanggal": "2026-06-01", "tujuan": "PUSKESMAS", "lembaga": "Puskesmas Cibeureum",
        "hasil": "diperiksa", "tandai": "on"})
    assert response.status_code == 302
    referral = Rujukan.objects.get(kasus=entis)
    assert (referral.tujuan, referral.oleh, referral.hasil) == ("PUSKESMAS", operator, "diperiksa")
    entis.refresh_from_db()
    assert entis.status == StatusKasus.DIRUJUK
    record = entis.riwayat.get()
    assert (record.tanggal, record.oleh) == (datetime.date(2026, 6, 1), operator)
    assert "Puskesmas Cibeureum" in record.catatan


def test_a_referral_may_leave_the_status_as_it_is(client, operator, cases):
    client.force_login(operator)
    entis = cases["entis"]
    assert client.post(f"/pmks/{entis.pk}/rujukan/", {
        "tanggal": "2026-06-01", "tujuan": "DINAS_SOSIAL"}).status_code == 302
    entis.refresh_from_db()
    assert entis.status == StatusKasus.TERIDENTIFIKASI and not entis.riwayat.exists()
    response = client.post(f"/pmks/{entis.pk}/rujukan/", {"tanggal": tomorrow(),
                                                          "tujuan": "PANTI", "tandai": "on"})
    assert response.context["form"].has_error("tanggal", "future")
    assert Rujukan.objects.filter(kasus=entis).count() == 1


def test_help_is_recorded_with_its_source_and_group(client, operator, cases, make_perkumpulan):
    make_perkumpulan("MLG-DW-001", desa=MELONG)
    client.force_login(operator)
    icih = cases["icih"]
    response = client.post(f"/pmks/{icih.pk}/bantuan/", {
        "tanggal": "2026-07-01", "bentuk": "UANG", "sumber": "DANA_KEMATIAN", "nilai": "250000",
        "perkumpulan": icih.pendamping.kode, "keterangan": "santunan"})
    assert response.status_code == 302
    help_given = icih.bantuan.get(keterangan="santunan")
    assert (help_given.nilai, help_given.penerima.program.sumber, help_given.perkumpulan,
            help_given.oleh) == (
        250000, "DANA_KEMATIAN", icih.pendamping, operator)
    # A group of another village is not on offer; a negative value is no value.
    from registry.models import Perkumpulan

    melong_group = Perkumpulan.objects.get(kode="MLG-DW-001")
    before = snapshot()
    response = client.post(f"/pmks/{icih.pk}/bantuan/", {
        "tanggal": "2026-07-01", "bentuk": "UANG", "sumber": "IURAN", "nilai": "-5",
        "perkumpulan": melong_group.kode})
    form = response.context["form"]
    assert response.status_code == 400
    assert form.has_error("perkumpulan", "unknown") and form.has_error("nilai")
    assert snapshot() == before


def test_a_conflict_while_writing_is_told_not_a_500(client, operator, cases, monkeypatch):
    """A case with the same person and category saved by someone else between the check and the
    write (the check is skipped here): the database refuses, nothing is written, the form says
    so."""
    from registry import forms

    monkeypatch.setattr(forms, "model_errors", lambda *args, **kwargs: {})
    client.force_login(operator)
    before = snapshot()
    response = new_case(client, nik=NIK)
    assert response.status_code == 400
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "conflict")
    assert snapshot() == before


def test_a_refused_change_leaves_the_case_as_it_was(client, staf, cases):
    client.force_login(staf)
    icih = cases["icih"]
    response = client.post(f"/pmks/{icih.pk}/ubah/", {
        "nama": "", "nik": "", "desa_kode": "99.99.99.9999", "kategori": icih.kategori_id})
    assert response.status_code == 400
    assert response.context["form"].has_error("desa_kode")
    assert "Ubah kasus Mak Icih" in response.content.decode()  # the heading: the case as stored
    icih.refresh_from_db()
    assert (icih.nama, icih.desa_id, icih.warga.nik) == ("Mak Icih", CIBEUREUM, NIK)
