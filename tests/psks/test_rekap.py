"""Table 13: per group type, the active groups with a trained current leader and the trained
current leaders, for a village and its kecamatan, by the reference year."""

from registry import rekap
from registry.models import Wilayah
from tests.conftest import CIBEUREUM
from tests.psks.conftest import KECAMATAN


def table_13(kode: str, year: int) -> dict | None:
    data = rekap.build(Wilayah.objects.get(pk=kode), year).as_dict()
    return next((t for t in data["tabel"] if t["nomor"] == 13), None)


def rows(table: dict) -> dict:
    return {r["kode"]: (r["nilai"], r["jumlah"], r["persen"]) for r in table["baris"]}


def test_the_village_counts_its_trained_leaders_per_type(world):
    table = table_13(CIBEUREUM, 2025)
    assert table["kolom"] == ["Dengan pengurus terlatih", "Pengurus terlatih"]
    # Dasa Wisma Mawar: Ani (chair) and Budi (secretary) trained, Cici not, Dodi is no leader.
    # Karang Taruna: Eka untrained; Gita trained but her term ended. Posyandu: Budi, its chair.
    # The inactive Dasa Wisma Lama (Ani) is no active group.
    assert rows(table) == {
        "DW": ([1, 2], 1, [100.0, 66.67]),
        "KT": ([0, 0], 1, [0.0, 0.0]),
        "POSYANDU": ([1, 1], 1, [100.0, 33.33]),
    }
    assert table["total"] == {"nilai": [2, 3], "jumlah": 3, "persen": [66.67, 100.0]}


def test_the_kecamatan_sums_its_villages_and_a_person_counts_once_per_type(world):
    # Fajar chairs Melong's Dasa Wisma; Ani went to two trainings and counts once.
    table = table_13(KECAMATAN, 2025)
    assert rows(table)["DW"] == ([2, 3], 2, [100.0, 75.0])
    assert table["total"]["nilai"] == [3, 4]


def test_trainings_after_the_reference_year_are_not_counted(world):
    assert table_13(CIBEUREUM, 2023) is None  # the first training was held in 2024
    table = table_13(CIBEUREUM, 2024)
    assert table["total"]["nilai"] == [2, 3]  # Ani's second training (2025) adds no one


def test_observers_get_the_table_too(world, client, pengamat):
    client.force_login(pengamat)
    html = client.get("/rekap/", {"wilayah": CIBEUREUM, "tahun": 2025}).content.decode()
    assert 'id="tabel-13"' in html and "Dengan pengurus terlatih" in html


def totals(kode: str, year: int) -> list | None:
    table = table_13(kode, year)
    return table and table["total"]["nilai"]


def test_the_stored_counts_follow_each_write_that_changes_them(world, client, operator):
    """Table 13 reads stored counts: each write below changes the figures at once, and they
    equal a count from scratch."""
    from members.models import Keanggotaan
    from psks.models import PesertaPelatihan

    assert totals(CIBEUREUM, 2025) == [2, 3]
    # Cici, Mawar's treasurer, is added to the village's 2025 training on the web.
    client.force_login(operator)
    response = client.post(f"/psks/pelatihan/{world['administrasi'].pk}/peserta/tambah/",
                           {"nik": world["people"]["Cici"].nik})
    assert response.status_code == 302
    assert totals(CIBEUREUM, 2025) == [2, 4]
    # The kecamatan's 2024 training moves to 2026: Budi was not trained by 2025.
    world["keuangan"].tanggal_mulai = world["keuangan"].tanggal_mulai.replace(year=2026)
    world["keuangan"].save()
    assert rows(table_13(CIBEUREUM, 2025))["POSYANDU"][0] == [0, 0]
    assert totals(CIBEUREUM, 2025) == [1, 2]
    assert totals(CIBEUREUM, 2026) == [2, 4]
    # Ani is no longer Mawar's chair: Cici is its one trained leader of 2025.
    Keanggotaan.objects.filter(warga=world["people"]["Ani"], perkumpulan=world["groups"]["dw"]
                               ).update(selesai="2026-01-31")  # (a raw update: no signal)
    Keanggotaan.objects.get(warga=world["people"]["Ani"],
                            perkumpulan=world["groups"]["dw"]).save()
    assert rows(table_13(CIBEUREUM, 2025))["DW"][0] == [1, 1]
    # Budi's attendance is struck off: Posyandu loses its trained chair.
    PesertaPelatihan.objects.get(warga=world["people"]["Budi"]).delete()
    assert rows(table_13(CIBEUREUM, 2026))["POSYANDU"][0] == [0, 0]
    shown = table_13(KECAMATAN, 2026)
    rekap.refresh_all()
    assert table_13(KECAMATAN, 2026) == shown


def test_an_imported_attendance_counts_at_once(world, tmp_path, staf):
    from tests.survey_files import imported, make_xlsx

    assert rows(table_13(CIBEUREUM, 2025))["KT"][0] == [0, 0]
    # Eka, the Karang Taruna's chair, attended the kecamatan's 2024 training.
    imported(make_xlsx(tmp_path, {"pelatihan": [
        {"topik": "Pengelolaan keuangan kelompok", "tanggal_mulai": "05-03-2024",
         "penyelenggara": "Dinas Sosial Kota Cimahi", "kode_wilayah": KECAMATAN,
         "nik_peserta": world["people"]["Eka"].nik}]}), user=staf)
    assert rows(table_13(CIBEUREUM, 2025))["KT"][0] == [1, 1]
    assert totals(KECAMATAN, 2025) == [4, 5]
