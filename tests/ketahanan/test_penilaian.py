"""Assessment rounds: a round recorded, a respondent's scores typed in, a workbook imported (all
or nothing, errors by row and column), the round's means and the area summary worked by hand;
observers see the means, never the respondents."""

import datetime
import io

import openpyxl
import pytest

from ketahanan import penilaian as logic
from ketahanan.models import AnggotaPokja, Penilaian, Pernyataan, PokjaTansosmas, Responden, Skor
from registry.models import Wilayah
from tests.conftest import CIBEUREUM, MELONG

CODES = ["PL1", "PL2", "PL3", "PA1", "PA2", "PA3", "PK1", "PK2", "PK3", "KL1", "KL2", "KL3"]


def make_round(desa=CIBEUREUM, tanggal=datetime.date(2025, 6, 1), nama="Penilaian 2025"):
    return Penilaian.objects.create(desa_id=desa, tanggal=tanggal, nama=nama)


def add_respondent(penilaian, nomor, scores: dict, nama=""):
    r = Responden.objects.create(penilaian=penilaian, nomor=nomor, nama=nama)
    by_code = {p.kode: p for p in Pernyataan.objects.all()}
    Skor.objects.bulk_create([Skor(responden=r, pernyataan=by_code[k], nilai=v)
                              for k, v in scores.items()])
    return r


def xlsx(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "responden.xlsx"
    return buffer


def test_the_migration_gives_three_statements_per_dimension(db):
    assert sorted(Pernyataan.objects.values_list("kode", flat=True)) == sorted(CODES)
    assert sorted(logic.ringkasan(Wilayah.objects.get(pk=CIBEUREUM),
                                  datetime.date(2026, 1, 1))) == sorted(
        ["perlindungan", "partisipasi", "pengendalian_konflik", "kearifan_lokal"])


def test_ringkasan_worked_by_hand(db):
    # Cibeureum: an old round (ignored) and the latest: 3 respondents.
    old = make_round(tanggal=datetime.date(2024, 1, 1), nama="Lama")
    add_respondent(old, 1, {"PL1": 1})
    latest = make_round()
    add_respondent(latest, 1, {"PL1": 3, "PA1": 5})
    add_respondent(latest, 2, {"PL1": 3})
    add_respondent(latest, 3, {"PL1": 4})
    later = make_round(tanggal=datetime.date(2025, 12, 1), nama="Nanti")  # after acuan
    add_respondent(later, 1, {"PL1": 5})
    # Melong: one round, 1 respondent.
    melong = make_round(desa=MELONG)
    add_respondent(melong, 1, {"PL1": 1, "PL2": 2})
    acuan = datetime.date(2025, 7, 1)
    desa = logic.ringkasan(Wilayah.objects.get(pk=CIBEUREUM), acuan)
    assert desa["perlindungan"] == {"rata_rata": 3.33, "responden": 3}  # (3+3+4)/3
    assert desa["partisipasi"] == {"rata_rata": 5.0, "responden": 1}
    assert desa["kearifan_lokal"] == {"rata_rata": None, "responden": 0}
    kecamatan = logic.ringkasan(Wilayah.objects.get(pk="32.77.01"), acuan)
    # Pooled: 3, 3, 4, 1, 2 → 13/5.
    assert kecamatan["perlindungan"] == {"rata_rata": 2.6, "responden": 4}
    assert logic.ringkasan(Wilayah.objects.get(pk=CIBEUREUM), datetime.date(2023, 1, 1))[
        "perlindungan"] == {"rata_rata": None, "responden": 0}


def test_a_round_is_recorded_with_its_pokja_and_runners(client, operator, make_warga):
    pokja = PokjaTansosmas.objects.create(desa_id=CIBEUREUM, nama="Pokja",
                                          mulai=datetime.date(2025, 1, 1))
    member = AnggotaPokja.objects.create(
        pokja=pokja, warga=make_warga("3277014101800001", wilayah_id=CIBEUREUM))
    client.force_login(operator)
    url = f"/ketahanan/penilaian/baru/?wilayah={CIBEUREUM}"
    response = client.post(url, {"nama": "Penilaian 2025", "tanggal": ""})
    assert response.status_code == 400 and response.context["form"].has_error("tanggal")
    response = client.post(url, {"nama": "Penilaian 2025", "tanggal": "2025-06-01",
                                 "pokja": pokja.pk, "pelaksana": [member.pk]})
    assert response.status_code == 302
    made = Penilaian.objects.get()
    assert (made.desa_id, made.pokja_id, list(made.pelaksana.all())) == (
        CIBEUREUM, pokja.pk, [member])
    html = client.get(f"/ketahanan/penilaian/?wilayah={CIBEUREUM}").content.decode()
    assert f"/ketahanan/penilaian/{made.pk}/" in html


def test_a_respondents_scores_are_typed_in(client, operator, pengamat):
    record = make_round()
    statements = list(Pernyataan.objects.all())
    url = f"/ketahanan/penilaian/{record.pk}/skor/"
    client.force_login(pengamat)
    assert client.get(url).status_code == 403
    client.force_login(operator)
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="dimensi-kearifan_lokal"' in html
    data = {"nomor": 1, "nama": "Budi", **{f"skor_{p.pk}": 4 for p in statements}}
    data[f"skor_{statements[0].pk}"] = 7
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].has_error(f"skor_{statements[0].pk}")
    assert not Responden.objects.exists()
    data[f"skor_{statements[0].pk}"] = 2
    assert client.post(url, data).status_code == 302
    respondent = Responden.objects.get()
    assert respondent.nama == "Budi" and respondent.skor.count() == len(CODES)
    response = client.post(url, {**data, "nama": "Lain"})
    assert response.status_code == 400 and response.context["form"].has_error("nomor")


