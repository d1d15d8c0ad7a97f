"""A person's data changed on the web (Ubah on their page): by whoever may edit them, the NIK
kept, what disagrees with the NIK told after the save, a second officer's late save refused."""

import datetime

from members.models import Warga
from tests.conftest import CIBEUREUM, MELONG
from tests.members.conftest import SITI


def edit(client, person, **changes):
    form = client.get(f"/warga/{person.pk}/ubah/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    return client.post(f"/warga/{person.pk}/ubah/", {**data, **changes})


def test_an_officer_changes_a_persons_data_from_their_page(client, operator, data):
    client.force_login(operator)
    siti = data["siti"]
    page = client.get(f"/warga/{siti.pk}/").content.decode()
    assert f'href="/warga/{siti.pk}/ubah/"' in page
    response = edit(client, siti, nama="Siti Aminah Rahayu", rw="4", alamat="Jl. Mawar 2")
    assert response.status_code == 302 and response["Location"] == f"/warga/{siti.pk}/"
    siti.refresh_from_db()
    assert (siti.nik, siti.nama, siti.rw, siti.alamat, siti.wilayah_id) == (
        SITI, "Siti Aminah Rahayu", 4, "Jl. Mawar 2", CIBEUREUM)
    assert siti.history.count() >= 2  # the change is in the person's history
    page = client.get(response["Location"]).content.decode()
    assert "Data warga disimpan." in page


def test_what_disagrees_with_the_nik_is_told_not_refused(client, operator, data):
    client.force_login(operator)
    siti = data["siti"]  # 3277014101800001: a woman born 01-01-1980
    response = edit(client, siti, tanggal_lahir="1980-01-02", jenis_kelamin="L")
    assert response.status_code == 302
    messages = client.get(response["Location"]).content.decode().split('class="messages"')[1]
    assert "Tanggal lahir yang diketik berbeda dengan NIK (1 Jan 1980)" in messages
    assert "Jenis kelamin yang diketik berbeda dengan NIK (perempuan)" in messages
    siti.refresh_from_db()
    assert (siti.tanggal_lahir, siti.jenis_kelamin) == (datetime.date(1980, 1, 2), "L")


def test_only_who_may_edit_the_person_changes_them(client, operator_lain, pengamat, staf, data):
    siti = data["siti"]
    client.force_login(operator_lain)  # Melong's officer
    assert client.get(f"/warga/{siti.pk}/ubah/").status_code == 404
    client.force_login(pengamat)
    assert client.get(f"/warga/{siti.pk}/ubah/").status_code == 403
    client.force_login(staf)
    response = edit(client, siti, desa=MELONG)  # staff move her within their city
    assert response.status_code == 302
    assert Warga.objects.get(pk=siti.pk).wilayah_id == MELONG
    response = edit(client, siti, desa="32.73.01.1001")  # outside the staff's area
    assert response.status_code == 400 and response.context["form"].has_error("desa")


def test_a_second_officers_late_save_is_refused_with_what_they_typed(client, operator, staf,
                                                                    data):
    siti = data["siti"]
    client.force_login(operator)
    first = client.get(f"/warga/{siti.pk}/ubah/").context["form"]
    stale = {name: first[name].value() or "" for name in first.fields}
    assert edit(client, siti, nama="Siti A.").status_code == 302
    response = client.post(f"/warga/{siti.pk}/ubah/", {**stale, "nama": "Siti B."})
    assert response.status_code == 409
    assert Warga.objects.get(pk=siti.pk).nama == "Siti A."
