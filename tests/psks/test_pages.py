"""The PSKS page of an area, a training's page and the forms, for each role: the operator of
another village gets 404, observers see numbers and no names, staff record a TKSK for their
kecamatan."""

import datetime

from psks.models import LKS, Pelatihan, PetugasPSKS
from tests.conftest import CIBEUREUM, MELONG
from tests.psks.conftest import KECAMATAN


def test_the_villages_page_shows_its_workers_lks_and_trainings(
    world, client, operator, django_assert_max_num_queries
):
    client.force_login(operator)
    with django_assert_max_num_queries(12):
        response = client.get("/psks/", {"wilayah": CIBEUREUM})
    html = response.content.decode()
    assert response.status_code == 200
    # The kecamatan's TKSK serves the village too; the village's own PSM; the LKS; both trainings
    # with their numbers of participants.
    assert "Hadi" in html and "Indah" in html and "Panti Asuhan Al-Ikhlas" in html
    trainings = response.context["trainings"]
    assert [(t.topik, t.jumlah_peserta) for t in trainings] == [
        ("Administrasi kelompok", 1), ("Pengelolaan keuangan kelompok", 5)]
    counts = dict(response.context["role_counts"])
    assert sum(counts.values()) == 2
    # The PSM is the operator's to change; the kecamatan's TKSK is not.
    assert f"/psks/petugas/{world['psm'].pk}/ubah/" in html
    assert f"/psks/petugas/{world['tksk'].pk}/ubah/" not in html


def test_the_page_costs_the_same_with_more_records(
    world, client, staf, make_warga, django_assert_max_num_queries
):
    client.force_login(staf)
    client.get("/psks/", {"wilayah": KECAMATAN})
    with django_assert_max_num_queries(12) as small:
        client.get("/psks/", {"wilayah": KECAMATAN})
    for i in range(20, 40):
        person = make_warga(f"327701010180{i:04d}", nama=f"Kader {i}", wilayah_id=CIBEUREUM)
        PetugasPSKS.objects.create(warga=person, peran="PSM", wilayah_id=CIBEUREUM)
        LKS.objects.create(nama=f"Yayasan {i}", wilayah_id=CIBEUREUM)
        Pelatihan.objects.create(topik=f"Pelatihan {i}", tanggal_mulai=datetime.date(2025, 1, 1),
                                 penyelenggara="Dinsos", wilayah_id=MELONG)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/psks/", {"wilayah": KECAMATAN})
    assert len(response.context["workers"]) == 22


def test_the_operator_of_another_village_gets_404(world, client, operator_lain):
    client.force_login(operator_lain)
    assert client.get("/psks/", {"wilayah": CIBEUREUM}).status_code == 404
    assert client.get(f"/psks/pelatihan/{world['administrasi'].pk}/").status_code == 404
    assert client.get(f"/psks/petugas/{world['psm'].pk}/ubah/").status_code == 404
    assert client.get(f"/psks/lks/{world['lks'].pk}/ubah/").status_code == 404
    # The kecamatan's training is seen (it serves Melong too), but changed only by the kecamatan's
    # staff; Melong's operator sees, of its participants, Melong's own.
    response = client.get(f"/psks/pelatihan/{world['keuangan'].pk}/")
    assert response.status_code == 200 and response.context["form"] is None
    assert [r["peserta"].warga.nama for r in response.context["rows"]] == ["Fajar"]
    assert response.context["total"] == 5
    assert client.get(f"/psks/pelatihan/{world['keuangan'].pk}/ubah/").status_code == 404


def test_observers_see_numbers_and_no_names(world, client, pengamat):
    client.force_login(pengamat)
    response = client.get("/psks/", {"wilayah": CIBEUREUM})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hadi" not in html and "Indah" not in html
    # One PSM, one TKSK, none of the other roles.
    assert [n for _label, n in response.context["role_counts"]] == [1, 1, 0, 0, 0, 0, 0]
    assert "Panti Asuhan Al-Ikhlas" in html  # an institution is no person
    response = client.get(f"/psks/pelatihan/{world['keuangan'].pk}/")
    html = response.content.decode()
    assert response.status_code == 200 and response.context["total"] == 5
    assert not any(name in html for name in ("Ani", "Budi", "Dodi", "Fajar", "Gita"))
    assert client.get("/psks/petugas/baru/").status_code == 403
    assert client.post(f"/psks/pelatihan/{world['keuangan'].pk}/peserta/tambah/",
                       {"nik": world["people"]["Cici"].nik}).status_code == 403
    assert world["keuangan"].peserta.count() == 5


def test_staff_record_a_tksk_for_their_kecamatan(world, client, staf, operator):
    person = world["people"]["Eka"]
    client.force_login(staf)
    data = {"nik": person.nik, "peran": "TKSK", "wilayah": CIBEUREUM, "mulai": "2025-01-02"}
    response = client.post("/psks/petugas/baru/", data)
    assert response.status_code == 400 and response.context["form"].has_error(
        "wilayah", "tksk_level")
    response = client.post("/psks/petugas/baru/", {**data, "wilayah": "327701"})
    assert response.status_code == 302
    worker = PetugasPSKS.objects.get(warga=person)
    assert (worker.peran, worker.wilayah_id, worker.mulai) == (
        "TKSK", KECAMATAN, datetime.date(2025, 1, 2))
    # A village's operator may not record one for the kecamatan.
    client.force_login(operator)
    response = client.post("/psks/petugas/baru/", {**data, "nik": world["people"]["Cici"].nik,
                                                   "wilayah": KECAMATAN})
    assert response.status_code == 400 and response.context["form"].has_error(
        "wilayah", "outside_area")
    assert PetugasPSKS.objects.count() == 3


def test_an_lks_and_a_training_are_recorded_and_changed(world, client, operator):
    client.force_login(operator)
    response = client.post("/psks/lks/baru/", {
        "nama": "Yayasan Peduli Lansia", "wilayah": CIBEUREUM, "status_hukum": "TERDAFTAR",
        "nomor_registrasi": "460/12-Dinsos", "layanan": "lanjut usia", "aktif": "on"})
    assert response.status_code == 302
    assert LKS.objects.get(nama="Yayasan Peduli Lansia").wilayah_id == CIBEUREUM
    response = client.post("/psks/pelatihan/baru/", {
        "topik": "Pelatihan kader posyandu", "tanggal_mulai": "2025-08-11",
        "tanggal_selesai": "2025-08-12", "penyelenggara": "Puskesmas", "wilayah": CIBEUREUM})
    training = Pelatihan.objects.get(topik="Pelatihan kader posyandu")
    assert response.status_code == 302
    assert response["Location"] == f"/psks/pelatihan/{training.pk}/"
    edit = client.get(f"/psks/pelatihan/{training.pk}/ubah/")
    assert edit.status_code == 200
    data = {**edit.context["form"].initial, "topik": "Pelatihan kader posyandu terpadu",
            "wilayah": CIBEUREUM, "versi": edit.context["form"]["versi"].value()}
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(f"/psks/pelatihan/{training.pk}/ubah/", data)
    assert response.status_code == 302
    training.refresh_from_db()
    assert training.topik == "Pelatihan kader posyandu terpadu"