def test_a_good_workbook_is_imported_with_exact_means(client, operator):
    record = make_round()
    client.force_login(operator)
    template = client.get(f"/ketahanan/penilaian/{record.pk}/templat.xlsx")
    header = next(openpyxl.load_workbook(io.BytesIO(b"".join(template.streaming_content)))
                  .active.iter_rows(values_only=True))
    assert list(header) == ["nomor", "nama", "unsur", *CODES]
    rows = [["nomor", "nama", "unsur", *CODES],
            [1, "Ani", "PKK", *([3] * 12)],
            [2, "Budi", "Karang Taruna", *([3] * 12)],
            [3, "Cici", "", 4, 4, 4, *([5] * 9)]]
    response = client.post(f"/ketahanan/penilaian/{record.pk}/impor/",
                           {"berkas": xlsx(rows)})
    assert response.status_code == 302
    assert Responden.objects.filter(penilaian=record).count() == 3
    desa = logic.ringkasan(Wilayah.objects.get(pk=CIBEUREUM), datetime.date(2025, 12, 31))
    assert desa["perlindungan"] == {"rata_rata": 3.33, "responden": 3}
    assert desa["partisipasi"] == {"rata_rata": 3.67, "responden": 3}


def test_a_bad_score_names_its_row_and_column_and_writes_nothing(client, operator):
    record = make_round()
    client.force_login(operator)
    rows = [["nomor", "nama", "unsur", *CODES],
            [1, "Ani", "PKK", *([3] * 12)],
            [2, "Budi", "", 3, 7, *([3] * 10)]]
    response = client.post(f"/ketahanan/penilaian/{record.pk}/impor/",
                           {"berkas": xlsx(rows)})
    assert response.status_code == 400
    errors = response.context["errors"]
    assert len(errors) == 1 and "3" in errors[0] and "E" in errors[0] and "PL2" in errors[0]
    assert 'id="kesalahan"' in response.content.decode()
    assert not Responden.objects.exists() and not Skor.objects.exists()
    response = client.post(f"/ketahanan/penilaian/{record.pk}/impor/",
                           {"berkas": io.BytesIO(b"not a workbook")})
    assert response.status_code == 400 and response.context["errors"]
    assert not Responden.objects.exists()


@pytest.mark.parametrize("role", ["pengamat", "operator"])
def test_observers_see_the_means_but_no_respondent(db, client, request, role):
    record = make_round()
    add_respondent(record, 1, {"PL1": 3}, nama="Ani Rahayu")
    add_respondent(record, 2, {"PL1": 4}, nama="Budi Santoso")
    client.force_login(request.getfixturevalue(role))
    html = client.get(f"/ketahanan/penilaian/{record.pk}/").content.decode()
    assert 'id="jumlah-responden">2<' in html and "3.50" in html.replace(",", ".")
    assert ("Ani Rahayu" in html) is (role == "operator")
    assert ("Budi Santoso" in html) is (role == "operator")


def test_another_villages_officer_finds_no_round(client, operator_lain):
    record = make_round()
    client.force_login(operator_lain)
    assert client.get(f"/ketahanan/penilaian/{record.pk}/").status_code == 404
    assert client.post(f"/ketahanan/penilaian/{record.pk}/skor/", {}).status_code == 404
    assert client.get(f"/ketahanan/penilaian/?wilayah={CIBEUREUM}").status_code == 404


def test_the_round_page_costs_the_same_for_two_and_for_twenty(
        client, operator, django_assert_max_num_queries):
    record = make_round()
    client.force_login(operator)
    for n in range(1, 3):
        add_respondent(record, n, {c: 3 for c in CODES}, nama=f"R{n}")
    with django_assert_max_num_queries(15) as few:
        assert client.get(f"/ketahanan/penilaian/{record.pk}/").status_code == 200
    for n in range(3, 21):
        add_respondent(record, n, {c: 4 for c in CODES}, nama=f"R{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/ketahanan/penilaian/{record.pk}/").status_code == 200
