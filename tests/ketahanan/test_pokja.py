"""A village's Pokja Tansosmas over HTTP: recorded and edited by the village's officer, members
added by NIK and their terms ended; another village's officer finds nothing, an observer reads
the bodies but writes nothing and sees no member's name."""

import datetime

from ketahanan.models import AnggotaPokja, PokjaTansosmas
from tests.conftest import CIBEUREUM, MELONG

LIST = f"/ketahanan/pokja/?wilayah={CIBEUREUM}"


def make_pokja(**fields):
    fields.setdefault("desa_id", CIBEUREUM)
    fields.setdefault("nama", "Pokja Tansosmas Cibeureum")
    fields.setdefault("mulai", datetime.date(2025, 1, 1))
    return PokjaTansosmas.objects.create(**fields)


def test_the_officer_records_edits_and_staffs_the_pokja(client, operator, make_warga):
    client.force_login(operator)
    response = client.post(f"/ketahanan/pokja/baru/?wilayah={CIBEUREUM}",
                           {"nama": "Pokja A", "mulai": "2025-02-01", "selesai": "2025-01-01"})
    assert response.status_code == 400 and response.context["form"].has_error("selesai")
    assert 'value="Pokja A"' in response.content.decode()
    assert not PokjaTansosmas.objects.exists()
    response = client.post(f"/ketahanan/pokja/baru/?wilayah={CIBEUREUM}",
                           {"nama": "Pokja A", "mulai": "2025-02-01", "sk_nomor": "SK-7"})
    body = PokjaTansosmas.objects.get()
    assert response.status_code == 302 and response.url == f"/ketahanan/pokja/{body.pk}/"
    assert (body.desa_id, body.sk_nomor) == (CIBEUREUM, "SK-7")
    edit = client.get(f"/ketahanan/pokja/{body.pk}/ubah/")
    version = edit.context["form"]["_versi"].value() if "_versi" in edit.context["form"].fields \
        else None
    data = {"nama": "Pokja Tansosmas Cibeureum", "mulai": "2025-02-01", "sk_nomor": "SK-8"}
    for name, field in edit.context["form"].fields.items():
        if field.widget.is_hidden:
            data[name] = edit.context["form"][name].value()
    assert version is None or data
    assert client.post(f"/ketahanan/pokja/{body.pk}/ubah/", data).status_code == 302
    body.refresh_from_db()
    assert (body.nama, body.sk_nomor) == ("Pokja Tansosmas Cibeureum", "SK-8")

    person = make_warga("3277014101800001", nama="Siti Aminah", wilayah_id=CIBEUREUM)
    outsider = make_warga("3273014101800002", nama="Orang Bandung", wilayah_id="32.73.01.1001")
    add = f"/ketahanan/pokja/{body.pk}/anggota/"
    response = client.post(add, {"nik": outsider.nik, "jabatan": "KETUA"})
    assert response.status_code == 400 and response.context["form"].has_error("nik", "unknown")
    assert "Orang Bandung" not in response.content.decode()
    response = client.post(add, {"nik": person.nik, "jabatan": "KETUA", "unsur": "PKK"})
    assert response.status_code == 302
    member = AnggotaPokja.objects.get()
    assert (member.warga_id, member.jabatan, member.selesai) == (person.pk, "KETUA", None)
    response = client.post(add, {"nik": person.nik, "jabatan": "ANGGOTA"})
    assert response.status_code == 400 and response.context["form"].has_error("nik", "current")
    html = client.get(LIST).content.decode()
    assert "Siti Aminah" in html and f"/ketahanan/pokja/{body.pk}/" in html

    end = f"/ketahanan/pokja/anggota/{member.pk}/akhiri/"
    assert "Siti Aminah" in client.get(end).content.decode()
    member.refresh_from_db()
    assert member.selesai is None
    assert client.post(end).status_code == 302
    member.refresh_from_db()
    assert member.selesai is not None


def test_past_bodies_are_listed_apart(client, operator):
    make_pokja(nama="Pokja Lama", mulai=datetime.date(2019, 1, 1),
               selesai=datetime.date(2021, 12, 31))
    make_pokja(nama="Pokja Baru", mulai=datetime.date(2024, 1, 1))
    client.force_login(operator)
    response = client.get(LIST)
    assert [b.nama for b in response.context["current"]] == ["Pokja Baru"]
    assert [b.nama for b in response.context["past"]] == ["Pokja Lama"]


def test_another_villages_officer_finds_nothing(client, operator_lain, make_warga):
    body = make_pokja()
    person = make_warga("3277014101800001", nama="Siti Aminah", wilayah_id=CIBEUREUM)
    member = AnggotaPokja.objects.create(pokja=body, warga=person)
    client.force_login(operator_lain)
    assert client.get(LIST).status_code == 404
    assert client.get(f"/ketahanan/pokja/{body.pk}/").status_code == 404
    assert client.post(f"/ketahanan/pokja/{body.pk}/ubah/", {"nama": "X"}).status_code == 404
    assert client.post(f"/ketahanan/pokja/{body.pk}/anggota/",
                       {"nik": person.nik, "jabatan": "KETUA"}).status_code == 404
    assert client.post(f"/ketahanan/pokja/anggota/{member.pk}/akhiri/").status_code == 404
    assert client.post(f"/ketahanan/pokja/baru/?wilayah={CIBEUREUM}",
                       {"nama": "X", "mulai": "2025-01-01"}).status_code == 404
    # Their own village is theirs to record.
    assert client.get(f"/ketahanan/pokja/baru/?wilayah={MELONG}").status_code == 200


def test_observers_read_without_names_and_write_nothing(client, pengamat, staf, make_warga):
    body = make_pokja()
    person = make_warga("3277014101800001", nama="Siti Aminah", wilayah_id=CIBEUREUM)
    member = AnggotaPokja.objects.create(pokja=body, warga=person, jabatan="KETUA")
    client.force_login(pengamat)
    for url in (LIST, f"/ketahanan/pokja/{body.pk}/"):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200 and "Pokja Tansosmas Cibeureum" in html
        assert "Siti Aminah" not in html and person.nik not in html
    assert 'class="jumlah-anggota">1<' in client.get(LIST).content.decode()
    assert client.post(f"/ketahanan/pokja/baru/?wilayah={CIBEUREUM}",
                       {"nama": "X", "mulai": "2025-01-01"}).status_code == 403
    assert client.post(f"/ketahanan/pokja/{body.pk}/ubah/", {"nama": "X"}).status_code == 403
    assert client.post(f"/ketahanan/pokja/{body.pk}/anggota/",
                       {"nik": person.nik, "jabatan": "KETUA"}).status_code == 403
    assert client.post(f"/ketahanan/pokja/anggota/{member.pk}/akhiri/").status_code == 403
    client.force_login(staf)
    assert "Siti Aminah" in client.get(f"/ketahanan/pokja/{body.pk}/").content.decode()


def test_a_village_is_asked_for(client, operator, staf):
    """A village's page opened for a larger area lists the areas below it, down to the village
    (it was a 400 asking for ?wilayah=); a form sent for one is a 400."""
    client.force_login(staf)
    response = client.get("/ketahanan/pokja/?wilayah=32.77")
    assert response.status_code == 200
    assert '<a href="/ketahanan/pokja/?wilayah=32.77.01">Cimahi Selatan</a>' in \
        response.content.decode()
    page = client.get("/ketahanan/pokja/?wilayah=32.77.01").content.decode()
    assert f'<a href="/ketahanan/pokja/?wilayah={CIBEUREUM}">Cibeureum</a>' in page
    assert client.get("/ketahanan/pokja/?wilayah=xx").status_code == 400
    assert client.post("/ketahanan/pokja/baru/?wilayah=32.77", {}).status_code == 400


def test_the_list_costs_the_same_for_one_pokja_and_for_five(
        client, operator, make_warga, django_assert_max_num_queries):
    client.force_login(operator)
    people = [make_warga(f"32770141018000{i + 1:02d}", wilayah_id=CIBEUREUM) for i in range(10)]
    for i in range(5):
        body = make_pokja(nama=f"Pokja {i}", mulai=datetime.date(2020 + i, 1, 1))
        for person in people[2 * i:2 * i + 2]:
            AnggotaPokja.objects.create(pokja=body, warga=person)
        if i == 0:
            with django_assert_max_num_queries(12) as one:
                client.get(LIST)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(LIST)


def test_the_admin_lists_the_ketahanan_records_by_role(client, staf, pengamat, make_warga):
    body = make_pokja()
    AnggotaPokja.objects.create(
        pokja=body, warga=make_warga("3277014101800001", nama="Siti Aminah",
                                     wilayah_id=CIBEUREUM))
    client.force_login(staf)
    for name in ("pokjatansosmas", "pernyataan", "penilaian", "rencanaaksi", "putaranpantau"):
        assert client.get(f"/admin/ketahanan/{name}/").status_code == 200
    assert "Siti Aminah" in client.get(
        f"/admin/ketahanan/pokjatansosmas/{body.pk}/change/").content.decode()
    client.force_login(pengamat)
    # An assessment round as on the web: its page, without respondents or who ran it.
    from ketahanan.models import Penilaian, Responden

    round_ = Penilaian.objects.create(desa_id=CIBEUREUM, tanggal="2026-02-01", nama="Penilaian")
    Responden.objects.create(penilaian=round_, nomor=1, nama="Bu Responden")
    assert client.get("/admin/ketahanan/penilaian/").status_code == 200
    page = client.get(f"/admin/ketahanan/penilaian/{round_.pk}/change/").content.decode()
    assert "Penilaian" in page and "Bu Responden" not in page and "pelaksana" not in page
    assert client.get("/admin/ketahanan/pernyataan/").status_code == 200
    html = client.get(f"/admin/ketahanan/pokjatansosmas/{body.pk}/change/").content.decode()
    assert "Pokja Tansosmas Cibeureum" in html and "Siti Aminah" not in html
